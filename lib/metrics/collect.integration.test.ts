import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import type { Prisma } from "@/generated/prisma/client";
import { metricsResponse } from "./endpoint";
import { readDatabaseGauges } from "./collect";
import { healthReport, workerHealth } from "@/lib/health";

// GET /metrics and the worker part of /api/health over seeded rows (embedded database, or
// PostgreSQL with TEST_DATABASE_URL). Each describe seeds its own org; counts are read per org
// where other tests' rows could add to them.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const TOKEN = "metrics-token-0123456789abcdef";
let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database.close();
});

async function seedOrg(purposes = ["graph-read", "imap", "smtp"]) {
  const s = await orgWithIntegration(database.prisma, keyring, `metrics-${randomBytes(3).toString("hex")}`, { purposes });
  let n = 0;
  const add = (data: Partial<Prisma.ConnectionUncheckedCreateInput> = {}) => {
    n += 1;
    return database.prisma.connection.create({
      data: {
        orgId: s.org.id,
        integrationId: s.integration.id,
        mailbox: `box${n}-${randomBytes(2).toString("hex")}@contoso.test`,
        mailboxKind: "USER",
        tenantId: randomUUID(),
        objectId: randomUUID(),
        upn: `box${n}@contoso.test`,
        consentType: "USER",
        consentedConfigVersion: 1,
        ...data,
      },
    });
  };
  return { ...s, add };
}

const get = (headers: Record<string, string> = {}, opts: { token?: string | undefined; now?: Date } = { token: TOKEN }) =>
  metricsResponse(new Request("http://localhost/metrics", { headers }), { token: opts.token, db: async () => database.prisma, capacityPerWorker: 32, ...(opts.now ? { now: opts.now } : {}) });

describe("GET /metrics: who may scrape", () => {
  it("refuses every request while MAILGRANT_METRICS_TOKEN is unset, and says so", async () => {
    const res = await get({ authorization: `Bearer ${TOKEN}` }, { token: undefined });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("MAILGRANT_METRICS_TOKEN");
  });

  it("answers 401 with WWW-Authenticate without a token, with a wrong one, or with another scheme", async () => {
    for (const headers of [{} as Record<string, string>, { authorization: "Bearer not-the-token-at-all-000" }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }]) {
      const res = await get(headers);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(await res.text()).not.toContain("mailgrant_");
    }
  });
});

describe("GET /metrics: what it reports", () => {
  it("counts connections by health, class and cloud, protocol results and consent, from the rows", async () => {
    const s = await seedOrg();
    for (let i = 0; i < 3; i++) await s.add({ health: "FAILING", healthClass: "blocked", healthCode: "53003", graphResult: "FAILED", imapResult: "FAILED" });
    await s.add({ health: "HEALTHY", graphResult: "OK", imapResult: "OK", smtpResult: "OK" });
    await s.add({ status: "REVOKED" });
    const res = await get({ authorization: `Bearer ${TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Other tests in this file add rows too: this org's numbers are read back below; the names and shapes here.
    for (const name of ["mailgrant_connections", "mailgrant_connection_protocol_results", "mailgrant_connection_consent", "mailgrant_checks_overdue", "mailgrant_checks_oldest_due_seconds", "mailgrant_check_queue_present", "mailgrant_workers_alive", "mailgrant_workers_checks_in_flight", "mailgrant_workers_concurrency_limit", "mailgrant_database_up", "mailgrant_check_duration_seconds", "mailgrant_checks_total", "mailgrant_token_refreshes_total", "mailgrant_alert_channels_paused", "mailgrant_alert_deliveries_pending"]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/^mailgrant_connections\{health="failing",class="blocked",cloud="global"\} \d+$/m);
    expect(text).toMatch(/^mailgrant_database_up 1$/m);
    const g = await readDatabaseGauges(database.prisma);
    const failingBlocked = g.connections.find((c) => c.health === "failing" && c.class === "blocked" && c.cloud === "global");
    expect(failingBlocked?.n).toBe(3);
    expect(text).toContain(`mailgrant_connections{health="failing",class="blocked",cloud="global"} ${failingBlocked?.n}`);
    expect(g.protocols).toEqual(expect.arrayContaining([{ protocol: "graph", result: "failed", n: 3 }, { protocol: "imap", result: "ok", n: 1 }, { protocol: "smtp", result: "ok", n: 1 }]));
    expect(g.consent.find((c) => c.status === "revoked")?.n).toBe(1);
    expect(g.queue).toBeNull();
    expect(text).toMatch(/^mailgrant_check_queue_present 0$/m);
  });

  it("an integration changed since the consent counts as needs_reconsent, as the screens show it", async () => {
    const s = await seedOrg();
    const before = (await readDatabaseGauges(database.prisma)).consent.find((c) => c.status === "needs_reconsent")?.n ?? 0;
    await s.add();
    await database.prisma.integration.update({ where: { id: s.integration.id }, data: { configVersion: 2 } });
    expect((await readDatabaseGauges(database.prisma)).consent.find((c) => c.status === "needs_reconsent")?.n).toBe(before + 1);
  });

  it("reports pg-boss's check queue (depth by state, oldest due job) once its schema exists", async () => {
    const now = new Date("2030-01-01T12:00:00Z");
    await database.prisma.$executeRawUnsafe("CREATE SCHEMA IF NOT EXISTS pgboss");
    // The columns the gauges read, as pg-boss 10 names them (its state is an enum; text reads the same).
    await database.prisma.$executeRawUnsafe("CREATE TABLE IF NOT EXISTS pgboss.job (id uuid primary key, name text not null, state text not null, start_after timestamptz not null)");
    const job = (name: string, state: string, startAfter: Date) =>
      database.prisma.$executeRawUnsafe("INSERT INTO pgboss.job (id, name, state, start_after) VALUES ($1::uuid, $2, $3, $4)", randomUUID(), name, state, startAfter);
    await job("check", "created", new Date(now.getTime() - 90_000));
    await job("check", "created", new Date(now.getTime() + 60_000));
    await job("check", "retry", new Date(now.getTime() - 30_000));
    await job("check", "active", new Date(now.getTime() - 600_000));
    await job("check", "completed", new Date(now.getTime() - 900_000));
    await job("keepalive", "created", new Date(now.getTime() - 900_000));
    const g = await readDatabaseGauges(database.prisma, now);
    expect(g.queue).toEqual({ jobs: [{ state: "created", n: 2 }, { state: "retry", n: 1 }, { state: "active", n: 1 }], oldestDueSeconds: 90 });
    await database.prisma.$executeRawUnsafe("DROP SCHEMA pgboss CASCADE");
  });
});

describe("worker health (/api/health and the worker gauges)", () => {
  const now = new Date("2031-06-01T08:00:00Z");
  const beat = (data: { beatAt: Date; inFlight?: number; stoppedAt?: Date }) =>
    database.prisma.workerHeartbeat.create({ data: { id: randomUUID(), host: "bench", pid: 1, startedAt: new Date(data.beatAt.getTime() - 60_000), ...data } });

  it("says off when this process runs no worker and none beats, stopped when one should, and is still 200", async () => {
    await database.prisma.workerHeartbeat.deleteMany({});
    await beat({ beatAt: new Date(now.getTime() - 31_000), inFlight: 5 }); // stale
    await beat({ beatAt: new Date(now.getTime() - 1_000), inFlight: 7, stoppedAt: new Date(now.getTime() - 500) }); // stopped
    expect(await workerHealth(database.prisma, { workerMode: "off", now })).toMatchObject({ running: false, state: "off", processes: 0, inFlight: 0 });
    expect(await workerHealth(database.prisma, { workerMode: "on", now })).toMatchObject({ running: false, state: "stopped" });
    const report = await healthReport(async () => database.prisma, { workerMode: "off", now });
    expect(report.status).toBe(200);
    expect(report.body).toMatchObject({ status: "ok", database: "ok", worker: { running: false, state: "off" } });
  });

  it("counts live processes and their checks in flight, and how far behind the oldest overdue check is (grants the worker does not check left out)", async () => {
    await database.prisma.workerHeartbeat.deleteMany({});
    await beat({ beatAt: new Date(now.getTime() - 5_000), inFlight: 3 });
    await beat({ beatAt: new Date(now.getTime() - 29_000), inFlight: 4 });
    const s = await seedOrg();
    const future = await s.add({ nextCheckAt: new Date(now.getTime() + 60_000) });
    const revoked = await s.add({ status: "REVOKED", nextCheckAt: new Date(now.getTime() - 86_400_000) });
    const reconsent = await s.add({ status: "NEEDS_RECONSENT", nextCheckAt: new Date(now.getTime() - 86_400_000) });
    await database.prisma.connection.updateMany({ where: { id: { notIn: [future.id, revoked.id, reconsent.id] } }, data: { nextCheckAt: null } });
    expect(await workerHealth(database.prisma, { workerMode: "on", now })).toEqual({ running: true, state: "running", processes: 2, inFlight: 7, behindSeconds: 0 });
    await s.add({ nextCheckAt: new Date(now.getTime() - 42_000) });
    await s.add({ nextCheckAt: new Date(now.getTime() - 2_000) });
    expect((await workerHealth(database.prisma, { workerMode: "on", now })).behindSeconds).toBe(42);
    const g = await readDatabaseGauges(database.prisma, now);
    expect(g).toMatchObject({ overdue: 2, oldestDueSeconds: 42, workers: { processes: 2, inFlight: 7 } });
    const text = await (await get({ authorization: `Bearer ${TOKEN}` }, { token: TOKEN, now })).text();
    expect(text).toMatch(/^mailgrant_workers_alive 2$/m);
    expect(text).toMatch(/^mailgrant_workers_checks_in_flight 7$/m);
    expect(text).toMatch(/^mailgrant_workers_concurrency_limit 64$/m);
    expect(text).toMatch(/^mailgrant_checks_oldest_due_seconds 42$/m);
  });

  it("is 503 when the database does not answer, without touching the worker tables", async () => {
    const report = await healthReport(async () => { throw new Error("down"); }, { workerMode: "on" });
    expect(report).toEqual({ status: 503, body: expect.objectContaining({ status: "degraded", database: "unreachable" }) });
    expect(report.body.worker).toBeUndefined();
  });
});
