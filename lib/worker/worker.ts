import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type PgBoss from "pg-boss";
import type { Database } from "@/lib/db-client";
import type { TestDeps } from "@/lib/connections/connection-test";
import { logger } from "@/lib/logger";
import { metrics } from "@/lib/metrics/metrics";
import { keepAliveSweep } from "./jobs/keepalive";
import { scanExpiries } from "./jobs/expiry-scan";
import { rollUpAndPrune } from "./jobs/retention";
import { credentialsSweep } from "./jobs/credentials-check";
import { runRollup } from "@/lib/checks/rollup";
import type { AlertDeps } from "@/lib/alerts/deps";
import { startAlertsLoop, type AlertsLoop } from "./alerts-loop";
import { workerConfig, type WorkerConfig } from "./config";
import { CHECK_QUEUE, CREDENTIALS_CHECK_QUEUE, EXPIRY_SCAN_QUEUE, KEEPALIVE_QUEUE, QUEUES, RETENTION_QUEUE, ROLLUP_QUEUE, createBoss, ensureQueues } from "./boss";
import { assignSlots, claimDue, countDue, deferBackedOffTenants, hashUuid, type ClaimedCheck } from "./scheduler";
import { runCheckJob, type CheckJobData, type CheckJobResult } from "./check-job";
import { BackoffClearer } from "./backoff";
import { KeyedLimit } from "./limiter";

// The background worker: a scheduler tick that turns due connections into pg-boss jobs, and a
// dispatcher that runs them under three limits. It runs inside `npm start` (the embedded database
// allows one process) or as `npm run worker` processes on PostgreSQL, any number of them.
//
// The dispatcher fetches jobs itself instead of boss.work(), whose batch completes or fails as a
// whole: each check is completed or failed on its own, a job waiting for its tenant's slot waits
// in memory without holding a global slot, and jobs of other tenants run past it.

export type WorkerHandle = {
  id: string;
  stop(): Promise<void>;
  stats(): { inFlight: number; capacity: number; checksDone: number };
  /** Runs one scheduler tick now; returns how many jobs it queued. */
  tickNow(): Promise<number>;
  /** Resolves when nothing is due, queued or in flight (tests and the benchmark). */
  idle(): Promise<void>;
  /** Evaluates alerts now (each tick does it too); resolves when the deliveries are queued. */
  alertsNow(): Promise<void>;
};

export type StartWorkerOptions = {
  database: Database;
  deps: Omit<TestDeps, "db">;
  /** Alerting (events, deliveries, self-healing links); without it this worker sends no alerts. */
  alerts?: AlertDeps;
  config?: Partial<WorkerConfig>;
  id?: string;
  now?: () => Date;
};

/** Within the 10 s a stop has: this long for checks in flight to finish, the rest for pg-boss. */
const STOP_DRAIN_MS = 7_000;
const STOP_TOTAL_MS = 9_500;
const HEARTBEAT_MS = 10_000;
const POLL_MS = 1_000;
const CLAIM_BATCH = 1_000;
const CRON = { [KEEPALIVE_QUEUE]: "7 * * * *", [EXPIRY_SCAN_QUEUE]: "17 * * * *", [CREDENTIALS_CHECK_QUEUE]: "27 4 * * *", [RETENTION_QUEUE]: "37 4 * * *", [ROLLUP_QUEUE]: "*/5 * * * *" } as const;

type Held = { job: PgBoss.Job<CheckJobData>; fetchedAt: number };
type Running = Held & { promise: Promise<void>; abandoned: boolean };

const timeout = (ms: number) => {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return { promise, cancel: () => clearTimeout(timer) };
};

export async function startWorker(opts: StartWorkerOptions): Promise<WorkerHandle> {
  const config: WorkerConfig = { ...workerConfig(), ...opts.config };
  const now = opts.now ?? (() => new Date());
  const id = opts.id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
  const db = opts.database.prisma;
  const log = logger.child({ worker: id });
  const m = metrics();
  const leaseMs = config.leaseSeconds * 1000;
  // pg-boss retries a job whose worker died once it expires (expireInSeconds = the lease); its
  // maintenance, which notices, runs this often. A claim whose job never ran is taken over after staleMs.
  const jobOptions = { expireInSeconds: config.leaseSeconds, retryLimit: 5, retryDelay: Math.min(60, Math.max(2, Math.round(config.leaseSeconds / 5))) };
  const staleMs = Math.max(3 * leaseMs, 4 * config.tickSeconds * 1000);
  const maxWaitMs = Math.max(5_000, leaseMs / 3);
  const bufferCap = config.concurrency * 2;

  const boss = createBoss(opts.database, { maintenanceIntervalSeconds: Math.min(120, Math.max(2, Math.floor(config.leaseSeconds / 2))) });
  boss.on("error", (err) => log.warn({ err }, "pg-boss error"));
  await boss.start();
  await ensureQueues(boss, QUEUES.map((q) => ({ name: q, ...(q === CHECK_QUEUE ? jobOptions : { expireInSeconds: 3600, retryLimit: 1 }) })));

  const startedAt = now();
  const tenants = new KeyedLimit(config.tenantConcurrency);
  // Keyed by mailbox: each check runs its steps one after another, so a check is one request in
  // flight at a time, and mailboxConcurrency checks per mailbox keep its requests within Graph's
  // limit of 4 (several connections may share a mailbox, one per integration).
  const mailboxes = new KeyedLimit(config.mailboxConcurrency);
  const waiting: Held[] = [];
  const running = new Map<string, Running>();
  const clearer = new BackoffClearer();
  let checksDone = 0;
  let stopping = false;
  let pumping = false;
  let pumpAgain = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let changed: (() => void)[] = [];
  const notify = () => {
    const c = changed;
    changed = [];
    for (const f of c) f();
  };
  const tenantKey = (d: CheckJobData) => d.tenantId;
  const mailboxKey = (d: CheckJobData) => `${d.tenantId}|${d.mailbox.toLowerCase()}`;
  const gauge = () => m.workerInFlight.set(running.size);
  m.workerCapacity.set(config.concurrency);
  gauge();

  /** Hands a job back to pg-boss as a new job (its own id, no retry used up), startAfter `delayMs` from now. */
  async function requeue(job: PgBoss.Job<CheckJobData>, delayMs: number) {
    await boss.insert([{ id: hashUuid(`${job.id}|requeue`), name: CHECK_QUEUE, data: job.data, startAfter: new Date(Date.now() + delayMs).toISOString(), ...jobOptions }]);
    await boss.complete(CHECK_QUEUE, job.id);
  }
  const requeueQuietly = (job: PgBoss.Job<CheckJobData>, delayMs: number) =>
    requeue(job, delayMs).catch((err: unknown) => log.warn({ err, connectionId: job.data.connectionId }, "could not hand a check job back; pg-boss retries it when it expires"));

  function finish(r: Running, result: CheckJobResult | null, err?: unknown) {
    const { job } = r;
    if (r.abandoned) return Promise.resolve();
    if (err) log.error({ err, connectionId: job.data.connectionId, orgId: job.data.orgId }, "check job failed");
    const done = !result || result.kind === "busy" ? boss.fail(CHECK_QUEUE, job.id, { reason: result?.kind ?? String((err as Error)?.message ?? err) }) : boss.complete(CHECK_QUEUE, job.id);
    return done.catch((e: unknown) => log.warn({ err: e, connectionId: job.data.connectionId }, "could not complete a check job"));
  }

  function start(h: Held) {
    const d = h.job.data;
    tenants.take(tenantKey(d));
    mailboxes.take(mailboxKey(d));
    const r: Running = { ...h, abandoned: false, promise: Promise.resolve() };
    running.set(h.job.id, r);
    gauge();
    r.promise = (async () => {
      let result: CheckJobResult | null = null;
      let error: unknown;
      try {
        result = await runCheckJob({ db, deps: opts.deps, workerId: id, leaseSeconds: config.leaseSeconds, now, clearer, keep: () => !r.abandoned, ...(config.intervalOverrideSeconds ? { intervalOverrideSeconds: config.intervalOverrideSeconds } : {}) }, d);
        if (result.kind === "checked") {
          checksDone += 1;
          const outcome = result.outcome.toLowerCase();
          m.checks.inc({ outcome, trigger: "scheduled" });
          m.checkDuration.observe({ outcome, trigger: "scheduled" }, result.durationMs / 1000);
        }
      } catch (e) {
        error = e;
      }
      log.debug({ connectionId: d.connectionId, orgId: d.orgId, result: result?.kind ?? "error", ...(result?.kind === "checked" ? { outcome: result.outcome } : {}) }, "check job finished");
      await finish(r, result, error);
      running.delete(h.job.id);
      tenants.give(tenantKey(d));
      mailboxes.give(mailboxKey(d));
      gauge();
      notify();
      void pump();
    })();
  }

  /** Starts waiting jobs in arrival order wherever their tenant and mailbox have room; hands back those that waited too long. */
  function startRunnable() {
    const t = Date.now();
    for (let i = 0; i < waiting.length && running.size < config.concurrency; ) {
      const h = waiting[i]!;
      if (t - h.fetchedAt > maxWaitMs) {
        waiting.splice(i, 1);
        void requeueQuietly(h.job, 0);
        continue;
      }
      if (tenants.free(tenantKey(h.job.data)) && mailboxes.free(mailboxKey(h.job.data))) {
        waiting.splice(i, 1);
        start(h);
        continue;
      }
      i += 1;
    }
  }

  function hold(job: PgBoss.Job<CheckJobData>) {
    const t = tenantKey(job.data);
    // A tenant with more waiting than it may run soon goes back to pg-boss, so one big tenant cannot fill the buffer.
    if (stopping || waiting.filter((h) => tenantKey(h.job.data) === t).length >= config.tenantConcurrency * 2) {
      void requeueQuietly(job, stopping ? 0 : 2_000);
      return;
    }
    waiting.push({ job, fetchedAt: Date.now() });
  }

  // Jobs queued ahead of their due time: look for them when the first comes due, not at the next poll.
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeTime = Infinity;
  function wakeAt(t: number) {
    if (stopping || t >= wakeTime || t <= Date.now()) return;
    if (wakeTimer) clearTimeout(wakeTimer);
    wakeTime = t;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      wakeTime = Infinity;
      void pump();
    }, t - Date.now() + 5);
    wakeTimer.unref();
  }

  function schedulePoll() {
    if (stopping || pollTimer) return;
    pollTimer = setTimeout(() => {
      pollTimer = undefined;
      void pump();
    }, POLL_MS);
  }

  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        startRunnable();
        if (stopping) break;
        const free = config.concurrency - running.size;
        const room = bufferCap - waiting.length;
        if (free <= 0) break;
        if (room <= 0) {
          schedulePoll();
          break;
        }
        const jobs = await boss.fetch<CheckJobData>(CHECK_QUEUE, { batchSize: Math.min(free, room) });
        for (const job of jobs) hold(job);
        if (jobs.length) pumpAgain = true;
        else schedulePoll();
      } while (pumpAgain && !stopping);
    } catch (err) {
      log.warn({ err }, "fetching check jobs failed");
      schedulePoll();
    } finally {
      pumping = false;
    }
  }

  const toJob = (c: ClaimedCheck): PgBoss.JobInsert<CheckJobData> => ({
    id: c.jobId,
    name: CHECK_QUEUE,
    data: { connectionId: c.connectionId, orgId: c.orgId, tenantId: c.tenantId, mailbox: c.mailbox, intervalMinutes: c.intervalMinutes, due: c.due.toISOString() },
    startAfter: c.due.toISOString(),
    ...jobOptions,
  });

  let ticking: Promise<number> | null = null;
  function tickNow(): Promise<number> {
    ticking ??= (async () => {
      const t = now();
      const horizon = new Date(t.getTime() + config.tickSeconds * 1000);
      await assignSlots(db, { now: t, ...(config.intervalOverrideSeconds ? { overrideSeconds: config.intervalOverrideSeconds } : {}) });
      await deferBackedOffTenants(db, { now: t, horizon });
      let queued = 0;
      for (let round = 0; round < 20; round += 1) {
        const claimed = await claimDue(db, { now: t, horizon, staleBefore: new Date(t.getTime() - staleMs), limit: CLAIM_BATCH });
        // Inserted after the claim committed (never inside a transaction: PGlite would wait on itself).
        if (claimed.length) await boss.insert(claimed.map(toJob));
        queued += claimed.length;
        for (const c of claimed) wakeAt(c.due.getTime());
        if (claimed.length < CLAIM_BATCH) break;
      }
      void pump();
      return queued;
    })().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  const beat = (extra: { stoppedAt?: Date } = {}) => {
    const data = { host: hostname(), pid: process.pid, startedAt, beatAt: now(), inFlight: running.size, ...extra };
    return db.workerHeartbeat.upsert({ where: { id }, create: { id, ...data }, update: data }).catch((err: unknown) => log.warn({ err }, "heartbeat failed"));
  };
  await beat();

  const tokenDeps = { db, keyring: opts.deps.keyring, ...(opts.deps.hostMap ? { hostMap: opts.deps.hostMap } : {}) };
  const maintenance = { pollingIntervalSeconds: 30, batchSize: 1 };
  await boss.work(KEEPALIVE_QUEUE, maintenance, async () => keepAliveSweep(tokenDeps, {}));
  await boss.work(EXPIRY_SCAN_QUEUE, maintenance, async () => scanExpiries(db, {}));
  await boss.work(CREDENTIALS_CHECK_QUEUE, maintenance, async () => credentialsSweep(tokenDeps, {}));
  await boss.work(RETENTION_QUEUE, maintenance, async () => rollUpAndPrune(db, { retentionDays: config.retentionDays, dailyRetentionMonths: config.dailyRetentionMonths }));
  await boss.work(ROLLUP_QUEUE, maintenance, async () => runRollup(db, now()));
  const alerts: AlertsLoop | null = opts.alerts ? await startAlertsLoop(boss, opts.alerts, { groupMs: config.alertGroupSeconds * 1000, log, now }) : null;
  // Stored in pgboss.schedule and sent by whichever worker's clock takes the minute: once across workers.
  for (const [queue, cron] of Object.entries(CRON)) await boss.schedule(queue, cron, {}, { tz: "UTC" });

  const alertsNow = () => alerts?.runNow() ?? Promise.resolve();
  const runTick = () =>
    tickNow()
      .catch((err: unknown) => {
        log.warn({ err }, "scheduler tick failed");
        return 0;
      })
      .finally(() => void alertsNow());
  const tickTimer = setInterval(() => void runTick(), config.tickSeconds * 1000);
  const beatTimer = setInterval(() => void beat(), HEARTBEAT_MS);
  tickTimer.unref();
  beatTimer.unref();
  // The first tick comes after tickSeconds, not at start: tickNow() right after start then
  // reports what it queued (tests, the benchmark), and restarts of many workers don't tick at once.

  async function idle(): Promise<void> {
    for (;;) {
      if (stopping) return;
      if (running.size === 0 && waiting.length === 0 && !pumping) {
        if ((await countDue(db, now())) === 0) return;
        await runTick();
      }
      const wake = timeout(250);
      await Promise.race([wake.promise, new Promise<void>((resolve) => changed.push(resolve))]);
      wake.cancel();
    }
  }

  let stopped: Promise<void> | null = null;
  function stop(): Promise<void> {
    stopped ??= (async () => {
      const began = Date.now();
      stopping = true;
      clearInterval(tickTimer);
      clearInterval(beatTimer);
      if (pollTimer) clearTimeout(pollTimer);
      if (wakeTimer) clearTimeout(wakeTimer);
      notify();
      await ticking?.catch(() => 0);
      await alerts?.stop().catch((err: unknown) => log.warn({ err }, "alert delivery did not stop cleanly"));
      // Not started yet: back to pg-boss at once, for another worker.
      await Promise.all(waiting.splice(0).map((h) => requeueQuietly(h.job, 0)));
      const drain = timeout(Math.max(0, STOP_DRAIN_MS - (Date.now() - began)));
      await Promise.race([Promise.allSettled([...running.values()].map((r) => r.promise)), drain.promise]);
      drain.cancel();
      // Still running: give them up. The lease goes now, so another worker checks the connection right away.
      const unfinished = [...running.values()];
      for (const r of unfinished) r.abandoned = true;
      await Promise.all(
        unfinished.map(async (r) => {
          await db.connection.updateMany({ where: { id: r.job.data.connectionId, checkLeaseOwner: id }, data: { checkLeaseUntil: null, checkLeaseOwner: null } }).catch(() => {});
          await requeueQuietly(r.job, 0);
        }),
      );
      if (unfinished.length) log.info({ released: unfinished.length }, "worker stopping: released checks still in flight");
      await boss.stop({ graceful: true, wait: true, close: true, timeout: Math.max(1000, STOP_TOTAL_MS - (Date.now() - began)) }).catch((err: unknown) => log.warn({ err }, "pg-boss did not stop cleanly"));
      await beat({ stoppedAt: now() });
      m.workerInFlight.set(0);
      m.workerCapacity.set(0);
      notify();
    })();
    return stopped;
  }

  return {
    id,
    stop,
    stats: () => ({ inFlight: running.size, capacity: config.concurrency, checksDone }),
    tickNow,
    idle,
    alertsNow,
  };
}
