import { aadError, errorBody } from "./aad-error";
import { CLOUDS, CONSUMERS_TENANT_ID, GRAPH_HOSTS, type Cloud } from "./clouds";
import { loginBase, type EmulatorContext, type IdentityRequest } from "./context";
import type { Tenant, TenantRef } from "./model";
import { SESSION_COOKIE } from "./authorize";
import { redirect, sendHtml, sendJson } from "./http";
import { pairwiseSub } from "./ids";
import { errorPage, signedOutPage } from "./pages";
import { graphAudiences, partitionOf, resourceById } from "./resources";
import { jwks, splitName, verifyAccessToken } from "./tokens";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { criteriaFor, takeEarlyFault } from "./faults";
import { applyHttpFault } from "./http-faults";

/** Discovery's `tenant_region_sub_scope`: GCC (moderate), GCC High ("DODCON") and DoD; absent for commercial tenants. */
function regionSubScope(tenant: Tenant): string | undefined {
  if (tenant.cloud === "usgov") return tenant.subcloud === "dod" ? "DOD" : "DODCON";
  return tenant.gcc ? "GCC" : undefined;
}

function unknownTenant(r: IdentityRequest): void {
  const e = aadError(90002, r.ctx.state.now(), { tenant: r.tenantSegment });
  // Metadata endpoints answer an unknown tenant with `invalid_tenant`, unlike the token endpoint.
  sendJson(r.res, 400, { ...errorBody(e), error: "invalid_tenant" });
}

/**
 * Metadata faults match as the request arrives (tenant segment only): a drop, a delay, a status answer, or the
 * real document mangled (HTTP faults without a status let the handler answer and reshape what it sends).
 */
async function metadataFault(r: IdentityRequest, endpoint: "discovery" | "keys"): Promise<boolean> {
  const ref = r.ctx.state.resolveTenantSegment(r.tenantSegment, r.cloud);
  const fault = takeEarlyFault(r.ctx.state, criteriaFor(endpoint, r.tenantSegment, { tenantRef: ref }));
  if (!fault || (fault.kind !== "network" && fault.kind !== "http")) return false;
  if (fault.kind === "network" && fault.drop) {
    r.res.destroy();
    return true;
  }
  if (fault.delayMs) await sleep(fault.delayMs);
  return fault.kind === "http" && applyHttpFault(r.res, fault, r.ctx.state.now()) === "answered";
}

export async function handleDiscovery(r: IdentityRequest): Promise<void> {
  if (await metadataFault(r, "discovery")) return;
  const ref = r.ctx.state.resolveTenantSegment(r.tenantSegment, r.cloud) ?? otherCloudTenantAtGlobalHost(r);
  if (!ref) return unknownTenant(r);
  sendJson(r.res, 200, discoveryDocument(r.ctx, ref.kind === "tenant" ? ref.tenant.cloud : r.cloud, ref), { "cache-control": "max-age=86400, private" });
}

/**
 * The worldwide login host answers discovery for a tenant of another cloud too, naming that cloud (issuer and
 * endpoints on its login host, its region and Graph host): what tools use to find a tenant's cloud (reference §1.4).
 * Every other endpoint, and the other clouds' hosts, still say AADSTS90002 for a tenant that isn't theirs.
 */
function otherCloudTenantAtGlobalHost(r: IdentityRequest): TenantRef | undefined {
  if (r.cloud !== "global") return undefined;
  const tenant = r.ctx.state.findTenant(r.tenantSegment);
  return tenant ? { kind: "tenant", tenant } : undefined;
}

function discoveryDocument(ctx: EmulatorContext, cloud: Cloud, ref: TenantRef): Record<string, unknown> {
  const base = loginBase(ctx, cloud);
  const browserBase = loginBase(ctx, cloud, true);
  // Tenant documents name the tenant by GUID even when asked by domain, as Microsoft's do.
  const seg = ref.kind === "tenant" ? ref.tenant.id : ref.alias;
  const issuerTenant = ref.kind === "tenant" ? ref.tenant.id : ref.alias === "consumers" ? CONSUMERS_TENANT_ID : "{tenantid}";
  const cloudInfo = CLOUDS[cloud];
  // DoD has its own Graph host; GCC High and the other clouds use the cloud's.
  const graphUri = ref.kind === "tenant" ? resourceById("graph").uris[partitionOf(ref.tenant)][0] : undefined;
  const graphHost = graphUri ? new URL(graphUri).host : cloudInfo.graphHost;
  const subScope = ref.kind === "tenant" ? regionSubScope(ref.tenant) : undefined;
  return {
    token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${base}/${seg}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: `${base}/${issuerTenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${ctx.httpsOrigin}/${graphHost}/oidc/userinfo`,
    authorization_endpoint: `${browserBase}/${seg}/oauth2/v2.0/authorize`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${browserBase}/${seg}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host",
      "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
    ],
    tenant_region_scope: ref.kind === "tenant" ? ref.tenant.regionScope : null,
    ...(subScope ? { tenant_region_sub_scope: subScope } : {}),
    cloud_instance_name: cloudInfo.cloudInstanceName,
    cloud_graph_host_name: cloudInfo.cloudGraphHostName,
    msgraph_host: graphHost,
    rbac_url: cloudInfo.rbacUrl,
  };
}

export async function handleKeys(r: IdentityRequest): Promise<void> {
  if (await metadataFault(r, "keys")) return;
  if (!r.ctx.state.resolveTenantSegment(r.tenantSegment, r.cloud)) return unknownTenant(r);
  sendJson(r.res, 200, jwks(r.ctx.key, `${loginBase(r.ctx, r.cloud)}/{tenantid}/v2.0`));
}

export function handleLogout(r: IdentityRequest): void {
  const { state } = r.ctx;
  if (!state.resolveTenantSegment(r.tenantSegment, r.cloud)) {
    return sendHtml(r.res, 400, errorPage(aadError(90002, state.now(), { tenant: r.tenantSegment }, "authorize")));
  }
  const clear = { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` };
  const target = r.params.get("post_logout_redirect_uri");
  const clientId = r.params.get("client_id")?.toLowerCase();
  const apps = clientId ? [state.apps.get(clientId)].filter((a) => a !== undefined) : [...state.apps.values()];
  let url: URL | undefined;
  try {
    url = target ? new URL(target) : undefined;
  } catch {
    url = undefined;
  }
  // Only origins the app registered may receive the browser after sign-out (open-redirect guard).
  const allowed = url && apps.some((a) => a.redirectUris.some((u) => new URL(u).origin === url.origin));
  if (!url || !allowed) return sendHtml(r.res, 200, signedOutPage(), clear);
  const state_ = r.params.get("state");
  if (state_ !== null) url.searchParams.set("state", state_);
  redirect(r.res, url.toString(), clear);
}

/** OIDC userinfo lives on Graph at Microsoft; here it's served under the Graph host prefix. */
export async function handleUserinfo(
  ctx: EmulatorContext,
  headers: IncomingHttpHeaders,
  res: ServerResponse,
): Promise<void> {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  const audiences = graphAudiences();
  const claims = match?.[1] ? await verifyAccessToken(ctx.key, match[1], audiences, ctx.state.now()) : null;
  const user = claims && typeof claims.oid === "string" ? ctx.state.users.get(claims.oid) : undefined;
  if (!claims || !user || typeof claims.appid !== "string") {
    return sendJson(
      res,
      401,
      { error: { code: "InvalidAuthenticationToken", message: "Access token validation failure. Invalid audience." } },
      { "www-authenticate": 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"' },
    );
  }
  sendJson(res, 200, {
    sub: pairwiseSub(user.id, claims.appid),
    name: user.displayName,
    ...splitName(user.displayName),
    picture: `https://${GRAPH_HOSTS[0]}/v1.0/me/photo/$value`,
    email: user.mail,
  });
}
