import type { Db } from "@/lib/db-client";
import type { CheckOutcome, CheckTrigger, Health } from "@/generated/prisma/enums";

// What screens read back of checks: the shape of a check row as tables show it, and an org's health counts.
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

export type HealthCounts = Record<Health, number>;
const emptyCounts = (): HealthCounts => ({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 0, UNKNOWN: 0 });

/** How many of the org's connections are in each health (the indexed column, one grouped query). */
export async function healthCounts(db: Db, orgId: string): Promise<HealthCounts> {
  const groups = await db.connection.groupBy({ by: ["health"], where: { orgId }, _count: { _all: true } });
  const counts = emptyCounts();
  for (const g of groups) counts[g.health] = g._count._all;
  return counts;
}
