import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database, Db } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { alertsForConnection } from "./history";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function setup() {
  const s = await orgWithIntegration(database.prisma, keyring, `hist-${randomBytes(3).toString("hex")}`);
  const connectionId = await savedConnection(s.db, keyring, s);
  const hook = await s.db.alertChannel.create({ data: { orgId: s.org.id, kind: "WEBHOOK", name: "Ops hook", url: "https://hooks.example.test/mailgrant", events: ["connection.failing"] } });
  return { ...s, connectionId, hook };
}

const event = (db: Db, orgId: string, connectionId: string | null, type: string, at: Date, data: object = {}, digestId?: string) =>
  db.alertEvent.create({ data: { orgId, connectionId, type, createdAt: at, payload: { id: randomBytes(4).toString("hex"), type, timestamp: at.toISOString(), data }, digestId: digestId ?? null } });

describe("alertsForConnection", () => {
  it("lists the connection's alerts newest first, with labels, a summary and each channel's outcome", async () => {
    const { db, org, connectionId, hook } = await setup();
    const t0 = new Date("2026-03-01T10:00:00Z");
    const failing = await event(db, org.id, connectionId, "connection.failing", t0, { failure: { title: "The grant was revoked" } });
    const recovered = await event(db, org.id, connectionId, "connection.recovered", new Date(t0.getTime() + 60_000));
    const atRisk = await event(db, org.id, connectionId, "connection.at_risk", new Date(t0.getTime() + 120_000), { daysLeft: 1 });
    await db.alertDelivery.create({ data: { orgId: org.id, eventId: failing.id, channelId: hook.id, status: "DELIVERED", attempts: 3, lastStatusCode: 200, deliveredAt: new Date(t0.getTime() + 5_000) } });
    await db.alertDelivery.create({ data: { orgId: org.id, eventId: recovered.id, channelId: hook.id, status: "PENDING", attempts: 1, lastStatusCode: 503, lastError: "The receiver answered 503", nextAttemptAt: new Date(t0.getTime() + 600_000) } });

    const alerts = await alertsForConnection(db, org.id, connectionId);
    expect(alerts.map((a) => [a.id, a.type, a.label, a.summary])).toEqual([
      [atRisk.id, "connection.at_risk", "Mailbox at risk", "1 day left"],
      [recovered.id, "connection.recovered", "Mailbox recovered", null],
      [failing.id, "connection.failing", "Mailbox failing", "The grant was revoked"],
    ]);
    expect(alerts[2]!.deliveries).toEqual([
      expect.objectContaining({ channelId: hook.id, channelName: "Ops hook", channelKind: "WEBHOOK", status: "DELIVERED", attempts: 3, lastStatusCode: 200 }),
    ]);
    expect(alerts[1]!.deliveries[0]).toMatchObject({ status: "PENDING", lastError: "The receiver answered 503", nextAttemptAt: new Date(t0.getTime() + 600_000) });
    expect(alerts[0]!.deliveries).toEqual([]);
  });

  it("honours the limit and shows events folded into a tenant digest", async () => {
    const { db, org, connectionId } = await setup();
    const digest = await db.tenantAlert.create({ data: { orgId: org.id, tenantId: "tenant-x", members: 5 } });
    for (let i = 0; i < 4; i++) await event(db, org.id, connectionId, "connection.failing", new Date(Date.UTC(2026, 2, 1, 10, i)), {}, i === 3 ? digest.id : undefined);
    const alerts = await alertsForConnection(db, org.id, connectionId, { limit: 2 });
    expect(alerts).toHaveLength(2);
    expect(alerts.map((a) => a.inDigest)).toEqual([true, false]);
  });

  it("reads within the org: another org's events, and other connections' events, are left out", async () => {
    const a = await setup();
    const b = await setup();
    const other = await savedConnection(a.db, keyring, a);
    await event(a.db, a.org.id, other, "connection.failing", new Date());
    await event(a.db, a.org.id, null, "integration.secret_expiring", new Date());
    // A row claiming org B for A's connection (never written by the app) stays invisible to B and to A.
    await event(a.db, b.org.id, a.connectionId, "connection.failing", new Date());
    expect(await alertsForConnection(a.db, a.org.id, a.connectionId)).toEqual([]);
    expect(await alertsForConnection(b.db, b.org.id, a.connectionId)).toHaveLength(1);
    expect(await alertsForConnection(b.db, a.org.id, b.connectionId)).toEqual([]);
  });

  it("labels an unknown event type with the type itself", async () => {
    const { db, org, connectionId } = await setup();
    await event(db, org.id, connectionId, "connection.something_new", new Date());
    expect((await alertsForConnection(db, org.id, connectionId))[0]).toMatchObject({ label: "connection.something_new", summary: null });
  });
});
