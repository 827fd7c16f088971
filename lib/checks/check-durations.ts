import type { Db } from "@/lib/db-client";
import type { CheckOutcome, ProtocolResult } from "@/generated/prisma/enums";
import type { CheckStep } from "./health";
import { PROTOCOLS, protocolResults, type Protocol } from "./record";

// How long each protocol of a check took and whether it worked, from the steps stored on the
// Check row; and the last week of a connection's checks in that shape for the mailbox chart.

export type ProtocolTiming = { protocol: Protocol; result: ProtocolResult; code: string | null; durationMs: number | null };

const ownSteps = (steps: readonly CheckStep[], p: Protocol) => steps.filter((s) => (p === "graph" ? s.id.startsWith("graph-") : s.id === p));

/**
 * Per protocol the check covered: its result (a failed token for it counts, as on the connection's
 * columns) and the time of its own steps. The token requests are left out: one Exchange token
 * serves IMAP, POP and SMTP, so counting it in each would count it three times.
 */
export function protocolTimings(steps: readonly CheckStep[]): ProtocolTiming[] {
  const results = protocolResults(steps);
  const out: ProtocolTiming[] = [];
  for (const p of PROTOCOLS) {
    const r = results[p];
    if (!r) continue;
    const timed = ownSteps(steps, p).filter((s) => typeof s.durationMs === "number" && s.status !== "skipped");
    out.push({ protocol: p, result: r.result, code: r.code, durationMs: timed.length ? timed.reduce((n, s) => n + (s.durationMs ?? 0), 0) : null });
  }
  return out;
}

/** Steps as stored (JSON); anything that is not a step list reads as no steps. */
export const storedSteps = (steps: unknown): CheckStep[] => (Array.isArray(steps) ? (steps as CheckStep[]).filter((s) => s && typeof s.id === "string") : []);

export const CHART_DAYS = 7;
export const CHART_CAP = 500;

/**
 * One check on the chart, as few bytes as the browser needs: t (ms since epoch), o (outcome:
 * P, D or F), ms (per protocol of `protocols`, its duration or null when it did not run) and f
 * (indexes into `protocols` that failed, left out when none).
 */
export type ChartPoint = { t: number; o: "P" | "D" | "F"; ms: (number | null)[]; f?: number[] };
export type ProtocolSummary = { protocol: Protocol; runs: number; failed: number; medianMs: number | null; p95Ms: number | null; lastFailedAt: Date | null };
export type DurationChart = { protocols: Protocol[]; points: ChartPoint[]; from: Date; to: Date; capped: boolean; summary: ProtocolSummary[] };

const OUTCOME_CODE: Record<CheckOutcome, ChartPoint["o"]> = { PASSED: "P", DEGRADED: "D", FAILED: "F" };

function percentile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * The connection's checks of the last CHART_DAYS days, oldest first, at most the newest
 * CHART_CAP (one range read of the Check(connectionId, startedAt) index), read within the org.
 */
export async function checkDurationChart(db: Db, orgId: string, connectionId: string, now = new Date()): Promise<DurationChart> {
  const from = new Date(now.getTime() - CHART_DAYS * 86_400_000);
  const rows = await db.check.findMany({
    // Scoped through the connection, so that only the (connectionId, startedAt) index fits (see lib/connections/timeline.ts).
    where: { connectionId, connection: { orgId }, startedAt: { gte: from } },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: CHART_CAP + 1,
    select: { startedAt: true, outcome: true, steps: true },
  });
  const capped = rows.length > CHART_CAP;
  const kept = rows.slice(0, CHART_CAP).reverse();
  const timed = kept.map((r) => ({ at: r.startedAt, outcome: r.outcome, timings: protocolTimings(storedSteps(r.steps)) }));
  const protocols = PROTOCOLS.filter((p) => timed.some((c) => c.timings.some((t) => t.protocol === p)));
  const points = timed.map((c): ChartPoint => {
    const ms = protocols.map((p) => c.timings.find((t) => t.protocol === p)?.durationMs ?? null);
    const f = protocols.flatMap((p, i) => (c.timings.find((t) => t.protocol === p)?.result === "FAILED" ? [i] : []));
    return { t: c.at.getTime(), o: OUTCOME_CODE[c.outcome], ms, ...(f.length ? { f } : {}) };
  });
  const summary = protocols.map((p): ProtocolSummary => {
    const of = timed.flatMap((c) => c.timings.filter((t) => t.protocol === p).map((t) => ({ at: c.at, ...t })));
    const durations = of.flatMap((t) => (t.durationMs === null ? [] : [t.durationMs])).sort((a, b) => a - b);
    const failures = of.filter((t) => t.result === "FAILED");
    return { protocol: p, runs: of.length, failed: failures.length, medianMs: percentile(durations, 0.5), p95Ms: percentile(durations, 0.95), lastFailedAt: failures.at(-1)?.at ?? null };
  });
  return { protocols, points, from: capped && kept[0] ? kept[0].startedAt : from, to: now, capped, summary };
}
