import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { CONTOSO_USERS, contosoConnections, fabrikamConnection, until, workerTestDeps } from "@/test-support/worker-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { jitterMs, nextDueAt } from "@/lib/checks/schedule";
import { BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS, recordTenantFailure } from "./backoff";
import { assignSlots, claimDue } from "./scheduler";
import { startWorker, type WorkerHandle } from "./worker";

// The worker in this process, on the embedded database through pg-boss's `db` executor (and on
// PostgreSQL with TEST_DATABASE_URL), against the emulator.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
// A day: the next slot is then (all but surely) beyond the tick horizon, so a tick queues only what a test made due.
const PERIOD_S = 86_400;

let database: Database;
const workers: WorkerHandle[] = [];
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database.close();
});
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  // Grants don't survive the emulator's reset: the next test's worker must not find these.
  await database.prisma.connection.deleteMany({});
  await database.prisma.tenantBackoff.deleteMany({});
});

async function worker(config: Parameters<typeof startWorker>[0]["config"] = {}, stepTimeoutMs = 5000) {
  // The timed tick (a minute) never comes during a test: the tests tick by hand (tickNow) and wait with idle().
  const w = await startWorker({ database, deps: workerTestDeps(emu, keyring, stepTimeoutMs), config: { tickSeconds: 60, intervalOverrideSeconds: PERIOD_S, leaseSeconds: 30, concurrency: 4, ...config } });
  workers.push(w);
  return w;
}

const checksOf = (connectionId: string) => database.prisma.check.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" } });
const row = (id: string) => database.prisma.connection.findUniqueOrThrow({ where: { id } });

describe("worker", () => {
  it("runs on this database (embedded: pg-boss through the db executor): a due connection is checked, recorded as SCHEDULED, and the worker stops", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele], ["graph-read", "imap"]);
    const id = c.ids[0]!;
    const w = await worker();
    expect(await w.tickNow()).toBe(1);
    await w.idle();
    const checks = await checksOf(id);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ trigger: "SCHEDULED", outcome: "PASSED", health: "HEALTHY" });
    const r = await row(id);
    expect(r).toMatchObject({ health: "HEALTHY", graphResult: "OK", imapResult: "OK", checkLeaseOwner: null, checkLeaseUntil: null, status: "CONNECTED" });
    expect((r.lastTest as { ok?: boolean }).ok).toBe(true);
    expect(w.stats()).toMatchObject({ inFlight: 0, capacity: 4, checksDone: 1 });
    const jobs = await database.prisma.$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE name = 'check'`);
    expect(jobs.map((j) => j.state)).toEqual(["completed"]);
    const beat = await database.prisma.workerHeartbeat.findUniqueOrThrow({ where: { id: w.id } });
    expect(beat.stoppedAt).toBeNull();
    // The maintenance jobs are on pg-boss's cron (sent once across workers).
    const schedules = await database.prisma.$queryRawUnsafe<{ name: string; cron: string }[]>(`SELECT name, cron FROM pgboss.schedule ORDER BY name`);
    expect(schedules.map((r) => r.name)).toEqual(["credentials-check", "expiry-scan", "keepalive", "retention", "rollup"]);
    await w.stop();
    workers.length = 0;
    expect((await database.prisma.workerHeartbeat.findUniqueOrThrow({ where: { id: w.id } })).stoppedAt).toBeInstanceOf(Date);
  }, 90_000);

  it("checks a due connection once per period: the next due time is its next slot, and a second tick queues nothing", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const id = c.ids[0]!;
    const w = await worker();
    const due = (await row(id)).nextCheckAt!;
    expect(await w.tickNow()).toBe(1);
    await w.idle();
    const after = await row(id);
    // The slot after the one it was due at (a full period on), plus at most the jitter.
    const slot = nextDueAt(id, PERIOD_S * 1000, due, () => 0).getTime();
    expect(after.nextCheckAt!.getTime()).toBeGreaterThanOrEqual(slot);
    expect(after.nextCheckAt!.getTime()).toBeLessThan(slot + jitterMs(PERIOD_S * 1000) + 1);
    expect(after.nextCheckAt!.getTime()).toBeGreaterThan(Date.now());
    expect(await w.tickNow()).toBe(0);
    await w.idle();
    expect(await checksOf(id)).toHaveLength(1);
    // The next period (as if it had come): checked once more, and only once.
    await database.prisma.connection.update({ where: { id }, data: { nextCheckAt: new Date() } });
    expect(await w.tickNow()).toBe(1);
    expect(await w.tickNow()).toBe(0);
    await w.idle();
    expect(await checksOf(id)).toHaveLength(2);
  }, 90_000);

  it("a connection that needs re-consent is not checked (its health stays)", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const id = c.ids[0]!;
    await database.prisma.connection.update({ where: { id }, data: { status: "NEEDS_RECONSENT", health: "FAILING", healthClass: "needs_reconsent" } });
    const w = await worker();
    expect(await w.tickNow()).toBe(0);
    await w.idle();
    expect(await checksOf(id)).toHaveLength(0);
    expect(await row(id)).toMatchObject({ health: "FAILING", healthClass: "needs_reconsent" });
  }, 60_000);
});

describe("scheduling", () => {
  it("spreads due times over the period (slots from a hash of the id), and claims only what is due by the horizon, once", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `spread-${randomBytes(2).toString("hex")}`);
    const count = 300;
    await database.prisma.connection.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        orgId: s.org.id,
        integrationId: s.integration.id,
        mailbox: `user${i}@spread.test`,
        mailboxKind: "USER" as const,
        tenantId: randomUUID(),
        objectId: randomUUID(),
        upn: `user${i}@spread.test`,
        consentType: "USER" as const,
        requestedScopes: [],
        grantedScopes: [],
        consentedConfigVersion: 1,
      })),
    });
    const now = new Date();
    const periodMs = 30 * 60_000;
    expect(await assignSlots(database.prisma, { now })).toBe(count);
    const due = (await database.prisma.connection.findMany({ where: { orgId: s.org.id }, select: { nextCheckAt: true } })).map((r) => r.nextCheckAt!.getTime() - now.getTime());
    expect(Math.min(...due)).toBeGreaterThan(0);
    expect(Math.max(...due)).toBeLessThanOrEqual(periodMs + jitterMs(periodMs));
    // Ten buckets of three minutes each: about 30 apiece, none empty, none a herd.
    const buckets = Array.from({ length: 10 }, (_, b) => due.filter((d) => Math.min(9, Math.floor(d / (periodMs / 10))) === b).length);
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...buckets)).toBeLessThanOrEqual(60);

    const horizon = new Date(now.getTime() + 60_000);
    const expected = due.filter((d) => d <= 60_000).length;
    const claimed = await claimDue(database.prisma, { now, horizon, staleBefore: new Date(now.getTime() - 3_600_000), limit: 1000 });
    expect(claimed).toHaveLength(expected);
    expect(expected).toBeLessThan(count / 5);
    expect(new Set(claimed.map((c) => c.jobId)).size).toBe(expected);
    expect(await claimDue(database.prisma, { now, horizon, staleBefore: new Date(now.getTime() - 3_600_000), limit: 1000 })).toHaveLength(0);
    // A claim whose job never ran (a worker died between claiming and queueing) is taken again once stale, under a new job id.
    const later = new Date(now.getTime() + 1000);
    const again = await claimDue(database.prisma, { now: later, horizon, staleBefore: later, limit: 1000 });
    expect(again.map((c) => c.connectionId).sort()).toEqual(claimed.map((c) => c.connectionId).sort());
    expect(again.filter((c) => claimed.some((o) => o.jobId === c.jobId))).toEqual([]);
  });
});

describe("tenant limits and backoff", () => {
  it("backs a tenant off for max(Retry-After, 30 s × 2^n) capped at 30 minutes; transient failures only after three in a row; failures during a backoff count once", async () => {
    const tenant = randomUUID();
    const t0 = new Date();
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const transient = { kind: "transient" as const, code: "server_timeout" };
    expect(await recordTenantFailure(database.prisma, tenant, transient, t0)).toBeNull();
    expect(await recordTenantFailure(database.prisma, tenant, transient, at(1))).toBeNull();
    expect(await recordTenantFailure(database.prisma, tenant, transient, at(2))).toEqual(at(32));
    // Others that were in flight come back during the backoff: not another step.
    expect(await recordTenantFailure(database.prisma, tenant, transient, at(3))).toEqual(at(32));
    expect(await recordTenantFailure(database.prisma, tenant, transient, at(40))).toEqual(at(100));
    const throttled = randomUUID();
    expect(await recordTenantFailure(database.prisma, throttled, { kind: "throttled", code: "graph_throttled", retryAfterSeconds: 120 }, t0)).toEqual(at(120));
    expect(await recordTenantFailure(database.prisma, throttled, { kind: "throttled", code: "graph_throttled" }, at(121))).toEqual(at(181));
    expect(await recordTenantFailure(database.prisma, throttled, { kind: "throttled", code: "graph_throttled", retryAfterSeconds: 86_400 }, at(200))).toEqual(at(200 + BACKOFF_CAP_SECONDS));
    expect(await database.prisma.tenantBackoff.findUniqueOrThrow({ where: { tenantId: throttled } })).toMatchObject({ failures: 3, reason: "graph_throttled" });
  });

  it("a throttled tenant (Graph 429 with Retry-After) backs off while another tenant's checks proceed and pass", async () => {
    const contoso = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const fabrikam = await fabrikamConnection(database.prisma, keyring, emu);
    const adele = contoso.ids[0]!;
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 429, retryAfterSeconds: 1, tenant: SEED.contosoId, times: "untilCleared" });
    const w = await worker({ tenantConcurrency: 2 }, 10_000);
    expect(await w.tickNow()).toBe(2);
    await w.idle();

    const [throttled] = await checksOf(adele);
    expect(throttled).toMatchObject({ outcome: "DEGRADED", failureCode: "graph_throttled" });
    const backoff = await database.prisma.tenantBackoff.findUniqueOrThrow({ where: { tenantId: SEED.contosoId } });
    expect(backoff.failures).toBe(1);
    const finished = throttled!.startedAt.getTime() + throttled!.durationMs;
    expect(backoff.until.getTime()).toBeGreaterThanOrEqual(finished + BACKOFF_BASE_SECONDS * 1000 - 1000);
    expect((await row(adele)).nextCheckAt!.getTime()).toBeGreaterThanOrEqual(backoff.until.getTime());
    expect(await checksOf(fabrikam.id)).toMatchObject([{ outcome: "PASSED" }]);
    expect(await database.prisma.tenantBackoff.findUnique({ where: { tenantId: SEED.fabrikamId } })).toBeNull();

    // "Check all now" for both: Fabrikam is checked again at once, Contoso waits for its backoff to end.
    await database.prisma.connection.updateMany({ data: { nextCheckAt: new Date() } });
    expect(await w.tickNow()).toBe(1);
    await w.idle();
    expect(await checksOf(fabrikam.id)).toMatchObject([{ outcome: "PASSED" }, { outcome: "PASSED" }]);
    expect(await checksOf(adele)).toHaveLength(1);
    expect((await row(adele)).nextCheckAt!.getTime()).toBeGreaterThanOrEqual(backoff.until.getTime());

    // Microsoft stops throttling and the backoff runs out: the next check passes and clears it.
    await admin(emu.http, "DELETE", "/faults");
    await database.prisma.tenantBackoff.update({ where: { tenantId: SEED.contosoId }, data: { until: new Date(Date.now() - 1000) } });
    await database.prisma.connection.update({ where: { id: adele }, data: { nextCheckAt: new Date() } });
    expect(await w.tickNow()).toBe(1);
    await w.idle();
    expect(await checksOf(adele)).toMatchObject([{ outcome: "DEGRADED" }, { outcome: "PASSED" }]);
    expect(await database.prisma.tenantBackoff.findUnique({ where: { tenantId: SEED.contosoId } })).toBeNull();
  }, 120_000);

  it("a slow tenant at its concurrency cap does not hold up another tenant's checks", async () => {
    const contoso = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele, CONTOSO_USERS.megan]);
    const fabrikam = await fabrikamConnection(database.prisma, keyring, emu);
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", delayMs: 2500, tenant: SEED.contosoId, times: "untilCleared" });
    const w = await worker({ tenantConcurrency: 1 }, 10_000);
    expect(await w.tickNow()).toBe(3);
    await w.idle();
    const slow = (await database.prisma.check.findMany({ where: { connectionId: { in: contoso.ids } }, orderBy: { startedAt: "asc" } })).map((c) => ({ start: c.startedAt.getTime(), end: c.startedAt.getTime() + c.durationMs }));
    expect(slow).toHaveLength(2);
    // One Contoso check at a time…
    expect(slow[1]!.start).toBeGreaterThanOrEqual(slow[0]!.end);
    // …and Fabrikam's ran while the second one waited for Contoso's slot.
    const [fast] = await checksOf(fabrikam.id);
    expect(fast).toMatchObject({ outcome: "PASSED" });
    expect(fast!.startedAt.getTime()).toBeLessThan(slow[1]!.start);
  }, 120_000);
});

describe("stopping", () => {
  it("stop() gives up a check still running: its lease is released at once and its job handed back, so another worker checks it", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const id = c.ids[0]!;
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", delayMs: 20_000, upn: "adele@contoso.onmicrosoft.com", times: 1 });
    const w1 = await worker({}, 15_000);
    expect(await w1.tickNow()).toBe(1);
    // The check is running: w1 holds the lease and its Graph call is being held by the emulator.
    await until("w1's lease", async () => (await row(id)).checkLeaseOwner === w1.id);
    await until("the slow Graph call", async () => ((await admin(emu.http, "GET", "/faults")).body as unknown as unknown[]).length === 0);
    await w1.stop();
    expect(await row(id)).toMatchObject({ checkLeaseOwner: null, checkLeaseUntil: null });
    expect(await checksOf(id)).toHaveLength(0);
    const queued = await database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'check' AND state = 'created' AND data->>'connectionId' = $1`, id);
    expect(queued[0]!.n).toBe(1);
    const w2 = await worker();
    await w2.idle();
    expect(await checksOf(id)).toMatchObject([{ outcome: "PASSED", trigger: "SCHEDULED" }]);
  }, 90_000);
});
