// One worker process of the bench: opens the database, optionally migrates (embedded) and seeds it,
// starts a worker and answers the orchestrator (bench/sweep.ts) over IPC. It measures itself: CPU
// time, peak RSS (sampled every 200 ms) and the SQL statements it sends (every pg client query,
// Prisma's pool and pg-boss's alike; PGlite's query and exec on the embedded database).
import { readFileSync } from "node:fs";
import pg from "pg";
import { createPrismaClient, type Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { migrationScripts } from "@/test-support/test-db";
import { benchWorkerConfig, loadStartWorker, type WorkerHandle } from "./worker-contract";
import { seedDatabase, type SeedInput } from "./seed";

export type OpenArgs = {
  url: string;
  keys: string;
  httpsBase: string;
  mail: { host: string; imapPort: number; popPort: number; smtpPort: number };
  concurrency: number;
  worker: "real" | "stand-in" | "auto";
  migrate: boolean;
  seedFile?: string;
  /** Seed and start no worker: the bench seeds in a process of its own, so the worker's RSS starts clean. */
  seedOnly?: boolean;
  workerId: string;
};

let statements = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

let database: Database | undefined;
let worker: WorkerHandle | undefined;
let workerKind = "";
let measuring: { cpu: NodeJS.CpuUsage; statements: number; peakRss: number; timer: NodeJS.Timeout } | undefined;

const commands: Record<string, (args: never) => Promise<unknown>> = {
  async open(a: OpenArgs) {
    database = await createPrismaClient(a.url);
    const pglite = database.pglite;
    if (pglite) {
      if (a.migrate) for (const sql of migrationScripts()) await pglite.exec(sql);
      const query = pglite.query.bind(pglite);
      const exec = pglite.exec.bind(pglite);
      pglite.query = ((...args: Parameters<typeof query>) => ((statements += 1), query(...args))) as typeof query;
      pglite.exec = ((...args: Parameters<typeof exec>) => ((statements += 1), exec(...args))) as typeof exec;
    }
    const keyring = parseKeyring(a.keys);
    let seeded;
    if (a.seedFile) {
      const input = JSON.parse(readFileSync(a.seedFile, "utf8")) as SeedInput;
      seeded = await seedDatabase(database.prisma, keyring, input);
    }
    if (a.seedOnly) return { kind: "none", seeded, rss: process.memoryUsage().rss };
    const { startWorker, kind } = await loadStartWorker(a.worker);
    workerKind = kind;
    worker = await startWorker({
      database,
      deps: { keyring, hostMap: hostMapFromBase(a.httpsBase), mailHost: { host: a.mail.host, imapPort: a.mail.imapPort, popPort: a.mail.popPort, smtpPort: a.mail.smtpPort } },
      config: benchWorkerConfig(a.concurrency),
      id: a.workerId,
    });
    return { kind, seeded, rss: process.memoryUsage().rss };
  },
  async markDue() {
    const at = new Date();
    const n = await database!.prisma.$executeRaw`UPDATE "Connection" SET "nextCheckAt" = ${at} WHERE status = 'CONNECTED'`;
    return { at: at.toISOString(), n };
  },
  async begin() {
    const timer = setInterval(() => {
      if (measuring) measuring.peakRss = Math.max(measuring.peakRss, process.memoryUsage().rss);
    }, 200);
    measuring = { cpu: process.cpuUsage(), statements, peakRss: process.memoryUsage().rss, timer };
    return {};
  },
  async sweep() {
    const queued = await worker!.tickNow();
    await worker!.idle();
    return { queued, idleAt: new Date().toISOString(), stats: worker!.stats() };
  },
  async end() {
    const m = measuring!;
    clearInterval(m.timer);
    measuring = undefined;
    const cpu = process.cpuUsage(m.cpu);
    return { cpuMs: (cpu.user + cpu.system) / 1000, statements: statements - m.statements, peakRssBytes: Math.max(m.peakRss, process.memoryUsage().rss), rssBytes: process.memoryUsage().rss };
  },
  /** Checks written since `since`: how many, their durations and the last finish. */
  async checks(a: { since: string }) {
    const since = new Date(a.since);
    const [r] = await database!.prisma.$queryRaw<{ n: number; passed: number; p50: number | null; p95: number | null; first: Date | null; last: Date | null }[]>`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE outcome = 'PASSED')::int AS passed,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY "durationMs") AS p50,
             percentile_cont(0.95) WITHIN GROUP (ORDER BY "durationMs") AS p95,
             min("startedAt") AS first, max("startedAt" + make_interval(secs => "durationMs" / 1000.0)) AS last
      FROM "Check" WHERE "startedAt" >= ${since}`;
    const failures = await database!.prisma.$queryRaw<{ code: string | null; n: number }[]>`
      SELECT "failureCode" AS code, count(*)::int AS n FROM "Check" WHERE "startedAt" >= ${since} AND outcome <> 'PASSED' GROUP BY 1 ORDER BY 2 DESC LIMIT 5`;
    return { n: r?.n ?? 0, passed: r?.passed ?? 0, p50Ms: r?.p50 ?? null, p95Ms: r?.p95 ?? null, first: r?.first ?? null, last: r?.last ?? null, failures };
  },
  /** Rows in the tables a check writes to, and pg_stat_database's counters where the database keeps them. */
  async tableCounts() {
    const [r] = await database!.prisma.$queryRaw<Record<string, number>[]>`
      SELECT (SELECT count(*)::int FROM "Check") AS "check", (SELECT count(*)::int FROM "ConnectionEvent") AS event, (SELECT count(*)::int FROM "ConnectionAccessToken") AS "accessToken"`;
    return r;
  },
  async stop() {
    await worker?.stop();
    await database?.close();
    setTimeout(() => process.exit(0), 50);
    return { workerKind };
  },
};

process.on("message", (msg: { id: number; cmd: string; args?: unknown }) => {
  const run = commands[msg.cmd];
  if (!run) return process.send?.({ id: msg.id, ok: false, error: `unknown command ${msg.cmd}` });
  run(msg.args as never).then(
    (result) => process.send?.({ id: msg.id, ok: true, result }),
    (e: unknown) => process.send?.({ id: msg.id, ok: false, error: String((e as Error)?.stack ?? e) }),
  );
});
process.send?.({ id: 0, ok: true, result: "ready" });
