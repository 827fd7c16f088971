import type { TokenDeps } from "@/lib/connections/tokens";
import { getAccessToken, type Resource } from "@/lib/connections/tokens";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import type { Purpose } from "@/lib/microsoft/scopes";
import { logger } from "@/lib/logger";
import { eachLimited } from "./each-limited";

// Keep-alive: refresh every grant unused for the org's keepAliveDays (default 7), far inside
// Microsoft's 90 days, through the one single-flight refresh (lib/connections/tokens.ts).
// A refresh redeems the refresh token, which restarts Microsoft's inactivity clock; tokens.ts
// records the use (refreshTokenLastUsedAt) and only a grant Microsoft refused changes the status,
// so a transient fault here leaves the grant CONNECTED and it is simply tried again later.

export type KeepAliveResult = { considered: number; refreshed: number; failed: number };

const CONCURRENCY = 4;
const DEFAULT_LIMIT = 500;
/**
 * A grant whose last refresh failed is left alone this long. Without it, grants that keep failing
 * (a misconfigured integration) would stay the oldest and take every run's `limit` from the rest.
 */
export const KEEPALIVE_RETRY_AFTER_MS = 60 * 60_000;

type Due = { id: string; orgId: string; purposes: string[] };

/** The one token a keep-alive asks for: Graph's when the integration uses Graph, else Exchange's. */
export function keepAliveResource(purposes: readonly string[]): Resource {
  return resourcesFor(purposes as Purpose[])[0] ?? "outlook";
}

export async function keepAliveSweep(deps: TokenDeps, opts: { now?: Date; limit?: number } = {}): Promise<KeepAliveResult> {
  const now = opts.now ?? deps.now?.() ?? new Date();
  const limit = opts.limit ?? DEFAULT_LIMIT;
  // Timestamps go in as UTC text cast to `timestamp`, the columns' type (Prisma stores UTC there).
  const nowTs = now.toISOString();
  const failedBefore = new Date(now.getTime() - KEEPALIVE_RETRY_AFTER_MS).toISOString();
  // Set-based: one query finds the oldest idle grants across all orgs, each against its own org's age.
  const due = await deps.db.$queryRaw<Due[]>`
    SELECT c.id, c."orgId", i.purposes
    FROM "Connection" c
    JOIN "Org" o ON o.id = c."orgId"
    JOIN "Integration" i ON i.id = c."integrationId"
    WHERE c.status = 'CONNECTED'
      AND c."refreshTokenEncrypted" IS NOT NULL
      AND (c."refreshTokenLastUsedAt" IS NULL OR c."refreshTokenLastUsedAt" < ${nowTs}::timestamp(3) - make_interval(days => o."keepAliveDays"))
      AND (c."lastFailure" IS NULL OR COALESCE(c."lastFailure"->>'at', '') < ${failedBefore})
    ORDER BY c."refreshTokenLastUsedAt" ASC NULLS FIRST, c.id
    LIMIT ${limit}`;

  const result: KeepAliveResult = { considered: due.length, refreshed: 0, failed: 0 };
  await eachLimited(due, CONCURRENCY, async (c) => {
    const resource = keepAliveResource(c.purposes);
    try {
      const r = await getAccessToken(deps, c.orgId, c.id, resource, { force: true, cause: { by: "keep-alive" } });
      if (r.ok) result.refreshed += 1;
      else {
        result.failed += 1;
        logger.info({ orgId: c.orgId, connectionId: c.id, resource, code: r.failure.code, classification: r.classification }, "keep-alive refresh failed");
      }
    } catch (err) {
      // A database hiccup for one grant must not stop the sweep; the grant stays due.
      result.failed += 1;
      logger.warn({ err, orgId: c.orgId, connectionId: c.id, resource }, "keep-alive refresh threw");
    }
  });
  return result;
}
