import type { Db } from "@/lib/db-client";
import type { CheckOutcome, CheckTrigger, Health } from "@/generated/prisma/enums";
import { HEALTH_CLASSES } from "@/lib/connections/mailbox-list";

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

export type HealthClass = (typeof HEALTH_CLASSES)[number];
export type HealthBreakdown = { total: number; health: Record<Health, number>; failingByClass: Record<HealthClass, number>; failingOther: number };

/** Connections by health, and the failing ones by class, of one org or (no orgId) the whole fleet: one grouped index-only scan. */
export async function healthBreakdown(db: Db, orgId?: string): Promise<HealthBreakdown> {
  const groups = await db.connection.groupBy({ by: ["health", "healthClass"], ...(orgId ? { where: { orgId } } : {}), _count: { _all: true } });
  const health = emptyCounts();
  const failingByClass = Object.fromEntries(HEALTH_CLASSES.map((c) => [c, 0])) as Record<HealthClass, number>;
  let failingOther = 0;
  let total = 0;
  for (const g of groups) {
    const n = g._count._all;
    total += n;
    health[g.health] += n;
    if (g.health !== "FAILING") continue;
    if (g.healthClass && (HEALTH_CLASSES as readonly string[]).includes(g.healthClass)) failingByClass[g.healthClass as HealthClass] += n;
    else failingOther += n;
  }
  return { total, health, failingByClass, failingOther };
}
