// bench:bridge's results: the JSON it writes and the table it prints (the load average beside each
// row, because the machine is shared and every figure is a rate on its cores).
import type { LoadResult } from "./bridge-load";
import type { Machine } from "./machine";

export const BRIDGE_TARGETS = { ratePercent: 70, addedP50Ms: 5 };

export type Row = Omit<LoadResult, "latencies"> & { round: number; protocol: "smtp" | "imap"; via: "direct" | "bridge"; bridgeCpuMsPerSession: number | null; emulatorCpuMsPerSession: number | null; clientCpuMsPerSession?: number | null; load1: number;
  /** Bridge rows: the bridge's database work per session (Prisma operations by name; SQL statements on the embedded database). */
  db?: { operationsPerSession: number; statementsPerSession: number | null; operations: Record<string, number> };
};
export type Comparison = { protocol: "smtp" | "imap"; directPerSecond: number; bridgePerSecond: number; ratePercent: number; directP50Ms: number; bridgeP50Ms: number; addedP50Ms: number; directP99Ms: number; bridgeP99Ms: number; addedP99Ms: number };
type Memory = { rssKb: number; heapUsedKb: number; sessions: number };
export type BridgeReport = {
  startedAt: string;
  options: Record<string, unknown>;
  machine: Machine;
  database: string;
  rows: Row[];
  comparison: Comparison[];
  idle?: { requested: number; open: number; failed: number; firstError?: string; bridgeSessions: number; openSeconds: number; before: Memory; after: Memory; rssKbPerSession: number | null; heapKbPerSession: number | null; load1: number };
};

const pad = (s: string | number, n: number) => String(s).padStart(n);

export function printBridgeReport(r: BridgeReport) {
  console.log(`\nMail bridge vs direct (${r.machine.cpus} × ${r.machine.cpuModel}, ${r.database} database, ${String(r.options.concurrency)} concurrent sessions)`);
  console.log(`${"round".padEnd(6)}${"session".padEnd(34)}${pad("sessions", 9)}${pad("/s", 8)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("errors", 7)}${pad("bridge CPU ms", 14)}${pad("emu CPU ms", 11)}${pad("client CPU", 11)}${pad("load", 6)}${pad("db ops", 8)}${pad("SQL", 6)}`);
  for (const x of r.rows) {
    const what = x.protocol === "smtp" ? "SMTP 10 KB submission" : "IMAP login+SELECT+FETCH 10";
    console.log(`${String(x.round).padEnd(6)}${`${what} ${x.via}`.padEnd(34)}${pad(x.sessions, 9)}${pad(x.perSecond, 8)}${pad(x.p50Ms, 9)}${pad(x.p99Ms, 9)}${pad(x.errors, 7)}${pad(x.bridgeCpuMsPerSession ?? "", 14)}${pad(x.emulatorCpuMsPerSession ?? "", 11)}${pad(x.clientCpuMsPerSession ?? "", 11)}${pad(x.load1, 6)}${pad(x.db?.operationsPerSession ?? "", 8)}${pad(x.db?.statementsPerSession ?? "", 6)}`);
  }
  console.log(`\n${"".padEnd(6)}${"bridge / direct".padEnd(34)}${pad("rate", 9)}${pad("+p50 ms", 9)}${pad("+p99 ms", 9)}  targets: ≥ ${BRIDGE_TARGETS.ratePercent} % of the rate, < ${BRIDGE_TARGETS.addedP50Ms} ms added p50`);
  for (const c of r.comparison) {
    const ok = c.ratePercent >= BRIDGE_TARGETS.ratePercent && c.addedP50Ms < BRIDGE_TARGETS.addedP50Ms;
    console.log(`${"".padEnd(6)}${(c.protocol === "smtp" ? "SMTP" : "IMAP").padEnd(34)}${pad(`${c.ratePercent} %`, 9)}${pad(c.addedP50Ms, 9)}${pad(c.addedP99Ms, 9)}  ${ok ? "met" : "MISSED"} (${c.bridgePerSecond}/s vs ${c.directPerSecond}/s)`);
  }
  if (r.idle) {
    const i = r.idle;
    console.log(`\nIdle IMAP sessions through one bridge process: ${i.bridgeSessions} open (${i.failed} failed) in ${i.openSeconds} s; RSS ${Math.round(i.before.rssKb / 1024)} → ${Math.round(i.after.rssKb / 1024)} MB = ${i.rssKbPerSession} KB per session (JS heap ${i.heapKbPerSession} KB); load ${i.load1}`);
  }
}
