import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { CloudId } from "@/lib/microsoft/clouds";
import type { HostMap } from "@/lib/microsoft/endpoints";
import { appOnlyScope } from "@/lib/microsoft/scopes";
import { requestAppOnlyToken, type MicrosoftError } from "@/lib/microsoft/token-client";
import { tenantIdOf } from "@/lib/microsoft/oauth-client";
import { GUID } from "@/lib/microsoft/guid";
import { credentialOf, endpointsOf, getIntegrationWithSecrets } from "@/lib/integrations/integrations";

// The admin consent redirect proves nothing (reference §2.3): anyone can type
// ?admin_consent=True&tenant=… into a browser. What the portal can prove with the app's own
// credential is that the app exists in that tenant: Microsoft issues an app-only token there only
// when the app has a service principal in it, which admin consent creates; without one it
// answers AADSTS700016. That is checked right after the redirect. The delegated permissions
// themselves are not readable without a directory permission the app should not need; a mailbox
// of the tenant connecting without a consent prompt is the remaining proof.
//
// In the app's own (home) tenant its service principal exists from the registration, so a token
// there proves nothing about consent: a single-tenant app, or the home tenant of a multi-tenant
// one, is "unverified" even when Microsoft issues the token. A token refused there with
// AADSTS700016 still refuses a forged redirect naming another tenant.

export type AdminConsentVerification =
  | { verification: "installed"; detail: string }
  | { verification: "not_installed"; detail: string; code: string }
  | { verification: "unverified"; detail: string; code: string };

const codeOf = (e: MicrosoftError) => (e.aadsts ? `AADSTS${e.aadsts}` : (e.error ?? e.kind));

/** Asks Microsoft for an app-only token in the tenant; says what that proves. Never throws for Microsoft's answers. */
export async function verifyAppInTenant(deps: { db: Db; keyring: Keyring; hostMap?: HostMap }, orgId: string, integrationId: string, tenantId: string): Promise<AdminConsentVerification> {
  const integration = await getIntegrationWithSecrets(deps.db, deps.keyring, orgId, integrationId);
  // Integrations with custom endpoints (other identity providers) name one token endpoint: use it.
  const { token } = endpointsOf(integration, deps.hostMap, integration.tokenEndpoint ? undefined : { mode: "single", tenant: tenantId });
  const resource = integration.purposes.some((p) => p.startsWith("graph")) ? "graph" : "outlook";
  const result = await requestAppOnlyToken({ tokenEndpoint: token, clientId: integration.clientId, credential: credentialOf(integration), scope: appOnlyScope(integration.cloud as CloudId, resource), timeoutMs: 10_000 });
  if (result.ok) {
    if (await isHomeTenant(integration, tenantId, deps.hostMap)) {
      return {
        verification: "unverified",
        code: "home_tenant",
        detail: `Tenant ${tenantId} is where the app is registered, so it is installed there whether or not an admin consented: the portal cannot confirm the consent itself. It shows when a mailbox of the tenant connects without a consent prompt.`,
      };
    }
    return { verification: "installed", detail: `Microsoft issued the app a token in tenant ${tenantId}, so the app is installed there.` };
  }
  const code = codeOf(result.error);
  if (result.error.aadsts === 700016) {
    return { verification: "not_installed", code, detail: `Microsoft says the app is not installed in tenant ${tenantId} (AADSTS700016): no administrator of that tenant has consented to it.` };
  }
  return { verification: "unverified", code, detail: `The portal could not confirm it (${code}${result.error.description ? `: ${result.error.description.split(/\r?\n/)[0]}` : ""}). Run "Check credentials" on the integration; the consent is recorded as reported by Microsoft's redirect.` };
}

/** Whether `tenantId` is the app's home tenant: always for a single-tenant integration, else its recorded home tenant. */
async function isHomeTenant(integration: { tenantMode: string; tenant: string | null; cloud: string; authorizeEndpoint: string | null; tokenEndpoint: string | null; clientId: string }, tenantId: string, hostMap?: HostMap): Promise<boolean> {
  if (integration.tenantMode === "single") return true;
  const home = integration.tenant?.toLowerCase();
  if (!home) return false;
  if (GUID.test(home)) return home === tenantId.toLowerCase();
  const resolved = await tenantIdOf(endpointsOf(integration as Parameters<typeof endpointsOf>[0], hostMap, { mode: "single", tenant: home }).authority).catch(() => undefined);
  return resolved?.toLowerCase() === tenantId.toLowerCase();
}
