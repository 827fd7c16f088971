import { record, type RequestMeta } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import type { Purpose } from "@/lib/microsoft/scopes";
import { getConnection } from "./connections";
import { getAccessToken, type Resource, type TokenDeps } from "./tokens";
import type { FailureClass } from "@/lib/diagnosis/catalog";

type Actor = { id: string; email: string };

export type RefreshNowResult = { resource: Resource } & ({ ok: true; expiresAt: Date } | { ok: false; code: string; classification: FailureClass });

/**
 * "Refresh now": a fresh access token for every resource the integration uses, through the same
 * single-flight refresh as every other caller (a refresh already under way is joined, not repeated).
 */
export async function refreshNow(deps: TokenDeps, orgId: string, connectionId: string, actor: Actor, meta?: RequestMeta): Promise<RefreshNowResult[]> {
  const connection = await getConnection(deps.db, orgId, connectionId);
  if (!connection) throw notFound("That mailbox connection");
  const results: RefreshNowResult[] = [];
  for (const resource of resourcesFor(connection.integration.purposes as Purpose[]) as Resource[]) {
    const r = await getAccessToken(deps, orgId, connection.id, resource, { force: true, cause: { by: "refresh-now", userId: actor.id } });
    results.push(r.ok ? { resource, ok: true, expiresAt: r.value.expiresAt } : { resource, ok: false, code: r.failure.code, classification: r.classification });
  }
  await record(deps.db, {
    action: "connection.refreshed_by_hand",
    orgId,
    actor,
    targetType: "connection",
    targetId: connection.id,
    data: { mailbox: connection.mailbox, results: results.map((r) => (r.ok ? `${r.resource}: ok` : `${r.resource}: ${r.code}`)) },
    meta,
  });
  return results;
}
