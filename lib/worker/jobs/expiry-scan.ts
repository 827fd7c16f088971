import type { Db } from "@/lib/db-client";
import { Prisma } from "@/generated/prisma/client";
import { refreshHealth } from "@/lib/checks/record";
import { AT_RISK_DAYS } from "@/lib/checks/health";
import { INACTIVITY_DAYS } from "@/lib/connections/inactivity";
import { logger } from "@/lib/logger";
import { eachLimited } from "./each-limited";

// The hourly scan: secret and certificate expiry, inactivity deadlines and consent link expiry,
// recorded as ExpiryNotice rows for the alerts to act on.
//
// Set-based: one UPDATE resolves notices whose target no longer has that deadline, one INSERT …
// SELECT records every deadline within the horizon (the unique key on kind, target and deadline
// makes a second run a no-op), and one SELECT finds the few connections whose health the passing
// of time changes (HEALTHY → AT_RISK → FAILING, or back once the secret is replaced or the grant
// used); only those get a per-row health recompute. At 100,000 connections and nothing at risk,
// the scan is four statements.

export type ExpiryScanResult = { created: number; resolved: number };

const DAY_MS = 86_400_000;
/** Health codes that only the clock (and a credential or use) changes; see computeHealth. */
const CLOCK_CODES = ["inactivity_deadline", "secret_expiring", "certificate_expiring", "secret_expired", "certificate_expired"];

/** A UTC instant as the `timestamp(3)` the columns hold (Prisma stores UTC there). */
const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp(3)`;
const days = (n: number) => Prisma.sql`make_interval(days => ${n}::int)`;

/** The active credential's expiry of integration `i`. */
const credentialExpiry = Prisma.sql`CASE WHEN i."credentialType" = 'CERTIFICATE' THEN i."certificateExpiresAt" ELSE i."secretExpiresAt" END`;

export async function scanExpiries(db: Db, opts: { now?: Date; horizonDays?: number } = {}): Promise<ExpiryScanResult> {
  const now = opts.now ?? new Date();
  const horizon = new Date(now.getTime() + (opts.horizonDays ?? 30) * DAY_MS);

  // A notice is over when its target no longer has that deadline: the secret or certificate was
  // replaced (or the integration now uses the other kind), the grant was used or is no longer
  // connected, the link was used or withdrawn; or the target is gone.
  const resolved = await db.$executeRaw`
    UPDATE "ExpiryNotice" n SET "resolvedAt" = ${ts(now)}
    WHERE n."resolvedAt" IS NULL AND NOT (
      (n.kind = 'secret' AND EXISTS (SELECT 1 FROM "Integration" i WHERE i.id = n."targetId" AND i."credentialType" = 'SECRET' AND i."secretExpiresAt" = n.deadline))
      OR (n.kind = 'certificate' AND EXISTS (SELECT 1 FROM "Integration" i WHERE i.id = n."targetId" AND i."credentialType" = 'CERTIFICATE' AND i."certificateExpiresAt" = n.deadline))
      OR (n.kind = 'inactivity' AND EXISTS (SELECT 1 FROM "Connection" c WHERE c.id = n."targetId" AND c.status = 'CONNECTED' AND c."refreshTokenLastUsedAt" + ${days(INACTIVITY_DAYS)} = n.deadline))
      OR (n.kind = 'consent_link' AND EXISTS (SELECT 1 FROM "ConsentLink" l WHERE l.id = n."targetId" AND l.status IN ('PENDING', 'OPENED') AND l."expiresAt" = n.deadline))
    )`;

  // Deadlines already past count for credentials and grants (an expired secret still in use is the
  // most urgent notice); a consent link that has expired can no longer be used, so it is not "expiring".
  // A notice resolved earlier whose target has that deadline again (the integration went back to
  // the same secret) is reopened.
  const created = await db.$executeRaw`
    INSERT INTO "ExpiryNotice" (id, "orgId", kind, "targetType", "targetId", deadline, "detectedAt")
    SELECT gen_random_uuid(), t."orgId", t.kind, t."targetType", t."targetId", t.deadline, ${ts(now)}
    FROM (
      SELECT i."orgId", 'secret' AS kind, 'integration' AS "targetType", i.id AS "targetId", i."secretExpiresAt" AS deadline
        FROM "Integration" i WHERE i."credentialType" = 'SECRET' AND i."secretExpiresAt" <= ${ts(horizon)}
      UNION ALL
      SELECT i."orgId", 'certificate', 'integration', i.id, i."certificateExpiresAt"
        FROM "Integration" i WHERE i."credentialType" = 'CERTIFICATE' AND i."certificateExpiresAt" <= ${ts(horizon)}
      UNION ALL
      SELECT c."orgId", 'inactivity', 'connection', c.id, c."refreshTokenLastUsedAt" + ${days(INACTIVITY_DAYS)}
        FROM "Connection" c WHERE c.status = 'CONNECTED' AND c."refreshTokenLastUsedAt" <= ${ts(horizon)} - ${days(INACTIVITY_DAYS)}
      UNION ALL
      SELECT l."orgId", 'consent_link', 'consent_link', l.id, l."expiresAt"
        FROM "ConsentLink" l WHERE l.status IN ('PENDING', 'OPENED') AND l."expiresAt" > ${ts(now)} AND l."expiresAt" <= ${ts(horizon)}
    ) t
    ON CONFLICT (kind, "targetId", deadline) DO UPDATE SET "resolvedAt" = NULL, "detectedAt" = EXCLUDED."detectedAt"
      WHERE "ExpiryNotice"."resolvedAt" IS NOT NULL`;

  await refreshClockHealth(db, now);
  return { created, resolved };
}

/**
 * Connections whose health the clock changes without a check: HEALTHY ones whose grant or
 * credential now falls within AT_RISK_DAYS, and those already at risk (or failing) for such a
 * reason, so the days left stay true, an expiry turns into "failing", and a replaced secret or a
 * used grant turns back to healthy. Each branch is an index range; the common case finds none.
 */
async function refreshClockHealth(db: Db, now: Date): Promise<void> {
  const riskBy = new Date(now.getTime() + AT_RISK_DAYS * DAY_MS);
  const rows = await db.$queryRaw<{ id: string; orgId: string }[]>`
    SELECT c.id, c."orgId" FROM "Connection" c
      WHERE c.status = 'CONNECTED' AND c.health = 'HEALTHY' AND c."refreshTokenLastUsedAt" < ${ts(riskBy)} - ${days(INACTIVITY_DAYS)}
    UNION
    SELECT c.id, c."orgId" FROM "Integration" i JOIN "Connection" c ON c."integrationId" = i.id
      WHERE (${credentialExpiry}) < ${ts(riskBy)} AND c.status = 'CONNECTED' AND c.health = 'HEALTHY'
    UNION
    SELECT c.id, c."orgId" FROM "Connection" c
      WHERE c.health IN ('AT_RISK', 'FAILING') AND c."healthCode" IN (${Prisma.join(CLOCK_CODES)})`;
  let failed = 0;
  await eachLimited(rows, 4, async (r) => {
    try {
      await refreshHealth(db, r.orgId, r.id, now);
    } catch (err) {
      failed += 1;
      logger.warn({ err, orgId: r.orgId, connectionId: r.id }, "expiry scan: health recompute failed");
    }
  });
  if (rows.length) logger.info({ connections: rows.length, failed }, "expiry scan recomputed health");
}
