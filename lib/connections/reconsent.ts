import { AppError, notFound } from "@/lib/errors";
import { getIntegration } from "@/lib/integrations/integrations";
import { startConnect, type FlowDeps } from "./consent";
import { getConnection } from "./connections";
import { pendingClaims } from "./connection-test";

/**
 * Re-consent for an existing connection: the same flow as connecting, with Microsoft's consent
 * screen forced, for the same mailbox. When the last failure was a claims challenge, the new
 * sign-in carries its claims so it satisfies the policy that asked.
 */
export async function startReconsent(deps: FlowDeps, orgId: string, connectionId: string, startedById: string, browserId: string): Promise<{ url: string }> {
  const connection = await getConnection(deps.db, orgId, connectionId);
  if (!connection) throw notFound("That mailbox connection");
  const integration = await getIntegration(deps.db, orgId, connection.integrationId);
  if (!integration) throw new AppError("not_found", "The integration of this mailbox was removed; connect the mailbox through another integration.");
  const { lastFailure } = await deps.db.connection.findFirstOrThrow({ where: { id: connection.id, orgId }, select: { lastFailure: true } });
  const claims = pendingClaims(lastFailure);
  return startConnect(deps, { integration, mailbox: connection.mailbox, mailboxKind: connection.mailboxKind, startedById, browserId, forceConsent: true, ...(claims ? { claims } : {}) });
}
