import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database, Db } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { parseCredential } from "@/lib/integrations/input";
import { rotateCredential } from "@/lib/integrations/integrations";
import { recordCheck } from "@/lib/checks/record";
import { scanExpiries } from "./expiry-scan";

// The daily expiry scan on a fresh database per test (the scan is global): notices once per
// deadline, resolved when the target's deadline goes away, and health that turns "at risk" (and
// back) without a check.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const DAY = 86_400_000;
const now = new Date();
const at = (days: number) => new Date(now.getTime() + days * DAY);
const ymd = (d: Date) => d.toISOString().slice(0, 10);

let database: Database;
let db: Db;
beforeEach(async () => { database = await openTestDb(); db = database.prisma; });
afterEach(async () => { await database.close(); });

async function org(secretExpires?: Date) {
  const s = await orgWithIntegration(db, keyring, `expiry-${randomBytes(3).toString("hex")}`);
  if (secretExpires) await rotate(s, secretExpires);
  return s;
}
type Org = Awaited<ReturnType<typeof orgWithIntegration>>;

const rotate = (s: Org, expires: Date) =>
  rotateCredential(db, keyring, s.org.id, s.owner, s.integration.id, parseCredential({ credentialType: "SECRET", secret: `Hd7Q~Rotated.${randomBytes(4).toString("hex")}_Secret~0000x`, secretExpiresAt: ymd(expires) }, s.integration.clientId));

/** A connection last used `idleDays` ago; `checked` records a passing check first. */
async function connection(s: Org, idleDays: number, checked = false) {
  const id = await savedConnection(db, keyring, s);
  if (checked) {
    const r = await recordCheck(db, { orgId: s.org.id, connectionId: id, trigger: "SCHEDULED", run: { startedAt: now.toISOString(), finishedAt: now.toISOString(), steps: [{ id: "graph-me", status: "ok" }] }, now });
    expect(r?.health.health).toBe("HEALTHY");
  }
  await db.connection.update({ where: { id }, data: { refreshTokenLastUsedAt: new Date(now.getTime() - idleDays * DAY) } });
  return id;
}

const link = (s: Org, expiresAt: Date, status: "PENDING" | "OPENED" | "CONNECTED" = "PENDING") =>
  db.consentLink.create({ data: { orgId: s.org.id, integrationId: s.integration.id, mailbox: `l-${randomBytes(3).toString("hex")}@contoso.test`, mailboxKind: "USER", status, expiresAt } });

const open = () => db.expiryNotice.findMany({ where: { resolvedAt: null }, orderBy: { kind: "asc" } });
const health = (id: string) => db.connection.findUniqueOrThrow({ where: { id }, select: { health: true, healthCode: true, healthReason: true } });

describe("expiry scan", () => {
  it("records each deadline within the horizon once, and a second run the same day creates nothing", async () => {
    const soon = await org(at(10));
    const later = await org(at(60));
    const cert = await org();
    await db.integration.update({ where: { id: cert.integration.id }, data: { credentialType: "CERTIFICATE", certificateExpiresAt: at(25), secretExpiresAt: at(3) } });
    const idle = await connection(later, 70);
    await connection(later, 1);
    const pending = await link(soon, at(5));
    await link(soon, at(5), "CONNECTED");
    await link(soon, at(45));
    await link(soon, at(-1));

    expect(await scanExpiries(db, { now })).toEqual({ created: 4, resolved: 0 });
    const notices = await open();
    expect(notices.map((n) => [n.kind, n.targetType, n.targetId, n.orgId])).toEqual([
      ["certificate", "integration", cert.integration.id, cert.org.id],
      ["consent_link", "consent_link", pending.id, soon.org.id],
      ["inactivity", "connection", idle, later.org.id],
      ["secret", "integration", soon.integration.id, soon.org.id],
    ]);
    expect(notices.find((n) => n.kind === "inactivity")!.deadline).toEqual(new Date(now.getTime() - 70 * DAY + 90 * DAY));
    expect(notices.find((n) => n.kind === "secret")!.deadline).toEqual(new Date(`${ymd(at(10))}T00:00:00Z`));

    expect(await scanExpiries(db, { now })).toEqual({ created: 0, resolved: 0 });
    expect(await scanExpiries(db, { now: new Date(now.getTime() + 3_600_000) })).toEqual({ created: 0, resolved: 0 });
    expect(await db.expiryNotice.count()).toBe(4);
  });

  it("resolves a notice when the secret is replaced, the grant is used or the link is used; an old deadline coming back reopens it", async () => {
    const s = await org(at(10));
    const idle = await connection(s, 75);
    const pending = await link(s, at(5), "OPENED");
    expect(await scanExpiries(db, { now })).toEqual({ created: 3, resolved: 0 });

    const before = await db.integration.findUniqueOrThrow({ where: { id: s.integration.id } });
    await rotate(s, at(700));
    await db.connection.update({ where: { id: idle }, data: { refreshTokenLastUsedAt: now } });
    await db.consentLink.update({ where: { id: pending.id }, data: { status: "CONNECTED" } });
    const later = new Date(now.getTime() + 60_000);
    expect(await scanExpiries(db, { now: later })).toEqual({ created: 0, resolved: 3 });
    expect(await open()).toEqual([]);
    expect(await db.expiryNotice.findMany({ select: { resolvedAt: true } })).toEqual(Array(3).fill({ resolvedAt: later }));
    expect(await scanExpiries(db, { now: later })).toEqual({ created: 0, resolved: 0 });

    // Back to the secret that expires in 10 days: the same notice again, not a second one.
    await db.integration.update({ where: { id: s.integration.id }, data: { secretExpiresAt: before.secretExpiresAt } });
    expect(await scanExpiries(db, { now: later })).toEqual({ created: 1, resolved: 0 });
    expect(await db.expiryNotice.count()).toBe(3);
    expect((await open()).map((n) => n.kind)).toEqual(["secret"]);
  });

  it("turns a healthy connection at risk when its secret nears expiry, failing once it has expired, and healthy when replaced, without a check", async () => {
    const s = await org();
    const id = await connection(s, 1, true);
    await rotate(s, at(10));
    expect((await health(id)).health).toBe("HEALTHY");

    await scanExpiries(db, { now });
    expect(await health(id)).toMatchObject({ health: "AT_RISK", healthCode: "secret_expiring" });
    expect((await health(id)).healthReason).toContain("client secret expires in");

    await scanExpiries(db, { now: at(11) });
    expect(await health(id)).toMatchObject({ health: "FAILING", healthCode: "secret_expired" });

    await rotate(s, at(400));
    await scanExpiries(db, { now: at(11) });
    expect(await health(id)).toMatchObject({ health: "HEALTHY", healthCode: null });
    expect(await db.check.count({ where: { connectionId: id } })).toBe(1);
  });

  it("turns a connection unused for 80 days at risk of inactivity, and healthy again once the grant is used", async () => {
    const s = await org();
    const idle = await connection(s, 80, true);
    const busy = await connection(s, 2, true);
    await scanExpiries(db, { now });
    expect(await health(idle)).toMatchObject({ health: "AT_RISK", healthCode: "inactivity_deadline" });
    expect((await health(busy)).health).toBe("HEALTHY");

    await db.connection.update({ where: { id: idle }, data: { refreshTokenLastUsedAt: now } });
    await scanExpiries(db, { now });
    expect((await health(idle)).health).toBe("HEALTHY");
  });
});
