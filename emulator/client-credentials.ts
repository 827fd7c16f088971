import { CLOUDS } from "./clouds";
import type { IdentityRequest } from "./context";
import { servicePrincipalId } from "./ids";
import { appRolesFor, audienceFor, partitionOf, resourceForUri, splitScope } from "./resources";
import type { App, TenantRef } from "./state";
import type { ClientAuthMethod } from "./client-auth";
import { failure, type GrantResult } from "./token-grants";
import { mintAppToken, TOKEN_LIFETIME_SECONDS } from "./tokens";

/**
 * `grant_type=client_credentials` (reference §2.4, §5.3): an app-only token for
 * exactly one resource, asked for as `{resource}/.default`, carrying the app's
 * application permissions as `roles`. No refresh token, no ID token.
 */
export async function clientCredentials(r: IdentityRequest, app: App, tenantRef: TenantRef, method: ClientAuthMethod): Promise<GrantResult> {
  // An app-only token is always for one directory; `common`/`organizations` name none (AADSTS50059).
  if (tenantRef.kind !== "tenant") return failure(50059);
  const { tenant } = tenantRef;
  if (method === "none") return failure(7000218);
  // Outside its home tenant an app exists only once someone consented there (its service
  // principal; a pre-authorized app stands for one consented everywhere): without one,
  // Microsoft answers AADSTS700016 (reference §2.3, admin consent).
  if (tenant.id !== app.homeTenantId && !app.preAuthorized && !r.ctx.state.consents.filter((c) => c.clientId === app.clientId && c.tenantId === tenant.id).length) {
    return failure(700016, { appId: app.clientId, tenantName: tenant.displayName });
  }

  const scope = r.params.get("scope");
  if (!scope) return failure(900144, { param: "scope" });
  const scopes = scope.split(/\s+/).filter(Boolean).map(splitScope);
  // `.default` is mandatory and can't be mixed with named (or OIDC) scopes.
  if (scopes.some((s) => s.name !== ".default" || !s.resource)) return failure(70011, { scope });
  const uris = scopes.map((s) => s.resource ?? "");
  const distinct = new Set(uris.map((u) => resourceForUri(u)?.id ?? u.replace(/\/+$/, "").toLowerCase()));
  if (distinct.size > 1) return failure(700022, { scope });

  const uri = uris[0] ?? "";
  const resource = resourceForUri(uri);
  const audience = resource && audienceFor(resource, uri, partitionOf(tenant));
  if (!resource || !audience) return failure(500011, { resource: uri, tenantName: tenant.displayName });
  if (resource.needsExchange && !tenant.exchangeOnline) {
    return failure(650052, { resourceId: resource.appId, resourceName: resource.displayName, tenantId: tenant.id });
  }

  const accessToken = await mintAppToken(r.ctx.key, {
    audience,
    issuer: CLOUDS[r.cloud].v1Issuer(tenant.id),
    app,
    tenantId: tenant.id,
    servicePrincipalId: servicePrincipalId(app.clientId, tenant.id),
    roles: appRolesFor(app.appPermissions, resource),
    appidacr: method === "certificate" ? "2" : "1",
    nowMs: r.ctx.state.now(),
  });
  return {
    ok: true,
    body: { token_type: "Bearer", expires_in: TOKEN_LIFETIME_SECONDS, ext_expires_in: TOKEN_LIFETIME_SECONDS, access_token: accessToken },
  };
}
