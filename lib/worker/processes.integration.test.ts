import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupTestEmulator, admin } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { CONTOSO_USERS, contosoConnections, fabrikamConnection, until } from "@/test-support/worker-fixtures";
import { startWorkerProcess, type WorkerProcess } from "@/test-support/worker-process";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { getAccessToken } from "@/lib/connections/tokens";
import { checkJobId } from "./scheduler";

// Real worker processes (`npm run worker`, i.e. scripts/worker.ts) on one PostgreSQL database:
// exactly once with two of them, a SIGKILL in the middle of a check, and SIGTERM. The embedded
// database allows one process, so with it the worker runs inside npm start and these are skipped
// (worker.integration.test.ts covers the embedded worker, including stop() mid-check).

const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const emu = setupTestEmulator();
const keys = `k1:${randomBytes(32).toString("base64")}`;
const keyring = parseKeyring(keys);

let database: Database;
const children: ChildProcess[] = [];
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await database.close();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null || c.signalCode !== null) continue;
    const exited = new Promise((resolve) => c.once("exit", resolve));
    c.kill("SIGKILL");
    await exited;
  }
  await database.prisma.connection.deleteMany({});
});

async function workerProcess(env: Record<string, string> = {}) {
  const p = await startWorkerProcess({
    DATABASE_URL: database.url,
    MAILGRANT_ENCRYPTION_KEYS: keys,
    MICROSOFT_ENDPOINT_BASE: emu.httpsUrl,
    MICROSOFT_MAIL_HOST: emu.mailHost,
    MICROSOFT_IMAP_PORT: String(emu.imapPort),
    MICROSOFT_POP_PORT: String(emu.popPort),
    MICROSOFT_SMTP_PORT: String(emu.smtpPort),
    MAILGRANT_SCHEDULER_TICK_SECONDS: "1",
    MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS: "86400",
    LOG_LEVEL: "debug",
    ...env,
  }, { spawned: children });
  return p;
}

const row = (id: string) => database.prisma.connection.findUniqueOrThrow({ where: { id } });
const checksOf = (connectionId: string) => database.prisma.check.findMany({ where: { connectionId }, orderBy: { startedAt: "asc" } });
const faultsLeft = async () => ((await admin(emu.http, "GET", "/faults")).body as unknown as unknown[]).length;

describe("npm run worker", () => {
  it("refuses the embedded database with what to do instead", async () => {
    const started = startWorkerProcess({ DATABASE_URL: "pglite:memory", MAILGRANT_ENCRYPTION_KEYS: keys }, { spawned: children });
    await expect(started).rejects.toThrow(/The embedded database allows one process: with it the worker runs inside npm start\. Point DATABASE_URL at PostgreSQL to run workers separately\./);
    expect(children.at(-1)!.exitCode).toBe(1);
  });
});

describe.skipIf(!onPostgres)("worker processes on PostgreSQL (skipped on the embedded database: it allows one process)", () => {
  it("two workers check each due connection exactly once per period, never both at once", async () => {
    const periodS = 10;
    const contoso = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele, CONTOSO_USERS.megan, CONTOSO_USERS.lee]);
    const fabrikam = await fabrikamConnection(database.prisma, keyring, emu);
    const ids = [...contoso.ids, fabrikam.id];
    // One check at a time per worker, each about 2 s (Graph answers 1 s late): when four come due at
    // once, both workers must take some, and they contend for every claim and job from then on.
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", delayMs: 1000, times: "untilCleared" });
    const env = { MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS: String(periodS), MAILGRANT_WORKER_CONCURRENCY: "1" };
    const [a, b] = await Promise.all([workerProcess(env), workerProcess(env)]);
    // Both are up: everything is due now, and both tick every second from here on.
    await database.prisma.connection.updateMany({ where: { id: { in: ids } }, data: { nextCheckAt: new Date() } });
    const rounds = 4;
    await until("four checks of every connection", async () => (await Promise.all(ids.map(async (id) => (await checksOf(id)).length >= rounds))).every(Boolean), 120_000, 250);
    a!.child.kill("SIGTERM");
    b!.child.kill("SIGTERM");
    expect((await a!.exited).code).toBe(0);
    expect((await b!.exited).code).toBe(0);

    for (const id of ids) {
      const checks = (await checksOf(id)).map((c) => ({ start: c.startedAt.getTime(), end: c.startedAt.getTime() + c.durationMs, outcome: c.outcome }));
      expect(checks.every((c) => c.outcome === "PASSED")).toBe(true);
      for (let i = 1; i < checks.length; i += 1) {
        // Never two at once…
        expect(checks[i]!.start).toBeGreaterThanOrEqual(checks[i - 1]!.end);
        // …and from the second check on, one per period (the first was due at an arbitrary time, the rest at the slot).
        if (i >= 2) expect(checks[i]!.start - checks[i - 1]!.start).toBeGreaterThan((periodS * 1000) / 2);
      }
      expect(await row(id)).toMatchObject({ checkLeaseOwner: null, status: "CONNECTED", health: "HEALTHY" });
    }
    const ran = (p: WorkerProcess) => p.logged("check job finished").filter((r) => r.result === "checked").length;
    expect(ran(a!) + ran(b!)).toBe((await database.prisma.check.count({ where: { connectionId: { in: ids } } })));
    expect(ran(a!)).toBeGreaterThan(0);
    expect(ran(b!)).toBeGreaterThan(0);
  }, 180_000);

  it("a worker killed in the middle of a check loses nothing: the grant still works and another worker checks it once the lease runs out", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const id = c.ids[0]!;
    // The check's Graph call is held for 20 s: long enough to kill the worker while it waits.
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", delayMs: 20_000, upn: "adele@contoso.onmicrosoft.com", times: 1 });
    const lease = { MAILGRANT_CHECK_LEASE_SECONDS: "10" };
    const a = await workerProcess(lease);
    const held = await until("a's lease", async () => {
      const r = await row(id);
      return r.checkLeaseOwner === a.id ? r : null;
    });
    await until("the held Graph call", async () => (await faultsLeft()) === 0);
    a.child.kill("SIGKILL");
    expect((await a.exited).signal).toBe("SIGKILL");
    // What a crash leaves: the lease (it runs out by itself) and no check.
    expect(await row(id)).toMatchObject({ checkLeaseOwner: a.id, status: "CONNECTED" });
    expect(await checksOf(id)).toHaveLength(0);

    const b = await workerProcess(lease);
    const [check] = await until("b's check", async () => {
      const cs = await checksOf(id);
      return cs.length ? cs : null;
    }, 120_000, 250);
    expect(check).toMatchObject({ outcome: "PASSED", trigger: "SCHEDULED" });
    expect(await checksOf(id)).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: "CONNECTED", health: "HEALTHY", checkLeaseOwner: null });
    // pg-boss retried a's job once it expired (expireInSeconds = the lease), and it ended completed.
    const jobId = checkJobId(id, held.checkQueuedFor!);
    const job = await until("a's job, completed", async () => {
      const rows = await database.prisma.$queryRawUnsafe<{ state: string; retry_count: number }[]>(`SELECT state::text, retry_count FROM pgboss.job WHERE name = 'check' AND id = $1::uuid`, jobId);
      return rows[0]?.state === "completed" ? rows[0] : null;
    });
    expect(job.retry_count).toBeGreaterThanOrEqual(1);
    // The grant is intact: a fresh refresh works.
    const token = await getAccessToken({ db: database.prisma, keyring, hostMap: hostMapFromBase(emu.httpsUrl) }, c.org.id, id, "graph", { force: true });
    expect(token.ok).toBe(true);
    b.child.kill("SIGTERM");
    expect((await b.exited).code).toBe(0);
  }, 180_000);

  it("SIGTERM stops taking work and releases a check still running, then the process exits", async () => {
    const c = await contosoConnections(database.prisma, keyring, emu, [CONTOSO_USERS.adele]);
    const id = c.ids[0]!;
    await admin(emu.http, "POST", "/faults", { endpoint: "graph", delayMs: 30_000, upn: "adele@contoso.onmicrosoft.com", times: 1 });
    // The default lease (5 minutes): what frees the connection is the stop, not the lease running out.
    const w = await workerProcess();
    await until("the lease", async () => (await row(id)).checkLeaseOwner === w.id);
    await until("the held Graph call", async () => (await faultsLeft()) === 0);
    w.child.kill("SIGTERM");
    // A generous guard only (it takes about 8 s: 7 s for the check to finish, then release and pg-boss's stop).
    const guard = new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 30_000).unref());
    const exit = await Promise.race([w.exited, guard]);
    expect(exit).toEqual({ code: 0, signal: null });
    console.log(w.lines.find((l) => l.startsWith("worker stopped")));
    expect(await row(id)).toMatchObject({ checkLeaseOwner: null, checkLeaseUntil: null, status: "CONNECTED" });
    expect(await checksOf(id)).toHaveLength(0);
    const queued = await database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'check' AND state = 'created' AND data->>'connectionId' = $1`, id);
    expect(queued[0]!.n).toBe(1);
    const beat = await database.prisma.workerHeartbeat.findUniqueOrThrow({ where: { id: w.id } });
    expect(beat.stoppedAt).toBeInstanceOf(Date);
  }, 120_000);
});
