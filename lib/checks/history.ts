import type { Db } from "@/lib/db-client";
import type { CheckOutcome, CheckTrigger, Health } from "@/generated/prisma/enums";
import type { CheckStep } from "./health";

// What screens read back of checks: a connection's latest runs, and an org's health counts.
// Reads only; lib/checks/record.ts writes.

export type CheckRow = {
  id: string;
  trigger: CheckTrigger;
  startedAt: Date;
  durationMs: number;
  outcome: CheckOutcome;
  failureCode: string | null;
  failureClass: string | null;
  health: Health;
  /** Steps that failed, in order: id and code. */
  failedSteps: { id: string; code: string | null }[];
};

/** The connection's latest checks, newest first, read within the org (never by id alone). */
export async function recentChecks(db: Db, orgId: string, connectionId: string, limit = 20): Promise<CheckRow[]> {
  const rows = await db.check.findMany({
    where: { orgId, connectionId },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, limit), 100),
    select: { id: true, trigger: true, startedAt: true, durationMs: true, outcome: true, failureCode: true, failureClass: true, health: true, steps: true },
  });
  return rows.map(({ steps, ...r }) => ({
    ...r,
    failedSteps: (Array.isArray(steps) ? (steps as CheckStep[]) : []).filter((s) => s?.status === "failed").map((s) => ({ id: String(s.id), code: s.code ?? null })),
  }));
}

export type HealthCounts = Record<Health, number>;
const emptyCounts = (): HealthCounts => ({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 0, UNKNOWN: 0 });

/** How many of the org's connections are in each health (the indexed column, one grouped query). */
export async function healthCounts(db: Db, orgId: string): Promise<HealthCounts> {
  const groups = await db.connection.groupBy({ by: ["health"], where: { orgId }, _count: { _all: true } });
  const counts = emptyCounts();
  for (const g of groups) counts[g.health] = g._count._all;
  return counts;
}
