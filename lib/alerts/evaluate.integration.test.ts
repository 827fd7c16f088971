import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database, Db } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { recordCheck } from "@/lib/checks/record";
import type { CheckStep } from "@/lib/checks/health";
import { scanExpiries } from "@/lib/worker/jobs/expiry-scan";
import { evaluateAlerts } from "./evaluate";

// The evaluator over real rows: health written the way checks write it (recordCheck), events
// and deliveries read back. Each test has its own org, so counts are per org.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const PUBLIC = "https://portal.example";
const GROUP_MS = 60_000;
const T0 = new Date("2026-12-02T10:00:00Z");
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 86_400_000;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are read back as JSON and matched field by field
type Payload = Record<string, any>;

let database: Database;
let db: Db;
beforeAll(async () => {
  database = await openTestDb();
  db = database.prisma;
});
afterAll(async () => { await database.close(); });

const FAIL: CheckStep[] = [{ id: "smtp", status: "failed", code: "smtp_auth_disabled", class: "misconfigured" }];
const PASS: CheckStep[] = [{ id: "smtp", status: "ok" }];

async function check(s: { org: { id: string } }, connectionId: string, steps: CheckStep[], now: Date) {
  await recordCheck(db, { orgId: s.org.id, connectionId, trigger: "SCHEDULED", run: { startedAt: now.toISOString(), finishedAt: now.toISOString(), steps }, now });
}

const evaluate = (now: Date) => evaluateAlerts(db, { now, groupMs: GROUP_MS, publicUrl: PUBLIC });

async function setup(name: string) {
  const s = await orgWithIntegration(db, keyring, `${name}-${randomBytes(3).toString("hex")}`, { purposes: ["smtp"] });
  return s;
}

/** The org's events that went to channels (not folded into a digest), oldest first. */
const sent = (orgId: string) => db.alertEvent.findMany({ where: { orgId, digestId: null }, orderBy: { createdAt: "asc" }, include: { deliveries: true } });

describe("alert evaluator", () => {
  it("tells each change of state once: failing after the grouping delay, nothing while it stays failing, then recovered", async () => {
    const s = await setup("once");
    const id = await savedConnection(db, keyring, s);
    await check(s, id, PASS, at(0));
    await evaluate(at(1_000));
    expect(await sent(s.org.id)).toEqual([]);

    await check(s, id, FAIL, at(10_000));
    const early = await evaluate(at(11_000));
    expect(early?.waiting).toBe(1);
    expect(await sent(s.org.id)).toEqual([]);

    const later = await evaluate(at(10_000 + GROUP_MS));
    expect(later?.events).toBe(1);
    await check(s, id, FAIL, at(10_000 + GROUP_MS + 5_000));
    await check(s, id, [{ id: "smtp", status: "failed", code: "smtp_auth_failed", class: "misconfigured" }], at(10_000 + GROUP_MS + 6_000));
    await evaluate(at(10_000 + 3 * GROUP_MS));

    await check(s, id, PASS, at(400_000));
    await evaluate(at(401_000));
    await evaluate(at(402_000));

    const events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["connection.failing", "connection.recovered"]);
    const failing = events[0]!.payload as Payload;
    expect(failing).toMatchObject({
      connection: { id, url: `${PUBLIC}/orgs/${s.org.slug}/mailboxes/${id}`, kind: "user" },
      integration: { id: s.integration.id, name: "Helpdesk" },
      failure: { class: "misconfigured", code: "smtp_auth_disabled", fix: expect.stringContaining("SmtpClientAuthenticationDisabled") },
      firstFailedAt: at(10_000).toISOString(),
    });
    expect(JSON.stringify(events)).not.toContain("not-a-real-refresh-token");
    // Every org starts with the owners-and-admins email channel, which takes every event.
    expect(events.every((e) => e.deliveries.length === 1 && e.deliveries[0]!.status === "PENDING")).toBe(true);
    expect((events[1]!.payload as Payload).failingSince).toBe(at(10_000 + GROUP_MS).toISOString());
  });

  it("a failure that clears before the grouping delay ends is never told", async () => {
    const s = await setup("blip");
    const id = await savedConnection(db, keyring, s);
    await check(s, id, PASS, at(0));
    await evaluate(at(500));
    await check(s, id, FAIL, at(1_000));
    await evaluate(at(2_000));
    await check(s, id, PASS, at(3_000));
    await evaluate(at(1_000 + GROUP_MS + 1));
    expect(await sent(s.org.id)).toEqual([]);
  });

  it("five or more failures of one tenant within ten minutes become one tenant.failing, and their recoveries one tenant.recovered", async () => {
    const s = await setup("digest");
    const tenant = randomUUID();
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await savedConnection(db, keyring, s, { tenantId: tenant }));
    const other = await savedConnection(db, keyring, s);
    for (const id of [...ids, other]) await check(s, id, PASS, at(0));
    await evaluate(at(100));

    for (const id of ids.slice(0, 5)) await check(s, id, FAIL, at(1_000));
    await check(s, other, FAIL, at(1_000));
    await evaluate(at(2_000));
    let events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["tenant.failing"]);
    expect(events[0]!.payload).toMatchObject({ tenantId: tenant, failing: 5, url: `${PUBLIC}/orgs/${s.org.slug}/mailboxes` });
    expect(await db.alertEvent.count({ where: { orgId: s.org.id, type: "connection.failing", digestId: { not: null } } })).toBe(5);

    // A sixth of that tenant folds into the open digest; the other tenant's failure is told alone.
    await check(s, ids[5]!, FAIL, at(3_000));
    await evaluate(at(4_000 + GROUP_MS));
    events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["tenant.failing", "connection.failing"]);
    expect(events[1]!.connectionId).toBe(other);

    for (const id of ids.slice(0, 5)) await check(s, id, PASS, at(200_000));
    await evaluate(at(201_000));
    expect((await sent(s.org.id)).map((e) => e.type)).toEqual(["tenant.failing", "connection.failing"]);
    await check(s, ids[5]!, PASS, at(300_000));
    await evaluate(at(301_000));
    events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["tenant.failing", "connection.failing", "tenant.recovered"]);
    expect(events[2]!.payload).toMatchObject({ tenantId: tenant, recovered: 6 });
    expect(await db.alertEvent.count({ where: { orgId: s.org.id, type: "connection.recovered", digestId: { not: null } } })).toBe(6);
    // The digest is closed: the next failure of that tenant is news again.
    expect(await db.tenantAlert.count({ where: { orgId: s.org.id, closedAt: null } })).toBe(0);
  });

  it("counts failures already told in the last ten minutes toward the digest", async () => {
    const s = await setup("digest-late");
    const tenant = randomUUID();
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await savedConnection(db, keyring, s, { tenantId: tenant }));
    for (const id of ids) await check(s, id, PASS, at(0));
    for (const id of ids.slice(0, 3)) await check(s, id, FAIL, at(1_000));
    await evaluate(at(1_000 + GROUP_MS));
    expect((await sent(s.org.id)).map((e) => e.type)).toEqual(["connection.failing", "connection.failing", "connection.failing"]);
    for (const id of ids.slice(3)) await check(s, id, FAIL, at(5 * 60_000));
    await evaluate(at(5 * 60_000 + 1_000));
    const events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["connection.failing", "connection.failing", "connection.failing", "tenant.failing"]);
    expect(events[3]!.payload).toMatchObject({ failing: 5 });
  });

  it("reminds of an unused grant once per threshold (14, 7, 1 days) and of an expiring secret once per threshold (30, 14, 7, 1)", async () => {
    const s = await setup("remind");
    const now = new Date();
    // Unused for 80 days: Microsoft drops it in 10.
    const id = await savedConnection(db, keyring, s, { lastUsedAt: new Date(now.getTime() - 80 * DAY) });
    await db.integration.update({ where: { id: s.integration.id }, data: { secretExpiresAt: new Date(now.getTime() + 20 * DAY + 3_600_000) } });
    const day = (d: number) => new Date(now.getTime() + d * DAY);
    for (const d of [0, 0.2, 4, 4.5, 6.5, 9.5, 9.6]) {
      await scanExpiries(db, { now: day(d) });
      await evaluate(day(d));
    }
    const events = await sent(s.org.id);
    const atRisk = events.filter((e) => e.type === "connection.at_risk").map((e) => e.payload as Payload);
    expect(atRisk.map((p) => p.daysLeft)).toEqual([10, 6, 1]);
    expect(atRisk[0]).toMatchObject({ connection: { id }, reason: "inactivity", fix: expect.stringContaining("Refresh now") });
    const expiring = events.filter((e) => e.type === "integration.secret_expiring").map((e) => e.payload as Payload);
    // 20 days out falls under "30", then 14 (at day 6.5: 13.5 left), not yet 7.
    expect(expiring.map((p) => p.daysLeft)).toEqual([21, 14]);
    expect(expiring[0]).toMatchObject({ credential: "secret", mailboxes: 1, integration: { url: `${PUBLIC}/orgs/${s.org.slug}/integrations/${s.integration.id}` } });
  });

  it("tells a failing credentials check once, and once when it passes again", async () => {
    const s = await setup("creds");
    const failed = { ok: false, steps: [{ id: "credential", label: "Client secret accepted", status: "failed", diagnosis: "AADSTS7000215", detail: "Invalid client secret provided." }] };
    await db.integration.update({ where: { id: s.integration.id }, data: { status: "FAILING", lastCheck: failed } });
    await evaluate(at(0));
    await evaluate(at(1_000));
    await db.integration.update({ where: { id: s.integration.id }, data: { status: "CREDENTIALS_OK", lastCheck: { ok: true, steps: [] } } });
    await evaluate(at(2_000));
    await evaluate(at(3_000));
    const events = await sent(s.org.id);
    expect(events.map((e) => e.type)).toEqual(["integration.credentials_failing", "integration.credentials_recovered"]);
    expect(events[0]!.payload).toMatchObject({ failure: { code: "AADSTS7000215", reason: expect.stringContaining("Invalid client secret") }, mailboxes: 0 });
  });

  it("a paused channel's delivery is recorded as skipped, and a channel not subscribed to the event gets none", async () => {
    const s = await setup("paused");
    const channel = await db.alertChannel.findFirstOrThrow({ where: { orgId: s.org.id } });
    await db.alertChannel.update({ where: { id: channel.id }, data: { status: "PAUSED" } });
    await db.alertChannel.create({ data: { orgId: s.org.id, kind: "WEBHOOK", name: "Recoveries only", url: "https://hooks.example/x", events: ["connection.recovered"] } });
    const id = await savedConnection(db, keyring, s);
    await check(s, id, FAIL, at(0));
    const r = await evaluate(at(GROUP_MS));
    expect(r?.deliveries).toEqual([]);
    const [event] = await sent(s.org.id);
    expect(event!.deliveries).toEqual([expect.objectContaining({ channelId: channel.id, status: "SKIPPED", lastError: expect.stringContaining("paused") })]);
  });

  it("two evaluators at once (two workers) tell a change once", async () => {
    const s = await setup("twice");
    const ids = [await savedConnection(db, keyring, s), await savedConnection(db, keyring, s)];
    for (const id of ids) await check(s, id, PASS, at(0));
    await evaluate(at(100));
    for (const id of ids) await check(s, id, FAIL, at(1_000));
    const results = await Promise.all([evaluate(at(1_000 + GROUP_MS)), evaluate(at(1_000 + GROUP_MS)), evaluate(at(1_000 + GROUP_MS))]);
    expect(results.reduce((n, r) => n + (r?.events ?? 0), 0)).toBe(2);
    expect((await sent(s.org.id)).map((e) => e.type)).toEqual(["connection.failing", "connection.failing"]);
  });
});
