// The console bench's table (stdout), its markdown twin, and the shape of bench/results/console-<date>.json.
import type { ConsoleOptions } from "./console-options";
import type { Fixture } from "./console-seed";
import type { Machine } from "./machine";

export type PageResult = {
  name: string;
  as: string;
  path: string;
  statuses: number[];
  location?: string;
  note?: string;
  error?: string;
  requests: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  htmlBytes: number;
  peakRssBytesSoFar: number;
};

export type ConsoleReport = {
  startedAt: string;
  finishedAt?: string;
  command: string;
  machine: Machine;
  options: ConsoleOptions;
  database: string;
  buildMs?: number;
  seed: { ms?: number; phases?: Record<string, number>; rollups?: { ms: number; runs: number; rows: Record<string, number> } };
  fixture?: Fixture;
  rssAtStartBytes?: number;
  peakRssBytes?: number;
  restarts?: number;
  memory?: { peakTreeRssBytes: number; serverHwmBytes: number; processes: number };
  pages: PageResult[];
};

/** The issue's targets: reported beside the figures, never asserted. */
export const TARGETS = { p95Ms: 150, htmlKb: 200, rssMb: 600, seedMinutes: 5 };

const mb = (b: number | undefined) => (b === undefined ? "–" : `${(b / 2 ** 20).toFixed(0)} MB`);
const ok = (pass: boolean) => (pass ? "ok" : "OVER");

function rows(r: ConsoleReport): string[][] {
  const out = [["page", "as", "HTTP", "median ms", "p95 ms", "HTML KB", "p95 < 150", "HTML < 200 KB", "note"]];
  for (const p of r.pages) {
    const served = p.statuses.length > 0 && p.statuses.every((s) => s === 200);
    const status = p.statuses.join("/") + (p.location ? ` → ${p.location.replace(/^https?:\/\/[^/]+/, "")}` : "");
    out.push([p.name, p.as, p.error ? `${status || "–"} ERROR` : status, p.medianMs.toFixed(0), p.p95Ms.toFixed(0), (p.htmlBytes / 1024).toFixed(1), served ? ok(p.p95Ms < TARGETS.p95Ms) : "–", served ? ok(p.htmlBytes / 1024 < TARGETS.htmlKb) : "–", [p.note, p.error?.slice(0, 160)].filter(Boolean).join("; ")]);
  }
  return out;
}

function summary(r: ConsoleReport): string[] {
  const f = r.fixture;
  const seedS = r.seed.ms === undefined ? null : r.seed.ms / 1000;
  const total = (seedS ?? 0) + (r.seed.rollups?.ms ?? 0) / 1000;
  const rollups = r.seed.rollups ? `${(r.seed.rollups.ms / 1000).toFixed(1)} s (lib/checks/rollup.ts runRollup, ${r.seed.rollups.runs} runs a day apart)` : "–";
  return [
    `Database: ${r.database}; ${f ? Object.entries(f.counts).map(([k, v]) => `${v.toLocaleString("en")} ${k}`).join(", ") : ""}`,
    `Largest org: ${f?.largestOrg.slug} (${f?.largestOrg.connections.toLocaleString("en")} connections); timeline of mailbox ${f?.mailboxId}; search for ${f?.mailbox}`,
    `Seeding: ${seedS === null ? "reused an earlier seed" : `${seedS.toFixed(1)} s`}; roll-ups: ${rollups}${seedS === null ? "" : `; together ${total.toFixed(1)} s (target < ${TARGETS.seedMinutes} min: ${ok(total < TARGETS.seedMinutes * 60)})`}`,
    `Server memory (process tree): ${mb(r.rssAtStartBytes)} at start, peak ${mb(r.peakRssBytes)}${r.memory ? ` (tree of ${r.memory.processes} process${r.memory.processes > 1 ? "es" : ""}: sampled ${mb(r.memory.peakTreeRssBytes)}, server VmHWM ${mb(r.memory.serverHwmBytes)})` : ""} (target < ${TARGETS.rssMb} MB: ${r.peakRssBytes === undefined ? "–" : ok(r.peakRssBytes < TARGETS.rssMb * 2 ** 20)})`,
    ...(r.restarts ? [`The server died ${r.restarts} time(s) and was restarted: see the pages marked ERROR`] : []),
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}; load before ${r.machine.loadBefore.map((l) => l.toFixed(2)).join(" ")}, after ${r.machine.loadAfter?.map((l) => l.toFixed(2)).join(" ") ?? "?"}`,
  ];
}

export function printConsoleReport(r: ConsoleReport) {
  const t = rows(r);
  const widths = t[0]!.map((_, i) => Math.max(...t.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => (i <= 2 || i === row.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  console.log(`\nMailgrant console bench — ${r.options.requests} requests per page after ${r.options.warmup} warm-up, time to the whole HTML`);
  for (const s of summary(r)) console.log(s);
  console.log(`\n${line(t[0]!)}`);
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of t.slice(1)) console.log(line(row));
}

export function consoleMarkdown(r: ConsoleReport): string {
  const t = rows(r);
  const md = (row: string[]) => `| ${row.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [
    `# Console bench, ${r.startedAt}`,
    "",
    `\`${r.command}\``,
    "",
    ...summary(r).map((s) => `- ${s}`),
    "",
    md(t[0]!),
    md(t[0]!.map((_, i) => (i >= 3 && i <= 7 ? "---:" : "---"))),
    ...t.slice(1).map(md),
    "",
  ].join("\n");
}
