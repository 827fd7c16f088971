import { setTimeout as sleep } from "node:timers/promises";
import { aadError, errorBody } from "./aad-error";
import { assertionSubject, authenticateClient } from "./client-auth";
import { clientCredentials } from "./client-credentials";
import type { IdentityRequest } from "./context";
import { criteriaFor, takeEarlyFault, takeFault, type FaultCriteria } from "./faults";
import { applyHttpFault } from "./http-faults";
import { NO_STORE, parseBasicAuth, sendJson } from "./http";
import { splitScope } from "./resources";
import type { App, TenantRef, User } from "./state";
import { redeemCode, redeemRefreshToken, type GrantResult } from "./token-grants";

const GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"];

type Params = Record<string, string | undefined>;

function sendError(r: IdentityRequest, code: number, params: Params = {}): void {
  const e = aadError(code, r.ctx.state.now(), params, "token");
  sendJson(r.res, e.status, errorBody(e), NO_STORE);
}

/** The user a grant refers to, looked up without validating it, so faults can match on upn. */
function grantUser(r: IdentityRequest): User | undefined {
  const { state } = r.ctx;
  const grantType = r.params.get("grant_type");
  const userId =
    grantType === "authorization_code"
      ? state.codes.get(r.params.get("code") ?? "")?.userId
      : grantType === "refresh_token"
        ? state.refreshTokens.get(r.params.get("refresh_token") ?? "")?.userId
        : undefined;
  return userId ? state.users.get(userId) : undefined;
}

function faultCriteria(r: IdentityRequest, clientId: string | undefined, tenantRef: TenantRef | undefined, user: User | undefined): FaultCriteria {
  return criteriaFor("token", r.tenantSegment, { clientId, tenantRef, user, grantType: r.params.get("grant_type") ?? undefined });
}

/** Everything an injected error's message may name, so a fault reads like the real error. */
function faultParams(r: IdentityRequest, app: App | undefined, tenantRef: TenantRef | undefined, user: User | undefined): Params {
  const tenant = tenantRef?.kind === "tenant" ? tenantRef.tenant : user ? r.ctx.state.tenants.get(user.tenantId) : undefined;
  const scope = r.params.get("scope") ?? undefined;
  const firstResource = scope?.split(/\s+/).map(splitScope).find((s) => s.resource)?.resource;
  return {
    appId: app?.clientId ?? r.params.get("client_id") ?? undefined,
    appName: app?.displayName,
    tenant: r.tenantSegment,
    tenantName: tenant?.displayName ?? r.tenantSegment,
    tenantId: tenant?.id,
    upn: user?.upn,
    scope,
    ...(firstResource ? { resource: firstResource } : {}),
  };
}

/**
 * Network and HTTP faults come first, before any validation: a client testing its
 * timeout, an unreachable host or a failing front door shouldn't need a valid request to see one.
 * HTTP faults without a status let the request go on and mangle its answer.
 */
async function applyEarlyFault(r: IdentityRequest, clientId: string | undefined, tenantRef: TenantRef | undefined): Promise<boolean> {
  const user = grantUser(r);
  const fault = takeEarlyFault(r.ctx.state, faultCriteria(r, clientId, tenantRef, user));
  if (!fault || fault.kind === "graph") return false;
  if (fault.kind !== "http" && fault.drop) {
    r.res.destroy();
    return true;
  }
  if (fault.delayMs) await sleep(fault.delayMs);
  if (fault.kind === "http") return applyHttpFault(r.res, fault, r.ctx.state.now()) === "answered";
  if (fault.kind !== "identity") return false;
  const app = clientId ? r.ctx.state.apps.get(clientId.toLowerCase()) : undefined;
  sendError(r, fault.code, faultParams(r, app, tenantRef, user));
  return true;
}

export async function handleToken(r: IdentityRequest): Promise<void> {
  const { state } = r.ctx;
  const basic = parseBasicAuth(typeof r.headers.authorization === "string" ? r.headers.authorization : undefined);
  const clientId = r.params.get("client_id") ?? basic?.id ?? assertionSubject(r);
  const tenantRef = state.resolveTenantSegment(r.tenantSegment, r.cloud);
  if (await applyEarlyFault(r, clientId, tenantRef)) return;

  if (r.method !== "POST") return sendError(r, 900561, { method: r.method });
  if (!tenantRef) return sendError(r, 90002, { tenant: r.tenantSegment });
  if (!clientId) return sendError(r, 900144, { param: "client_id" });
  const tenantName = tenantRef.kind === "tenant" ? tenantRef.tenant.displayName : r.tenantSegment;
  const app = state.apps.get(clientId.toLowerCase());
  if (!app || !state.appVisibleAt(app, tenantRef, r.cloud)) return sendError(r, 700016, { appId: clientId, tenantName });
  const appParams = { appId: app.clientId, appName: app.displayName, tenantName };
  if (tenantRef.kind === "alias" && !app.multiTenant) return sendError(r, 50194, appParams);

  const grantType = r.params.get("grant_type");
  if (!grantType) return sendError(r, 900144, { param: "grant_type" });

  const user = grantUser(r);
  const fault = takeFault(state, faultCriteria(r, app.clientId, tenantRef, user));
  if (fault) return sendError(r, fault.code, faultParams(r, app, tenantRef, user));

  const auth = await authenticateClient(r, app, tenantRef, basic?.secret);
  if (!auth.ok) return sendError(r, auth.code, { ...appParams, ...auth.params });
  if (!GRANT_TYPES.includes(grantType)) return sendError(r, 70003, { grantType });

  const result: GrantResult =
    grantType === "authorization_code"
      ? await redeemCode(r, app, tenantRef, auth.method)
      : grantType === "refresh_token"
        ? await redeemRefreshToken(r, app, auth.method)
        : await clientCredentials(r, app, tenantRef, auth.method);
  if (!result.ok) return sendError(r, result.code, { ...appParams, ...result.params });
  sendJson(r.res, 200, result.body, NO_STORE);
}
