// npm run bench:sweep — full sweeps of the real worker against the bench's own emulator, on
// PostgreSQL and on the embedded database, beside the floor (the same Microsoft calls with no
// portal code). bench/README.md explains what is measured and how; `--help` lists the options.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import { delegatedScopes, tokenScopesFor, type Purpose } from "@/lib/microsoft/scopes";
import { seedEmulator, startBenchEmulator, type BenchEmulator, type BenchTenant } from "./emulator";
import { forkWorker, processCpuMs, type WorkerChild } from "./children";
import { createBenchDatabase, PgProbe, type PgDelta } from "./pg-stats";
import type { FloorInput, FloorResult } from "./floor";
import type { OpenArgs } from "./worker-process";
import { orExit } from "./flags";
import { parseOptions, usage, type Options } from "./options";
import { printReport, type Report, type SweepResult } from "./report";
import { benchCommand, thisMachine } from "./machine";

const root = path.resolve(import.meta.dirname, "..");

async function main() {
  const opts = orExit(() => parseOptions(process.argv.slice(2)), "sweep");
  if (opts.help) {
    console.log(usage);
    return;
  }
  const dataDir = path.join(root, ".data", "m-bench");
  mkdirSync(dataDir, { recursive: true });
  const keys = `k1:${randomBytes(32).toString("base64")}`;
  const purposes = opts.purposes as Purpose[];
  const report: Report = {
    startedAt: new Date().toISOString(),
    command: benchCommand("bench:sweep"),
    machine: thisMachine(),
    options: opts,
    worker: "?",
    seed: {},
    floor: [],
    sweeps: [],
  };

  log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; starting the emulator on ports ${opts.port}-${opts.port + 4}`);
  const emu = await startBenchEmulator({ root, dataDir, basePort: opts.port });
  const cleanups: (() => Promise<unknown>)[] = [() => emu.stop()];
  // The JSON is rewritten after every phase, so an interrupted run keeps what it measured.
  mkdirSync(opts.out, { recursive: true });
  const file = path.join(opts.out, `sweep-${report.startedAt.replace(/[:.]/g, "-")}.json`);
  const save = () => writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  let cleaning: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      for (const c of cleanups.reverse()) await c().catch((e: unknown) => log(`cleanup: ${(e as Error).message}`));
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping the emulator and worker processes, dropping the database`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
  try {
    const t0 = Date.now();
    const tenants = await seedEmulator(emu, { connections: opts.connections, tenants: opts.tenants, seed: `bench-m-${randomBytes(3).toString("hex")}`, scope: delegatedScopes("global", purposes).authorizeScope });
    report.seed.emulatorMs = Date.now() - t0;
    const total = tenants.reduce((n, t) => n + t.grants.length, 0);
    log(`emulator: ${tenants.length} tenants, ${total} grants in ${report.seed.emulatorMs} ms`);
    const seedFile = path.join(dataDir, "seed.json");
    const grantedScopes = delegatedScopes("global", purposes).scopes.map((s) => s.scope);
    writeFileSync(seedFile, JSON.stringify({ tenants, purposes, grantedScopes, intervalMinutes: 24 * 60 }), { mode: 0o600 });
    cleanups.push(async () => rmSync(seedFile, { force: true }));

    const prof = opts.cpuProf ? { cpuProfDir: path.resolve(opts.cpuProf) } : {};
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: emu.certPath, MAILGRANT_ENCRYPTION_KEYS: keys, MAILGRANT_WORKER_CONCURRENCY: String(opts.concurrency), LOG_LEVEL: opts.logLevel };

    if (!opts.skipFloor) report.floor = await runFloor(opts, emu, tenants, purposes, childEnv);
    save();

    const open = (url: string, i: number, extra: Partial<OpenArgs> = {}): OpenArgs => ({
      url,
      keys,
      httpsBase: emu.httpsBase,
      mail: emu.mail,
      concurrency: opts.concurrency,
      worker: opts.worker,
      migrate: false,
      workerId: `bench-${i}-${randomUUID().slice(0, 8)}`,
      ...extra,
    });

    // Seeding (the grants' JSON, 10,000 encryptions) in the worker process would inflate its first sweep's RSS.
    const seedInOwnProcess = async (url: string, migrate = false) => {
      const seeder = await forkWorker(root, childEnv);
      const done = await seeder.call<{ seeded: { ms: number; connections: number } }>("open", open(url, 0, { migrate, seedFile, seedOnly: true }));
      await stopAll([seeder]);
      return done.seeded;
    };

    let pg: { url: string; probe: PgProbe } | undefined;
    if (!opts.skipPostgres) {
      const pgdb = await createBenchDatabase(opts.pgUrl);
      if (!opts.keep) cleanups.push(() => pgdb.drop());
      log(`PostgreSQL: database ${pgdb.name}`);
      const probe = await PgProbe.open(pgdb.url);
      cleanups.push(() => probe.close());
      const seeded = await seedInOwnProcess(pgdb.url);
      report.seed.postgresMs = seeded.ms;
      const first = await forkWorker(root, childEnv, prof);
      const opened = await first.call<{ kind: string }>("open", open(pgdb.url, 0));
      report.worker = opened.kind;
      log(`PostgreSQL: seeded ${seeded.connections} connections in ${seeded.ms} ms; worker: ${opened.kind}`);
      for (let s = 1; s <= opts.sweeps; s++) {
        report.sweeps.push(await runSweep(`postgres sweep ${s}`, "postgres", [first], total, emu, probe));
        save();
      }
      await stopAll([first]);
      pg = { url: pgdb.url, probe };
    }

    if (!opts.skipEmbedded) {
      const dir = path.join(dataDir, `pglite-${Date.now()}`);
      cleanups.push(async () => {
        rmSync(dir, { recursive: true, force: true });
        rmSync(`${dir}.lock`, { force: true });
      });
      const seeded = await seedInOwnProcess(`pglite:${dir}`, true);
      report.seed.embeddedMs = seeded.ms;
      const child = await forkWorker(root, childEnv, prof);
      const opened = await child.call<{ kind: string }>("open", open(`pglite:${dir}`, 0));
      report.worker = opened.kind;
      log(`embedded: seeded in ${seeded.ms} ms`);
      for (let s = 1; s <= opts.embeddedSweeps; s++) {
        report.sweeps.push(await runSweep(`embedded sweep ${s}`, "embedded", [child], total, emu));
        save();
      }
      await stopAll([child]);
    }
    // Scale-out last: on a small machine it matters least, and it takes longest.
    if (pg && !opts.skipWorkers) {
      for (const k of opts.workers) {
        // One process is what the sweeps above measured: their first sweep stands for it.
        if (k === 1 && report.sweeps.some((s) => s.db === "postgres" && s.processes === 1)) continue;
        const children: WorkerChild[] = [];
        for (let i = 0; i < k; i++) {
          const c = await forkWorker(root, childEnv, prof);
          await c.call("open", open(pg.url, i + 1));
          children.push(c);
        }
        report.sweeps.push(await runSweep(`postgres ×${k} workers`, "postgres", children, total, emu, pg.probe));
        save();
        await stopAll(children);
      }
    }
  } finally {
    await cleanUp();
  }
  report.machine.loadAfter = os.loadavg();
  report.finishedAt = new Date().toISOString();
  printReport(report);
  save();
  log(`wrote ${path.relative(root, file)}`);
}

async function runFloor(opts: Options, emu: BenchEmulator, tenants: BenchTenant[], purposes: Purpose[], env: NodeJS.ProcessEnv): Promise<(FloorResult & { emulatorCpuMs: number | null })[]> {
  const uses = (p: Purpose) => purposes.includes(p);
  const outlook = purposes.some((p) => ["imap", "pop", "smtp", "ews"].includes(p));
  const input: FloorInput = {
    concurrency: opts.concurrency,
    loginBase: `${emu.httpsBase}/login.microsoftonline.com`,
    graphBase: `${emu.httpsBase}/graph.microsoft.com/v1.0`,
    mail: emu.mail,
    scopes: {
      ...(uses("graph-read") || uses("graph-send") ? { graph: tokenScopesFor("global", purposes, "graph") } : {}),
      ...(outlook ? { outlook: tokenScopesFor("global", purposes, "outlook") } : {}),
    },
    steps: { graph: uses("graph-read"), imap: uses("imap"), pop: uses("pop"), smtp: uses("smtp") },
    connections: tenants.flatMap((t) => t.grants.map((g) => ({ tenantId: t.id, clientId: t.app.clientId, secret: t.app.secret, upn: g.upn, refreshToken: g.refreshToken }))),
    timeoutMs: 15_000,
  };
  const file = path.join(root, ".data", "m-bench", "floor.json");
  writeFileSync(file, JSON.stringify(input), { mode: 0o600 });
  log(`floor: ${input.connections.length} connections, concurrency ${opts.concurrency}, ${opts.floorSweeps} sweep(s)`);
  const cpu0 = processCpuMs(emu.child.pid);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "bench", "floor.ts"), file, String(opts.floorSweeps)], { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout.on("data", (d: Buffer) => (text += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`the floor exited with code ${code}`))));
  });
  rmSync(file, { force: true });
  const cpu1 = processCpuMs(emu.child.pid);
  const results = JSON.parse(out.trim().split("\n").at(-1)!) as FloorResult[];
  const emulatorCpuMs = cpu0 !== null && cpu1 !== null ? (cpu1 - cpu0) / results.length : null;
  for (const r of results) log(`floor: ${r.checksPerSecond.toFixed(1)} checks/s, p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, ${r.failed} failed ${JSON.stringify(r.failures)}`);
  return results.map((r) => ({ ...r, emulatorCpuMs }));
}

type ChecksAnswer = { n: number; passed: number; p50Ms: number | null; p95Ms: number | null; first: string | null; last: string | null; failures: { code: string | null; n: number }[] };
type EndAnswer = { cpuMs: number; statements: number; peakRssBytes: number; rssBytes: number };

async function runSweep(label: string, db: "postgres" | "embedded", children: WorkerChild[], expected: number, emu: BenchEmulator, probe?: PgProbe): Promise<SweepResult> {
  const [lead] = children;
  const before = probe ? await probe.settledCounters("before") : undefined;
  const emuCpu0 = processCpuMs(emu.child.pid);
  for (const c of children) await c.call("begin");
  const marked = await lead!.call<{ at: string; n: number }>("markDue");
  const lsnAfterMark = probe ? (await probe.counters()).lsn : undefined;
  log(`${label}: ${marked.n} connections due at ${marked.at}`);
  const startedMs = Date.now();
  let checks: ChecksAnswer;
  // Every process ticks and drains; a worker may go idle while others still hold work, so the
  // sweep is over when the Check rows are there (ticking again if a process went idle early).
  for (let round = 0; ; round += 1) {
    await Promise.all(children.map((c) => c.call("sweep")));
    checks = await lead!.call<ChecksAnswer>("checks", { since: marked.at });
    if (checks.n >= expected || round >= 20) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const ends = await Promise.all(children.map((c) => c.call<EndAnswer>("end")));
  const emuCpu1 = processCpuMs(emu.child.pid);
  let pgDelta: PgDelta | undefined;
  if (probe && before && lsnAfterMark) {
    const after = await probe.settledCounters("after");
    pgDelta = await probe.delta({ ...before, lsn: lsnAfterMark }, after);
    // The bench's own "everything is due now" UPDATE is not a check's cost.
    pgDelta.updated -= marked.n;
    pgDelta.rowsWritten -= marked.n;
    pgDelta.commits -= 1;
  }
  const seconds = checks.last ? (new Date(checks.last).getTime() - new Date(marked.at).getTime()) / 1000 : (Date.now() - startedMs) / 1000;
  const cpuMs = ends.reduce((n, e) => n + e.cpuMs, 0);
  const statements = ends.reduce((n, e) => n + e.statements, 0);
  const result: SweepResult = {
    label,
    db,
    processes: children.length,
    checks: checks.n,
    passed: checks.passed,
    failures: checks.failures,
    seconds,
    checksPerSecond: checks.n / seconds,
    p50Ms: checks.p50Ms,
    p95Ms: checks.p95Ms,
    peakRssBytes: Math.max(...ends.map((e) => e.peakRssBytes)),
    rssAfterBytes: Math.max(...ends.map((e) => e.rssBytes)),
    workerCpuMsPerCheck: cpuMs / Math.max(1, checks.n),
    emulatorCpuMsPerCheck: emuCpu0 !== null && emuCpu1 !== null ? (emuCpu1 - emuCpu0) / Math.max(1, checks.n) : null,
    statementsPerCheck: statements / Math.max(1, checks.n),
    ...(pgDelta ? { pg: pgDelta } : {}),
    load: os.loadavg(),
  };
  log(
    `${label}: ${result.checks} checks (${result.passed} passed) in ${seconds.toFixed(1)} s = ${result.checksPerSecond.toFixed(1)}/s, p50 ${Math.round(result.p50Ms ?? 0)} ms, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MB, ` +
      `worker CPU ${result.workerCpuMsPerCheck.toFixed(1)} ms/check, ${result.statementsPerCheck.toFixed(1)} statements/check${pgDelta ? `, ${(pgDelta.rowsWritten / Math.max(1, checks.n)).toFixed(1)} rows/check, WAL ${Math.round(pgDelta.walBytes / Math.max(1, checks.n))} B/check` : ""}, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  return result;
}

async function stopAll(children: WorkerChild[]) {
  await Promise.all(children.map(async (c) => {
    await c.call("stop").catch(() => {});
    await c.exited;
  }));
}

const log = (line: string) => console.error(`[bench] ${line}`);

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
