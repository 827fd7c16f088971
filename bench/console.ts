// npm run bench:console — the org dashboard and support console at fleet size: seeds PostgreSQL
// (or the embedded database) with set-based SQL, signs in as support staff and as the owner of the
// largest org, starts the production build with the worker off and measures each page's HTML:
// median and p95 over --requests requests, its size, and the server's peak memory. bench/README.md
// explains the figures; `--help` lists the options.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { createPrismaClient } from "@/lib/db-client";
import { runRollup } from "@/lib/checks/rollup";
import { consoleUsage, parseConsoleOptions, type ConsoleOptions } from "./console-options";
import { readFixture, seedFleet, type Fixture, type Sql } from "./console-seed";
import { benchPortalEnv, buildPortal, memorySampler, sessionCookie, startPortal } from "./console-server";
import { PAGES, followNext, get, quantile, type Who } from "./console-pages";
import { printConsoleReport, consoleMarkdown, type ConsoleReport, type PageResult } from "./console-report";
import { benchCommand, thisMachine } from "./machine";

const root = path.resolve(import.meta.dirname, "..");
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);

/** A database the bench seeds and measures: its Sql, its URL for the portal, and how to let it go. */
type Target = { sql: Sql; url: string; fresh: boolean; close: () => Promise<void>; drop: () => Promise<void> };

function migrate(url: string) {
  const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const r = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${(r.stdout + r.stderr).trim()}`);
}

async function adminQuery(serverUrl: string, text: string, params: unknown[] = []) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await admin.query(text, params);
  } finally {
    await admin.end();
  }
}

async function openPostgres(o: ConsoleOptions): Promise<Target> {
  const url = new URL(o.pgUrl);
  url.pathname = `/${o.database}`;
  const exists = (await adminQuery(o.pgUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [o.database])).rowCount === 1;
  const fresh = !o.reuse || !exists;
  const drop = async () => void (await adminQuery(o.pgUrl, `DROP DATABASE IF EXISTS "${o.database}" WITH (FORCE)`));
  if (fresh) {
    await drop();
    await adminQuery(o.pgUrl, `CREATE DATABASE "${o.database}"`);
    migrate(url.toString());
  }
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const sql: Sql = { exec: async (text) => void (await client.query(text)), rows: async (text) => (await client.query(text)).rows };
  if (!fresh && (await connectionCount(sql)) !== o.connections) {
    log(`--reuse: ${o.database} does not hold ${o.connections} connections; seeding it afresh`);
    await client.end();
    return openPostgres({ ...o, reuse: false });
  }
  return { sql, url: url.toString(), fresh, close: () => client.end(), drop };
}

async function connectionCount(sql: Sql) {
  const [r] = await sql.rows<{ n: string }>(`SELECT count(*)::text AS n FROM "Connection"`).catch(() => [{ n: "0" }]);
  return Number(r?.n ?? 0);
}

async function openEmbedded(o: ConsoleOptions): Promise<Target> {
  const dir = path.resolve(root, o.embeddedDir);
  const url = `pglite:${dir}`;
  const fresh = !o.reuse || !existsSync(dir);
  if (fresh) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.lock`, { force: true });
    mkdirSync(path.dirname(dir), { recursive: true });
    migrate(url);
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(dir);
  await db.waitReady;
  const sql: Sql = { exec: async (text) => void (await db.exec(text)), rows: async <T,>(text: string) => (await db.query<T>(text)).rows };
  if (!fresh && (await connectionCount(sql)) !== o.connections) {
    log(`--reuse: ${dir} does not hold ${o.connections} connections; seeding it afresh`);
    await db.close();
    return openEmbedded({ ...o, reuse: false });
  }
  return { sql, url, fresh, close: () => db.close(), drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Fills the roll-ups after seeding with the job the worker runs every 5 minutes
 * (lib/checks/rollup.ts runRollup): the health snapshot, and checks per hour, protocol and failure
 * code. Its check roll-up reads every check since its watermark inside one interactive transaction
 * (Prisma's 5 s limit), which a first run over 30 days of a large fleet exceeds; so the bench walks
 * the watermark forward a day at a time, as a worker that had been running all along would have.
 */
async function fillRollups(url: string, days = 30): Promise<{ ms: number; runs: number; rows: Record<string, number> }> {
  const database = await createPrismaClient(url);
  const t = Date.now();
  const now = new Date();
  const rows = { healthRows: 0, checkRows: 0, failureRows: 0 };
  let runs = 0;
  try {
    for (let d = days - 1; d >= 0; d--) {
      const r = await runRollup(database.prisma, new Date(now.getTime() - d * 86_400_000));
      runs++;
      rows.healthRows += r.healthRows;
      rows.checkRows += r.checkRows;
      rows.failureRows += r.failureRows;
    }
    return { ms: Date.now() - t, runs, rows };
  } finally {
    await database.close();
    // The embedded database's pid lock is released at process exit (lib/db-client.ts); the portal
    // opens it next, from its own process, so let it go now.
    const lock = url.startsWith("pglite:") ? `${url.slice("pglite:".length).replace(/\/+$/, "")}.lock` : null;
    if (lock && existsSync(lock) && readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock);
  }
}

async function main() {
  const o = parseConsoleOptions(process.argv.slice(2));
  if (o.help) return console.log(consoleUsage);
  const report: ConsoleReport = {
    startedAt: new Date().toISOString(),
    command: benchCommand("bench:console"),
    machine: thisMachine(),
    options: o,
    database: o.embedded ? "embedded (PGlite)" : `PostgreSQL (${o.database})`,
    seed: {},
    pages: [],
  };
  mkdirSync(o.out, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, "-");
  const file = path.join(o.out, `console-${o.embedded ? "embedded-" : ""}${stamp}`);
  const save = () => {
    writeFileSync(`${file}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${file}.md`, consoleMarkdown(report));
  };

  const secret = randomBytes(32).toString("base64");
  const portalEnv = benchPortalEnv(o.port, secret);
  log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; building the portal if its sources changed`);
  const tBuild = Date.now();
  buildPortal(root, portalEnv);
  report.buildMs = Date.now() - tBuild;

  const target = o.embedded ? await openEmbedded(o) : await openPostgres(o);
  let portal: Awaited<ReturnType<typeof startPortal>> | undefined;
  const cleanUp = async () => {
    await portal?.stop().catch(() => undefined);
    if (o.drop) await target.drop().catch((e: unknown) => log(`drop: ${(e as Error).message}`));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
  try {
    if (target.fresh) {
      log(`seeding ${report.database}: ${o.connections} connections, ${o.orgs} orgs, ${o.tenants} tenants, largest org ${o.largest}, ${o.checks} checks`);
      const seeded = await seedFleet(target.sql, o, log);
      report.seed = { ms: seeded.ms, phases: seeded.phases };
      log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
    } else log(`--reuse: ${report.database} is seeded already`);
    const fixture: Fixture = await readFixture(target.sql);
    report.fixture = fixture;
    const cookies: Record<Who, string | null> = {
      support: await sessionCookie(target.sql, fixture.supportUserId, secret),
      owner: await sessionCookie(target.sql, fixture.ownerUserId, secret),
      anonymous: null,
    };
    await target.close();
    if (target.fresh) {
      const rollups = await fillRollups(target.url);
      report.seed.rollups = rollups;
      log(`roll-ups (runRollup × ${rollups.runs}): ${(rollups.ms / 1000).toFixed(1)} s, ${Object.entries(rollups.rows).map(([k, v]) => `${v} ${k}`).join(", ")}`);
    }
    save();

    portal = await startPortal(root, { ...portalEnv, DATABASE_URL: target.url }, o.port);
    let memory = memorySampler(portal.pid);
    let peakBefore = 0;
    report.rssAtStartBytes = memory.sample() * 1024;
    log(`portal on ${portal.url} (pid ${portal.pid}, ${(report.rssAtStartBytes / 2 ** 20).toFixed(0)} MB at start)`);

    const only = o.only ? new RegExp(o.only, "i") : null;
    for (const spec of PAGES.filter((p) => !only || only.test(p.name))) {
      const cookie = cookies[spec.as];
      let pathname = spec.path(fixture);
      let note: string | undefined;
      const runs: Awaited<ReturnType<typeof get>>[] = [];
      let error: string | undefined;
      try {
        if (spec.followNext) {
          const reached = await followNext(portal.url, pathname, cookie, spec.followNext);
          pathname = reached.path;
          note = reached.stoppedBecause ? `page ${reached.page} (${reached.stoppedBecause})` : `page ${reached.page}`;
        }
        for (let i = 0; i < o.warmup; i++) await get(portal.url, pathname, cookie);
        // A pathological page (seconds per request) stops after its budget, with at least 5 requests.
        const budgetEnds = Date.now() + o.pageSeconds * 1000;
        for (let i = 0; i < o.requests; i++) {
          runs.push(await get(portal.url, pathname, cookie));
          if (Date.now() > budgetEnds && runs.length >= 5 && i < o.requests - 1) {
            note = `${note ? `${note}; ` : ""}stopped after ${runs.length} requests (--page-seconds ${o.pageSeconds})`;
            break;
          }
        }
      } catch (e) {
        error = `${(e as Error).message}${(e as Error).cause ? ` (${String((e as Error).cause)})` : ""}`;
      }
      if (portal.child.exitCode !== null || portal.child.signalCode) {
        error = `the server exited (${portal.child.exitCode ?? portal.child.signalCode}) during this page: ${portal.stderr().slice(-600)}`;
        log(`${spec.name}: ${error}; restarting it for the next pages`);
        portal = await startPortal(root, { ...portalEnv, DATABASE_URL: target.url }, o.port);
        memory.stop();
        memory = memorySampler(portal.pid);
        report.restarts = (report.restarts ?? 0) + 1;
      }
      const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
      const statuses = [...new Set(runs.map((r) => r.status))];
      const location = runs.find((r) => r.location)?.location ?? null;
      const result: PageResult = {
        name: spec.name,
        as: spec.as,
        path: pathname,
        statuses,
        ...(location ? { location } : {}),
        ...(note ? { note } : {}),
        ...(error ? { error } : {}),
        requests: runs.length,
        medianMs: quantile(ms, 0.5),
        p95Ms: quantile(ms, 0.95),
        maxMs: ms[ms.length - 1] ?? NaN,
        htmlBytes: runs.length ? Math.max(...runs.map((r) => r.bytes)) : NaN,
        peakRssBytesSoFar: Math.max(memory.peakBytes(), peakBefore),
      };
      peakBefore = result.peakRssBytesSoFar;
      report.pages.push(result);
      log(`${spec.name}: ${error ? `ERROR ${error}; ` : ""}HTTP ${statuses.join("/")}, median ${result.medianMs.toFixed(0)} ms, p95 ${result.p95Ms.toFixed(0)} ms, ${(result.htmlBytes / 1024).toFixed(0)} KB, ${runs.length} requests${note ? `, ${note}` : ""}, peak RSS so far ${(result.peakRssBytesSoFar / 2 ** 20).toFixed(0)} MB`);
      save();
    }
    memory.stop();
    report.peakRssBytes = Math.max(memory.peakBytes(), peakBefore);
    report.memory = memory.detail();
    report.finishedAt = new Date().toISOString();
    report.machine.loadAfter = os.loadavg();
    save();
    printConsoleReport(report);
    console.log(`\nWrote ${file}.json and .md${o.drop ? "" : `; the database is kept (${o.embedded ? target.url : o.database}) for EXPLAIN: --drop removes it`}`);
  } finally {
    await cleanUp();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:console failed: ${(e as Error).message}`);
  process.exit(1);
});
