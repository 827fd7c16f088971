import type { Db } from "@/lib/db-client";
import type { Health } from "@/generated/prisma/enums";
import { healthCounts } from "@/lib/checks/history";

// The support org page without loading every connection: counts by health, the integrations with
// their mailboxes counted by health (index only on orgId, integrationId, health), and the most
// recently failing mailboxes (orgId, health, healthChangedAt index: no sort).

export const RECENT_FAILING = 20;

export async function supportOrgSummary(db: Db, orgId: string, limit = RECENT_FAILING) {
  const [health, integrations, groups, failing] = await Promise.all([
    healthCounts(db, orgId),
    // Names and states only: never the secret, certificate key or last check's raw data.
    db.integration.findMany({
      where: { orgId },
      orderBy: { name: "asc" },
      select: { id: true, name: true, cloud: true, clientId: true, tenantMode: true, tenant: true, credentialType: true, status: true, lastCheckedAt: true, secretExpiresAt: true, certificateExpiresAt: true },
    }),
    db.connection.groupBy({ by: ["integrationId", "health"], where: { orgId }, _count: { _all: true } }),
    db.connection.findMany({
      where: { orgId, health: "FAILING" },
      orderBy: [{ healthChangedAt: "desc" }, { id: "desc" }],
      take: limit,
      select: { id: true, mailbox: true, displayName: true, health: true, healthClass: true, healthCode: true, healthReason: true, healthChangedAt: true, integration: { select: { name: true } } },
    }),
  ]);
  const byIntegration = new Map<string, Partial<Record<Health, number>>>();
  for (const g of groups) byIntegration.set(g.integrationId, { ...byIntegration.get(g.integrationId), [g.health]: g._count._all });
  const total = Object.values(health).reduce((a, b) => a + b, 0);
  return {
    total,
    health,
    integrations: integrations.map((i) => {
      const h = byIntegration.get(i.id) ?? {};
      return { ...i, health: h, mailboxes: Object.values(h).reduce((n, c) => n + (c ?? 0), 0) };
    }),
    failing,
  };
}

export type SupportOrgSummary = Awaited<ReturnType<typeof supportOrgSummary>>;
