import { randomBytes, randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database, Db } from "@/lib/db-client";
import type { CheckOutcome } from "@/generated/prisma/enums";
import { parseKeyring } from "@/lib/crypto";
import { dailyCutoff, rollUpAndPrune } from "./retention";

// Retention on a fresh database per test: raw checks of whole UTC days before the cutoff become
// one CheckDaily row per connection and day (counts, p50/p95, failure codes), the raw rows go,
// newer ones stay; daily rows older than 13 months go.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const NOW = new Date("2026-03-15T12:00:00Z");
const OPTS = { now: NOW, retentionDays: 30, dailyRetentionMonths: 13 };

let database: Database;
let db: Db;
beforeEach(async () => { database = await openTestDb(); db = database.prisma; });
afterEach(async () => { await database.close(); });

async function twoConnections() {
  const s = await orgWithIntegration(db, keyring, `retention-${randomBytes(3).toString("hex")}`);
  return { s, a: await savedConnection(db, keyring, s), b: await savedConnection(db, keyring, s) };
}

type Seed = [startedAt: string, durationMs: number, outcome: CheckOutcome, failureCode?: string];
async function checks(orgId: string, connectionId: string, rows: Seed[]) {
  await db.check.createMany({
    data: rows.map(([startedAt, durationMs, outcome, failureCode]) => ({
      connectionId, orgId, trigger: "SCHEDULED" as const, startedAt: new Date(startedAt), durationMs, outcome, steps: [],
      failureCode: failureCode ?? null, failureClass: failureCode ? (outcome === "DEGRADED" ? "transient" : "blocked") : null, health: "HEALTHY" as const,
    })),
  });
}

const daily = () =>
  db.checkDaily.findMany({ orderBy: [{ day: "asc" }, { connectionId: "asc" }] }).then((rows) =>
    rows.map((r) => ({ connectionId: r.connectionId, day: r.day.toISOString().slice(0, 10), total: r.total, passed: r.passed, degraded: r.degraded, failed: r.failed, p50Ms: r.p50Ms, p95Ms: r.p95Ms, failureCodes: r.failureCodes })),
  );

describe("retention", () => {
  it("rolls whole UTC days before the cutoff into CheckDaily and deletes those raw rows, keeping newer ones", async () => {
    const { s, a, b } = await twoConnections();
    await checks(s.org.id, a, [
      ["2026-02-01T00:00:00.000Z", 100, "PASSED"],
      ["2026-02-01T08:30:00.000Z", 300, "PASSED"],
      ["2026-02-01T09:00:00.000Z", 200, "PASSED"],
      ["2026-02-01T12:00:00.000Z", 400, "DEGRADED", "timeout"],
      ["2026-02-01T18:00:00.000Z", 500, "DEGRADED", "timeout"],
      ["2026-02-01T23:59:59.999Z", 1000, "FAILED", "AADSTS53003"],
      // The last instant of the day before the cutoff day (13 Feb, 30 days before 15 Mar 12:00, from midnight).
      ["2026-02-12T23:59:59.999Z", 50, "PASSED"],
      ["2026-02-13T00:00:00.000Z", 60, "PASSED"],
      ["2026-03-14T10:00:00.000Z", 70, "PASSED"],
    ]);
    await checks(s.org.id, b, [
      ["2026-01-20T05:00:00.000Z", 70, "FAILED", "graph:ErrorAccessDenied"],
      ["2026-02-01T01:00:00.000Z", 10, "PASSED"],
      ["2026-02-01T02:00:00.000Z", 30, "PASSED"],
    ]);

    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 4, checksDeleted: 10, dailyDeleted: 0, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 });
    const rows = await daily();
    const want = [
      { connectionId: b, day: "2026-01-20", total: 1, passed: 0, degraded: 0, failed: 1, p50Ms: 70, p95Ms: 70, failureCodes: { "graph:ErrorAccessDenied": 1 } },
      // percentile_cont: p50 of 100…1000 (six values) is halfway between 300 and 400; p95 is 3/4 of the way from 500 to 1000.
      { connectionId: a, day: "2026-02-01", total: 6, passed: 3, degraded: 2, failed: 1, p50Ms: 350, p95Ms: 875, failureCodes: { timeout: 2, AADSTS53003: 1 } },
      { connectionId: b, day: "2026-02-01", total: 2, passed: 2, degraded: 0, failed: 0, p50Ms: 20, p95Ms: 29, failureCodes: {} },
      { connectionId: a, day: "2026-02-12", total: 1, passed: 1, degraded: 0, failed: 0, p50Ms: 50, p95Ms: 50, failureCodes: {} },
    ];
    expect(rows).toEqual(want.sort((x, y) => x.day.localeCompare(y.day) || x.connectionId.localeCompare(y.connectionId)));
    expect((await db.checkDaily.findMany()).every((r) => r.orgId === s.org.id)).toBe(true);
    const kept = await db.check.findMany({ orderBy: { startedAt: "asc" }, select: { connectionId: true, startedAt: true } });
    expect(kept).toEqual([
      { connectionId: a, startedAt: new Date("2026-02-13T00:00:00.000Z") },
      { connectionId: a, startedAt: new Date("2026-03-14T10:00:00.000Z") },
    ]);

    // A second run finds nothing; rows that turn up later for a rolled-up day merge into it.
    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 0, checksDeleted: 0, dailyDeleted: 0, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 });
    await checks(s.org.id, a, [
      ["2026-02-01T20:00:00.000Z", 600, "PASSED"],
      ["2026-02-01T21:00:00.000Z", 800, "DEGRADED", "timeout"],
    ]);
    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 1, checksDeleted: 2, dailyDeleted: 0, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 });
    const merged = (await daily()).find((r) => r.connectionId === a && r.day === "2026-02-01");
    // Counts and codes add up; percentiles are weighted by count: (350·6 + 700·2) / 8 and (875·6 + 790·2) / 8.
    expect(merged).toMatchObject({ total: 8, passed: 4, degraded: 3, failed: 1, p50Ms: 438, p95Ms: 854, failureCodes: { timeout: 3, AADSTS53003: 1 } });
  });

  it("deletes daily rows older than 13 months and keeps the rest", async () => {
    const { s, a, b } = await twoConnections();
    const row = (connectionId: string, day: string) => ({ connectionId, orgId: s.org.id, day: new Date(`${day}T00:00:00Z`), total: 1, passed: 1, degraded: 0, failed: 0, p50Ms: 1, p95Ms: 1, failureCodes: {} });
    await db.checkDaily.createMany({ data: [row(a, "2024-12-01"), row(b, "2025-02-14"), row(a, "2025-02-15"), row(b, "2026-03-01")] });
    expect(dailyCutoff(NOW, 13).toISOString().slice(0, 10)).toBe("2025-02-15");
    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 0, checksDeleted: 0, dailyDeleted: 2, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 });
    expect((await daily()).map((r) => r.day)).toEqual(["2025-02-15", "2026-03-01"]);
  });

  it("deletes token history (ConnectionEvent) older than the raw checks' retention and keeps newer events", async () => {
    const { a } = await twoConnections();
    const event = (createdAt: string) => ({ connectionId: a, kind: "refreshed", resource: "graph", createdAt: new Date(createdAt) });
    await db.connectionEvent.deleteMany({});
    await db.connectionEvent.createMany({ data: [event("2026-01-01T00:00:00Z"), event("2026-02-12T23:59:59.999Z"), event("2026-02-13T00:00:00Z"), event("2026-03-15T11:00:00Z")] });
    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 0, checksDeleted: 0, dailyDeleted: 0, eventsDeleted: 2, alertsDeleted: 0, outboxDeleted: 0 });
    expect((await db.connectionEvent.findMany({ orderBy: { createdAt: "asc" } })).map((e) => e.createdAt.toISOString())).toEqual(["2026-02-13T00:00:00.000Z", "2026-03-15T11:00:00.000Z"]);
  });

  it("works through connections in batches: every one of 450 connections is rolled up", async () => {
    const s = await orgWithIntegration(db, keyring, `retention-many-${randomBytes(3).toString("hex")}`);
    const ids = Array.from({ length: 450 }, () => randomUUID());
    await db.connection.createMany({
      data: ids.map((id, i) => ({ id, orgId: s.org.id, integrationId: s.integration.id, mailbox: `bulk${i}@contoso.test`, mailboxKind: "USER" as const, tenantId: randomUUID(), objectId: randomUUID(), upn: `bulk${i}@contoso.test`, consentType: "USER" as const, requestedScopes: [], grantedScopes: [], consentedConfigVersion: 1 })),
    });
    await db.check.createMany({
      data: ids.flatMap((connectionId) => ["2026-01-05T10:00:00Z", "2026-01-06T10:00:00Z", "2026-03-10T10:00:00Z"].map((at) => ({ connectionId, orgId: s.org.id, trigger: "SCHEDULED" as const, startedAt: new Date(at), durationMs: 5, outcome: "PASSED" as const, steps: [], health: "HEALTHY" as const }))),
    });
    expect(await rollUpAndPrune(db, OPTS)).toEqual({ daysRolledUp: 900, checksDeleted: 900, dailyDeleted: 0, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 });
    expect(await db.check.count()).toBe(450);
    expect(await db.checkDaily.count({ where: { total: 1, p50Ms: 5 } })).toBe(900);
  });

  it("deletes alerts (with their deliveries and attempts) after 90 days and the demo outbox after a week", async () => {
    const { s } = await twoConnections();
    await db.alertEvent.deleteMany({});
    await db.outboxMail.deleteMany({});
    const channel = await db.alertChannel.findFirstOrThrow({ where: { orgId: s.org.id } });
    const event = async (createdAt: string) => {
      const e = await db.alertEvent.create({ data: { orgId: s.org.id, type: "connection.failing", payload: {}, createdAt: new Date(createdAt) } });
      const d = await db.alertDelivery.create({ data: { orgId: s.org.id, eventId: e.id, channelId: channel.id, status: "DELIVERED", attempts: 1 } });
      await db.alertAttempt.create({ data: { deliveryId: d.id, attempt: 1, durationMs: 3 } });
    };
    const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
    await event(days(91));
    await event(days(89));
    await db.outboxMail.createMany({ data: [{ to: ["a@b.test"], subject: "old", text: "x", createdAt: new Date(days(8)) }, { to: ["a@b.test"], subject: "new", text: "x", createdAt: new Date(days(6)) }] });
    expect(await rollUpAndPrune(db, OPTS)).toMatchObject({ alertsDeleted: 1, outboxDeleted: 1 });
    expect(await db.alertEvent.count()).toBe(1);
    expect(await db.alertDelivery.count({ where: { orgId: s.org.id } })).toBe(1);
    expect(await db.alertAttempt.count()).toBe(1);
    expect((await db.outboxMail.findMany()).map((m) => m.subject)).toEqual(["new"]);
  });
});
