import type { Db } from "@/lib/db-client";
import { healthBreakdown } from "@/lib/checks/history";

// The support console's fleet view: health counts across every org and the tenants and orgs with
// the most failing connections. Grouped counts on indexed columns only (health, healthClass;
// health, orgId, tenantId): no connection row is loaded, whatever the size of the fleet.

export const TOP = 10;

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
  const [counts, tenants, orgs, orgCount] = await Promise.all([healthBreakdown(db), topFailingTenants(db), topFailingOrgs(db), db.org.count()]);
  return { counts, tenants, orgs, orgCount };
}
