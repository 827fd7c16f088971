import type { Db } from "@/lib/db-client";
import { healthBreakdown } from "@/lib/checks/history";
import { diagnose } from "@/lib/diagnosis/catalog";

// The org overview from indexed columns and grouped counts, never by loading every connection:
// health and consent counts, the failing mailboxes first (with the fix), what is at risk and
// until when, and the integrations whose secret or certificate expires within 30 days.

const LIST = 10;
const DAY_MS = 86_400_000;

export async function orgOverview(db: Db, orgId: string, now = new Date()) {
  const [breakdown, statuses, [outdated], failing, atRisk, expiring, next] = await Promise.all([
    healthBreakdown(db, orgId),
    db.connection.groupBy({ by: ["status"], where: { orgId }, _count: { _all: true } }),
    db.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM "Connection" c JOIN "Integration" i ON i.id = c."integrationId"
      WHERE c."orgId" = ${orgId}::uuid AND c.status = 'CONNECTED' AND c."consentedConfigVersion" < i."configVersion"`,
    db.connection.findMany({
      where: { orgId, health: "FAILING" },
      orderBy: [{ healthChangedAt: "asc" }, { id: "asc" }],
      take: LIST,
      select: { id: true, mailbox: true, displayName: true, healthClass: true, healthCode: true, healthReason: true, healthChangedAt: true },
    }),
    db.connection.findMany({
      where: { orgId, health: "AT_RISK" },
      orderBy: [{ healthChangedAt: "asc" }, { id: "asc" }],
      take: LIST,
      select: { id: true, mailbox: true, healthCode: true, healthReason: true, refreshTokenLastUsedAt: true },
    }),
    db.integration.findMany({
      where: { orgId, OR: [{ credentialType: "SECRET", secretExpiresAt: { lte: new Date(now.getTime() + 30 * DAY_MS) } }, { credentialType: "CERTIFICATE", certificateExpiresAt: { lte: new Date(now.getTime() + 30 * DAY_MS) } }] },
      select: { id: true, name: true, credentialType: true, secretExpiresAt: true, certificateExpiresAt: true },
    }),
    db.connection.findFirst({ where: { orgId, status: "CONNECTED", nextCheckAt: { not: null } }, orderBy: { nextCheckAt: "asc" }, select: { nextCheckAt: true } }),
  ]);
  const byStatus = Object.fromEntries(statuses.map((s) => [s.status, s._count._all])) as Partial<Record<"CONNECTED" | "NEEDS_RECONSENT" | "REVOKED", number>>;
  const total = statuses.reduce((n, s) => n + s._count._all, 0);
  const outdatedCount = outdated?.n ?? 0;
  return {
    total,
    health: breakdown.health,
    /** Failing mailboxes per class, most first: "2 misconfigured · 1 blocked" (no class: "other"). */
    failingByClass: [...Object.entries(breakdown.failingByClass).map(([c, count]) => ({ class: c as string | null, count })), { class: null, count: breakdown.failingOther }]
      .filter((f) => f.count > 0)
      .sort((a, b) => b.count - a.count || String(a.class).localeCompare(String(b.class))),
    consent: { connected: (byStatus.CONNECTED ?? 0) - outdatedCount, needsReconsent: (byStatus.NEEDS_RECONSENT ?? 0) + outdatedCount, revoked: byStatus.REVOKED ?? 0 },
    failing: failing.map((c) => ({ ...c, fix: c.healthCode ? diagnose(c.healthCode).fix : null })),
    atRisk,
    expiring: expiring
      .map((i) => ({ id: i.id, name: i.name, what: i.credentialType === "CERTIFICATE" ? "certificate" : "client secret", at: (i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt)! }))
      .sort((a, b) => a.at.getTime() - b.at.getTime()),
    nextCheckAt: next?.nextCheckAt ?? null,
  };
}
