// npm run bench:bridge — the mail bridge's cost against the emulator's mail listeners, in one run:
// SMTP submission of a 10 KB message and IMAP login + SELECT INBOX + FETCH of 10 messages, each
// through the bridge (a bridge credential: AUTH PLAIN over 587 STARTTLS, LOGIN over 993) and
// directly (XOAUTH2 with the connection's own token), same client and concurrency; then 500 idle
// IMAP sessions through one bridge process and its memory per session. bench/README.md explains it.
import { fork } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startBenchEmulator } from "./emulator";
import { bridgeCertificate } from "../lib/bridge/certificate";
import { processCpuMs } from "./children";
import { imapSession, openIdle, pct, runLoad, smtpSession, type LoadResult, type Target } from "./bridge-load";
import type { BridgeChildCounts, BridgeChildInput, BridgeChildReady } from "./bridge-process";
import { bridgeUsage, parseBridgeOptions } from "./bridge-options";
import { orExit } from "./flags";
import { printBridgeReport, type BridgeReport, type Row } from "./bridge-report";
import { thisMachine } from "./machine";

const root = path.resolve(import.meta.dirname, "..");
const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const load1 = () => Math.round(os.loadavg()[0]! * 100) / 100;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** The bridge's database work in a row, per session: Prisma operations by name and SQL statements. */
function perSessionDb(a: BridgeChildCounts, b: BridgeChildCounts, sessions: number): NonNullable<Row["db"]> {
  const per = (n: number) => (sessions ? Math.round((n / sessions) * 100) / 100 : 0);
  const operations: Record<string, number> = {};
  for (const [k, v] of Object.entries(b.operations)) if (v - (a.operations[k] ?? 0) > 0) operations[k] = per(v - (a.operations[k] ?? 0));
  const total = Object.values(operations).reduce((x, y) => x + y, 0);
  return { operationsPerSession: Math.round(total * 100) / 100, statementsPerSession: a.statements === null || b.statements === null ? null : per(b.statements - a.statements), operations };
}

async function main() {
  const opts = orExit(() => parseBridgeOptions(process.argv.slice(2)), "bridge");
  if (opts.help) return console.log(bridgeUsage);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  mkdirSync(opts.out, { recursive: true });
  const outFile = path.join(opts.out, `bridge-${stamp}.json`);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "mailgrant-bench-bridge-"));
  log(`load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; starting the emulator on ports ${opts.port}-${opts.port + 4}`);
  const emu = await startBenchEmulator({ root, dataDir, basePort: opts.port });
  const ca = readFileSync(emu.certPath);
  // The bridge's own certificate as in demo mode (self-signed, ECDSA P-256); its clients trust it.
  const bridgeTls = await bridgeCertificate({ enabled: true, ports: {}, tls: { selfSigned: path.join(dataDir, "bridge-tls") } });

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_EXTRA_CA_CERTS: emu.certPath, NODE_ENV: "production", LOG_LEVEL: "warn" };
  if (opts.pg) env.TEST_DATABASE_URL = opts.pgUrl;
  else delete env.TEST_DATABASE_URL;
  const child = fork(path.join(root, "bench", "bridge-process.ts"), [], { cwd: root, env, execArgv: ["--import", "tsx", "--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const messages: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  child.on("message", (m: Record<string, unknown>) => {
    messages.push(m);
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  const next = async <T,>(key: string): Promise<T> => {
    for (;;) {
      const i = messages.findIndex((m) => key in m);
      if (i !== -1) return messages.splice(i, 1)[0]![key] as T;
      await Promise.race([new Promise<void>((r) => waiters.push(r)), exited.then((c) => Promise.reject(new Error(`the bridge process exited (${c})`)))]);
    }
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.send({ cmd: "stop" });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    await emu.stop();
  };
  process.once("SIGINT", () => void stop().finally(() => process.exit(130)));

  try {
    const input: BridgeChildInput = { adminBase: emu.adminBase, mail: emu.mail, certPath: bridgeTls.certPath, keyPath: path.join(path.dirname(bridgeTls.certPath), "bridge-key.pem"), ports: { smtp: opts.port + 10, imaps: opts.port + 11 }, inboxCount: Math.max(opts.fetch, 10) };
    child.send(input);
    const ready = await next<BridgeChildReady>("ready");
    log(`bridge process ${child.pid} on SMTP ${ready.ports.smtp} (STARTTLS), IMAP ${ready.ports.imaps} (TLS), ${ready.database} database; mailbox ${ready.user}`);
    const viaBridge = (port: number): Target => ({ port, ca: bridgeTls.cert, user: ready.username, pass: ready.password });
    const direct = (port: number): Target => ({ port, ca, user: ready.user, accessToken: ready.accessToken });
    const paths = {
      smtp: { bridge: viaBridge(ready.ports.smtp!), direct: direct(emu.mail.smtpPort) },
      imap: { bridge: viaBridge(ready.ports.imaps!), direct: direct(emu.mail.imapPort) },
    };
    const session = { smtp: (t: Target) => smtpSession(t, ready.user), imap: (t: Target) => imapSession(t, opts.fetch) };

    const report: BridgeReport = {
      startedAt: new Date().toISOString(),
      options: { ...opts },
      machine: thisMachine(),
      database: ready.database,
      rows: [],
      comparison: [],
    };
    const save = () => writeFileSync(outFile, JSON.stringify(report, null, 2));
    const raw: Record<string, number[]> = {};
    const totals: Record<string, { sessions: number; seconds: number }> = {};
    // Rounds alternate direct and bridge so a burst of load from elsewhere on the machine falls on both.
    for (let round = 1; round <= opts.rounds; round++) {
      for (const protocol of ["smtp", "imap"] as const) {
        for (const via of ["direct", "bridge"] as const) {
          const key = `${protocol}/${via}`;
          log(`round ${round}: ${key}, ${opts.concurrency} concurrent sessions for ${opts.seconds} s`);
          const clientCpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
          const counts = async () => (child.send({ cmd: "counts" }), next<BridgeChildCounts>("counts"));
          const db0 = via === "bridge" ? await counts() : null;
          const profile = opts.cpuProf && via === "bridge" ? path.join(opts.cpuProf, `bridge-${protocol}-round${round}.cpuprofile`) : null;
          if (profile) {
            mkdirSync(opts.cpuProf!, { recursive: true });
            child.send({ cmd: "profile-start" });
            await next("profiling");
          }
          const cpu0 = { bridge: processCpuMs(child.pid), emulator: processCpuMs(emu.child.pid), client: clientCpu() };
          const r: LoadResult = await runLoad(() => session[protocol](paths[protocol][via]), { concurrency: opts.concurrency, seconds: opts.seconds, warmupSeconds: round === 1 ? opts.warmup : 0 });
          const cpu1 = { bridge: processCpuMs(child.pid), emulator: processCpuMs(emu.child.pid), client: clientCpu() };
          if (profile) {
            child.send({ cmd: "profile-stop", file: profile });
            await next("profiled");
          }
          const db1 = db0 ? await counts() : null;
          const perSession = (a: number | null, b: number | null) => (a === null || b === null || !r.sessions ? null : Math.round(((b - a) / r.sessions) * 100) / 100);
          const { latencies, ...row } = r;
          (raw[key] ??= []).push(...latencies);
          const t = (totals[key] ??= { sessions: 0, seconds: 0 });
          t.sessions += r.sessions;
          t.seconds += r.seconds;
          const out: Row = { round, protocol, via, ...row, bridgeCpuMsPerSession: via === "bridge" ? perSession(cpu0.bridge, cpu1.bridge) : null, emulatorCpuMsPerSession: perSession(cpu0.emulator, cpu1.emulator), clientCpuMsPerSession: perSession(cpu0.client, cpu1.client), load1: load1(), ...(db0 && db1 ? { db: perSessionDb(db0, db1, r.sessions) } : {}) };
          report.rows.push(out);
          log(`${key}: ${row.perSecond}/s, p50 ${row.p50Ms} ms, p99 ${row.p99Ms} ms, ${row.errors} errors${row.firstError ? ` (${row.firstError})` : ""}; load ${load1()}`);
          if (out.db) log(`${key} database work per session: ${Object.entries(out.db.operations).map(([k, v]) => `${k} ${v}`).join(", ")}; ${out.db.statementsPerSession ?? "?"} SQL statements`);
          save();
        }
      }
    }
    for (const protocol of ["smtp", "imap"] as const) {
      const stats = (via: string) => {
        const l = [...raw[`${protocol}/${via}`]!].sort((a, b) => a - b);
        const t = totals[`${protocol}/${via}`]!;
        return { perSecond: t.sessions / t.seconds, p50: pct(l, 50), p99: pct(l, 99) };
      };
      const d = stats("direct");
      const b = stats("bridge");
      const r1 = (n: number) => Math.round(n * 10) / 10;
      report.comparison.push({ protocol, directPerSecond: r1(d.perSecond), bridgePerSecond: r1(b.perSecond), ratePercent: r1((b.perSecond / d.perSecond) * 100), directP50Ms: r1(d.p50), bridgeP50Ms: r1(b.p50), addedP50Ms: r1(b.p50 - d.p50), directP99Ms: r1(d.p99), bridgeP99Ms: r1(b.p99), addedP99Ms: r1(b.p99 - d.p99) });
    }
    save();

    if (opts.idle > 0) {
      const memory = async () => {
        child.send({ cmd: "memory" });
        const m = await next<{ rss: number; heapUsed: number; sessions: number }>("memory");
        return { rssKb: rssKb(child.pid!), heapUsedKb: Math.round(m.heapUsed / 1024), sessions: m.sessions };
      };
      const before = await memory();
      log(`opening ${opts.idle} idle IMAP sessions through the bridge (bridge RSS ${Math.round(before.rssKb / 1024)} MB)`);
      const t0 = performance.now();
      const held = await openIdle(paths.imap.bridge, opts.idle, 16);
      const openSeconds = Math.round((performance.now() - t0) / 10) / 100;
      await new Promise((r) => setTimeout(r, opts.idleHoldSeconds * 1000)); // let imapflow enter IDLE and the bridge settle
      const after = await memory();
      const n = after.sessions - before.sessions;
      report.idle = { requested: opts.idle, open: held.clients.length, failed: held.failed, ...(held.firstError ? { firstError: held.firstError } : {}), bridgeSessions: n, openSeconds, before, after, rssKbPerSession: n ? Math.round(((after.rssKb - before.rssKb) / n) * 10) / 10 : null, heapKbPerSession: n ? Math.round(((after.heapUsedKb - before.heapUsedKb) / n) * 10) / 10 : null, load1: load1() };
      log(`${held.clients.length} idle sessions open (${held.failed} failed); bridge RSS ${Math.round(after.rssKb / 1024)} MB, ${report.idle.rssKbPerSession} KB per session`);
      await Promise.all(held.clients.map((c) => c.logout().catch(() => c.close())));
      save();
    }
    report.machine.loadAfter = os.loadavg();
    save();
    printBridgeReport(report);
    log(`wrote ${path.relative(process.cwd(), outFile)}`);
  } finally {
    await stop();
  }
}

main().catch((e: unknown) => {
  console.error(`bench:bridge failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
