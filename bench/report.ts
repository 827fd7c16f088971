// The bench's table (stdout) and the shape of bench/results/sweep-<date>.json.
import type { FloorResult } from "./floor";
import type { PgDelta } from "./pg-stats";
import type { Options } from "./options";
import type { Machine } from "./machine";

export type SweepResult = {
  label: string;
  db: "postgres" | "embedded";
  processes: number;
  checks: number;
  passed: number;
  failures: { code: string | null; n: number }[];
  /** From the moment every connection was made due to the end of the last check (Check rows). */
  seconds: number;
  checksPerSecond: number;
  p50Ms: number | null;
  p95Ms: number | null;
  peakRssBytes: number;
  rssAfterBytes: number;
  /** User + system CPU of the worker process(es), per check. */
  workerCpuMsPerCheck: number;
  emulatorCpuMsPerCheck: number | null;
  statementsPerCheck: number;
  pg?: PgDelta;
  load: number[];
};

export type Report = {
  startedAt: string;
  finishedAt?: string;
  command: string;
  machine: Machine;
  options: Options;
  worker: string;
  seed: { emulatorMs?: number; postgresMs?: number; embeddedMs?: number };
  floor: (FloorResult & { emulatorCpuMs: number | null })[];
  sweeps: SweepResult[];
};

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const f1 = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n.toFixed(1));
const f0 = (n: number | null | undefined) => (n === null || n === undefined ? "–" : Math.round(n).toString());

export function printReport(r: Report) {
  const floor = r.floor.length ? Math.max(...r.floor.map((f) => f.checksPerSecond)) : null;
  const rows: string[][] = [["run", "checks", "ok", "s", "checks/s", "% floor", "p50 ms", "p95 ms", "peak RSS", "CPU ms/check", "emu CPU ms/check", "stmts/check", "commits/check", "rows/check", "WAL B/check (db)", "load"]];
  for (const f of r.floor) {
    rows.push(["floor (no portal code)", String(f.checks), String(f.passed), f1(f.durationMs / 1000), f1(f.checksPerSecond), "100", f0(f.p50Ms), f0(f.p95Ms), mb(f.peakRssBytes), f1(f.cpuMs / f.checks), f1(f.emulatorCpuMs === null ? null : f.emulatorCpuMs / f.checks), "0", "0", "0", "0", "–"]);
  }
  for (const s of r.sweeps) {
    const per = (n: number | null | undefined) => (n === null || n === undefined ? null : n / Math.max(1, s.checks));
    rows.push([
      s.label,
      String(s.checks),
      String(s.passed),
      f1(s.seconds),
      f1(s.checksPerSecond),
      floor ? f0((100 * s.checksPerSecond) / floor) : "–",
      f0(s.p50Ms),
      f0(s.p95Ms),
      mb(s.peakRssBytes),
      f1(s.workerCpuMsPerCheck),
      f1(s.emulatorCpuMsPerCheck),
      f1(s.statementsPerCheck),
      f1(per(s.pg?.commits)),
      f1(per(s.pg?.rowsWritten)),
      s.pg ? `${f0(per(s.pg.walBytes))} (${f0(per(s.pg.walBytesThisDatabase))})` : "–",
      s.load[0]!.toFixed(2),
    ]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  console.log(`\nMailgrant sweep bench — ${r.options.connections} connections, ${r.options.tenants} tenants, purposes ${r.options.purposes.join("+")}, concurrency ${r.options.concurrency}, worker: ${r.worker}`);
  console.log(`${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}; load before ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${r.machine.loadAfter?.map((l) => l.toFixed(2)).join(" ") ?? "?"}\n`);
  console.log(line(rows[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows.slice(1)) console.log(line(row));
  const pg = r.sweeps.filter((s) => s.db === "postgres" && s.processes === 1);
  if (pg.length >= 3) console.log(`\nRSS: peak of sweep 3 is ${(pg[2]!.peakRssBytes / pg[0]!.peakRssBytes).toFixed(2)}× sweep 1's (target ≤ 1.2×)`);
  if (floor && pg.length) console.log(`PostgreSQL: ${f0((100 * Math.max(...pg.map((s) => s.checksPerSecond))) / floor)}% of the floor at best (target ≥ 70%)`);
  const scale = r.sweeps.filter((s) => s.db === "postgres" && (s.processes > 1 || s === pg[0]));
  if (scale.length > 1) console.log(`Worker processes on PostgreSQL: ${scale.map((s) => `${s.processes} → ${s.checksPerSecond.toFixed(1)}/s`).join(", ")} (1 process: postgres sweep 1)`);
  const failed = [...r.floor.map((f) => f.failed), ...r.sweeps.map((s) => s.checks - s.passed)].some((n) => n > 0);
  if (failed) console.log("Some checks failed: see failures in the JSON (a bench of failing checks measures the wrong thing).");
}
