import type { Db } from "@/lib/db-client";
import type { Health } from "@/generated/prisma/enums";
import { listIntegrations } from "./integrations";

// The Integrations list as an admin reads it: per integration, how its mailboxes are doing (one
// grouped count over the org's connections), when its credentials were last checked and why
// they fail, and when its secret or certificate expires.

type StoredStep = { id?: string; label?: string; status?: string; diagnosis?: string; detail?: string };

export type CredentialCheckWords = { at: Date | null; failed: { step: string; code: string | null; detail: string | null } | null };

/** The last credentials check's first failed step, in words. */
export function lastCredentialCheck(i: { lastCheckedAt: Date | null; lastCheck: unknown }): CredentialCheckWords {
  const steps = ((i.lastCheck as { steps?: StoredStep[] } | null)?.steps ?? []) as StoredStep[];
  const f = steps.find((s) => s.status === "failed");
  return { at: i.lastCheckedAt, failed: f ? { step: f.label ?? f.id ?? "A step", code: f.diagnosis ?? null, detail: f.detail ?? null } : null };
}

export async function listIntegrationsWithHealth(db: Db, orgId: string) {
  const [integrations, groups] = await Promise.all([
    listIntegrations(db, orgId),
    db.connection.groupBy({ by: ["integrationId", "health"], where: { orgId }, _count: { _all: true } }),
  ]);
  const byIntegration = new Map<string, Partial<Record<Health, number>>>();
  for (const g of groups) byIntegration.set(g.integrationId, { ...byIntegration.get(g.integrationId), [g.health]: g._count._all });
  return integrations.map((i) => {
    const health = byIntegration.get(i.id) ?? {};
    const mailboxes = Object.values(health).reduce((n, c) => n + (c ?? 0), 0);
    return { ...i, health, mailboxes, credentialCheck: lastCredentialCheck(i) };
  });
}
