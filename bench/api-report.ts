// The token API bench's table: per database, the floor route before and after the token endpoint,
// the token endpoint against the floor and the targets, and the single-flight burst.
import type { LoadRow, PgTrace, SingleFlight } from "./api-load";
import type { Step } from "./api-breakdown";
import type { Machine } from "./machine";

export const TARGET_P99_MS = 20;
export const TARGET_FLOOR_SHARE = 0.5;

export type DatabaseRun = {
  database: string;
  singleFlight: SingleFlight;
  floorBefore: LoadRow;
  token: LoadRow;
  floorAfter: LoadRow;
  /** The token endpoint's requests/s over the mean of the two floor runs. */
  shareOfFloor: number;
  meetsP99: boolean;
  meetsShare: boolean;
  /** PostgreSQL only: per token call, during the token run. */
  pgPerCall?: PgTrace;
  /** The same two routes with --latency-connections (1): a call's latency without queueing behind others. */
  latency?: { floor: LoadRow; token: LoadRow };
  /** The token call's steps timed on their own, without Next.js (bench/api-breakdown.ts). */
  steps?: Step[];
};

export type ApiReport = {
  startedAt: string;
  finishedAt?: string;
  command: string;
  machine: Machine;
  options: Record<string, unknown>;
  runs: DatabaseRun[];
  errors: { database: string; error: string }[];
};

export function summarize(database: string, singleFlight: SingleFlight, floorBefore: LoadRow, token: LoadRow, floorAfter: LoadRow, pgPerCall?: PgTrace): DatabaseRun {
  const floor = (floorBefore.requestsPerSecond + floorAfter.requestsPerSecond) / 2;
  const shareOfFloor = floor > 0 ? token.requestsPerSecond / floor : 0;
  return { database, singleFlight, floorBefore, token, floorAfter, shareOfFloor, meetsP99: token.p99Ms < TARGET_P99_MS, meetsShare: shareOfFloor >= TARGET_FLOOR_SHARE, ...(pgPerCall ? { pgPerCall } : {}) };
}

const pad = (s: string, n: number) => s.padEnd(n);
const num = (n: number, digits = 0) => n.toFixed(digits).padStart(8);

function row(label: string, r: LoadRow, extra = "") {
  const bad = r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors: ${JSON.stringify(r.statuses)})` : "";
  const cpu = (v: number | null) => (v === null ? "–".padStart(8) : num(v, 2));
  return `${pad(label, 34)}${num(r.requestsPerSecond)}${num(r.p50Ms, 1)}${num(r.p99Ms, 1)}${num(r.maxMs, 0)}${cpu(r.portalCpuMsPerRequest)}${cpu(r.postgresCpuMsPerRequest)}${num(r.load1, 2)}${extra}${bad}`;
}

export function printRun(run: DatabaseRun) {
  // The columns: requests/s, latency, the portal's and PostgreSQL's CPU per request, the load average after the run.
  const sf = run.singleFlight;
  const same = sf.ok === sf.calls && sf.distinctTokens === 1;
  console.log(`\n${run.database}: ${run.token.connections} connections, ${run.token.durationS} s per run`);
  console.log(`${pad("route", 34)}${"req/s".padStart(8)}${"p50 ms".padStart(8)}${"p99 ms".padStart(8)}${"max ms".padStart(8)}${"CPU ms".padStart(8)}${"PG CPU".padStart(8)}${"load".padStart(8)}`);
  console.log(row("GET /api/v1/ping (floor, before)", run.floorBefore));
  console.log(row("POST …/token (cached token)", run.token, `   ${(run.shareOfFloor * 100).toFixed(0)} % of the floor`));
  console.log(row("GET /api/v1/ping (floor, after)", run.floorAfter));
  const l = run.latency;
  if (l) {
    console.log(row(`GET /api/v1/ping, ${l.floor.connections} connection`, l.floor));
    console.log(row(`POST …/token, ${l.token.connections} connection`, l.token));
  }
  const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
  console.log(
    `targets: p99 < ${TARGET_P99_MS} ms ${verdict(run.meetsP99)} at ${run.token.connections} connections (${run.token.p99Ms.toFixed(1)} ms; the floor's own ${run.floorBefore.p99Ms.toFixed(1)} / ${run.floorAfter.p99Ms.toFixed(1)} ms)` +
      `${l ? `, ${verdict(l.token.p99Ms < TARGET_P99_MS)} at ${l.token.connections} (${l.token.p99Ms.toFixed(1)} ms)` : ""}; ` +
      `≥ ${TARGET_FLOOR_SHARE * 100} % of the floor's rate ${verdict(run.meetsShare)} (${(run.shareOfFloor * 100).toFixed(0)} %)`,
  );
  console.log(
    `single flight: ${sf.calls} concurrent → ${sf.refreshes} refresh${sf.refreshes === 1 ? "" : "es"} at the emulator${sf.refreshes === 1 ? "" : " (expected exactly 1)"}; ` +
      `${same ? `all ${sf.calls} got the same token` : `${sf.ok} answered 200 with ${sf.distinctTokens} distinct token(s), statuses ${JSON.stringify(sf.statuses)}${sf.firstError ? `, e.g. ${sf.firstError}` : ""}`}; ${sf.ms.toFixed(0)} ms for the burst`,
  );
  if (run.pgPerCall) {
    const tables = Object.entries(run.pgPerCall.tables)
      .sort(([, a], [, b]) => b.scansPerCall + b.writesPerCall - (a.scansPerCall + a.writesPerCall))
      .map(([name, t]) => `${name} ${t.scansPerCall.toFixed(2)} scans${t.writesPerCall >= 0.01 ? ` + ${t.writesPerCall.toFixed(2)} rows written` : ""}`);
    console.log(`PostgreSQL per token call: ${run.pgPerCall.commits.toFixed(2)} transactions; ${tables.join(", ")}`);
  }
  if (run.steps) {
    console.log("the token call's steps on their own, one at a time, no Next.js (ms):");
    for (const st of run.steps) console.log(`  ${pad(st.step, 66)} mean ${st.meanMs.toFixed(2)}  p50 ${st.p50Ms.toFixed(2)}  p99 ${st.p99Ms.toFixed(2)}  CPU ${st.cpuMs.toFixed(2)}${st.statements === null ? "" : `  ${st.statements.toFixed(1)} statements`}`);
  }
}

export function printReport(report: ApiReport) {
  console.log(`\nToken API bench — ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}`);
  console.log("The machine is shared: the load column is the 1-minute load average after each run; anything else running lowers every figure.");
  console.log("CPU ms: the portal process's CPU per request; PG CPU: every local PostgreSQL process's CPU per request (other databases' work included).");
  for (const run of report.runs) printRun(run);
  for (const e of report.errors) console.log(`\n${e.database}: FAILED — ${e.error}`);
}
