import type { Db } from "@/lib/db-client";
import type { Health } from "@/generated/prisma/enums";
import { HEALTH_CLASSES } from "@/lib/connections/mailbox-list";

// The support console's fleet view: health counts across every org and the tenants and orgs with
// the most failing connections. Grouped counts on indexed columns only (health, healthClass;
// health, orgId, tenantId): no connection row is loaded, whatever the size of the fleet.

export const TOP = 10;

export type HealthClass = (typeof HEALTH_CLASSES)[number];
export type FleetCounts = { total: number; health: Record<Health, number>; failingByClass: Record<HealthClass, number>; failingOther: number };

const emptyHealth = (): Record<Health, number> => ({ FAILING: 0, DEGRADED: 0, AT_RISK: 0, HEALTHY: 0, UNKNOWN: 0 });

/** Connections by health, and the failing ones by class (one grouped index-only scan). */
export async function fleetCounts(db: Db): Promise<FleetCounts> {
  const groups = await db.connection.groupBy({ by: ["health", "healthClass"], _count: { _all: true } });
  const health = emptyHealth();
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

export type FailingTenant = { tenantId: string; failing: number; orgs: number };
export type FailingOrg = { id: string; slug: string; name: string; failing: number; total: number };

/** The Microsoft tenants with the most failing connections, most first (ties by tenant id), with how many orgs they span. */
export async function topFailingTenants(db: Db, limit = TOP): Promise<FailingTenant[]> {
  // Index-only on (health, orgId, tenantId): only the failing entries are read.
  const rows = await db.$queryRaw<{ tenantId: string; failing: number; orgs: number }[]>`
    SELECT "tenantId"::text AS "tenantId", count(*)::int AS failing, count(DISTINCT "orgId")::int AS orgs
    FROM "Connection" WHERE health = 'FAILING'
    GROUP BY "tenantId" ORDER BY failing DESC, "tenantId" LIMIT ${limit}`;
  return rows;
}

/** The orgs with the most failing connections, most first (ties by org id), with each org's connection count. */
export async function topFailingOrgs(db: Db, limit = TOP): Promise<FailingOrg[]> {
  const top = await db.connection.groupBy({
    by: ["orgId"],
    where: { health: "FAILING" },
    _count: { _all: true },
    orderBy: [{ _count: { orgId: "desc" } }, { orgId: "asc" }],
    take: limit,
  });
  if (top.length === 0) return [];
  const ids = top.map((t) => t.orgId);
  const [orgs, totals] = await Promise.all([
    db.org.findMany({ where: { id: { in: ids } }, select: { id: true, slug: true, name: true } }),
    db.connection.groupBy({ by: ["orgId"], where: { orgId: { in: ids } }, _count: { _all: true } }),
  ]);
  const org = new Map(orgs.map((o) => [o.id, o]));
  const total = new Map(totals.map((t) => [t.orgId, t._count._all]));
  return top.flatMap((t) => {
    const o = org.get(t.orgId);
    return o ? [{ ...o, failing: t._count._all, total: total.get(t.orgId) ?? t._count._all }] : [];
  });
}

export async function fleetView(db: Db) {
  const [counts, tenants, orgs, orgCount] = await Promise.all([fleetCounts(db), topFailingTenants(db), topFailingOrgs(db), db.org.count()]);
  return { counts, tenants, orgs, orgCount };
}
