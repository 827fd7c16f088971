import { AppError } from "@/lib/errors";
import { getIntegration } from "@/lib/integrations/integrations";
import { adminConsentTenant, startAdminConsent, startConnect, type FlowDeps } from "./consent";
import { openConsentLink, verifyAdminConsentToken } from "./links";

// Flows started from a link, by someone who need not have a portal account: the signed link is
// the authority, and names the org, the integration and (for consent links) the mailbox.

/** A mailbox owner's "Sign in with Microsoft" on a consent link. */
export async function startLinkConsent(deps: FlowDeps, linkSecret: string, token: string, browserId: string) {
  const opened = await openConsentLink(deps.db, linkSecret, token);
  if (!opened.ok) throw new AppError("bad_request", "This link no longer works. Reload the page to see why.");
  const { link } = opened;
  const integration = await getIntegration(deps.db, link.orgId, link.integrationId);
  if (!integration) throw new AppError("not_found", "The integration behind this link was removed. Ask the organization for a new link.");
  return startConnect(deps, { integration, mailbox: link.mailbox, mailboxKind: link.mailboxKind, consentLinkId: link.id, browserId });
}

/** A Microsoft 365 admin's "Grant admin consent" from a forwarded admin-consent link. */
export async function startLinkAdminConsent(deps: FlowDeps, linkSecret: string, token: string, signedInTenantId: string | null, browserId: string) {
  const verified = await verifyAdminConsentToken(linkSecret, token);
  if (!verified.ok) throw new AppError("bad_request", "This admin consent link no longer works. Ask for a new one.");
  const integration = await getIntegration(deps.db, verified.orgId, verified.integrationId);
  if (!integration) throw new AppError("not_found", "The integration behind this link was removed.");
  return startAdminConsent(deps, { integration, startedById: null, tenant: adminConsentTenant(integration, signedInTenantId), browserId });
}
