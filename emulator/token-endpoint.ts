import { aadError, errorBody } from "./aad-error";
import type { IdentityRequest } from "./context";
import { takeFault } from "./faults";
import { NO_STORE, parseBasicAuth, sendJson } from "./http";
import type { App, User } from "./state";
import { redeemCode, redeemRefreshToken, type GrantResult } from "./token-grants";

const GRANT_TYPES = ["authorization_code", "refresh_token"];

function sendError(r: IdentityRequest, code: number, params: Record<string, string | undefined> = {}): void {
  const e = aadError(code, r.ctx.state.now(), params, "token");
  sendJson(r.res, e.status, errorBody(e), NO_STORE);
}

/** The user a grant refers to, looked up without validating it, so faults can match on upn. */
function grantUser(r: IdentityRequest, grantType: string): User | undefined {
  const { state } = r.ctx;
  const userId =
    grantType === "authorization_code"
      ? state.codes.get(r.params.get("code") ?? "")?.userId
      : grantType === "refresh_token"
        ? state.refreshTokens.get(r.params.get("refresh_token") ?? "")?.userId
        : undefined;
  return userId ? state.users.get(userId) : undefined;
}

/** client_secret_post or client_secret_basic; returns an AADSTS code on failure. */
function authenticateClient(r: IdentityRequest, app: App, basicSecret: string | undefined): number | undefined {
  if (r.params.has("client_assertion")) return 700027;
  const secret = r.params.get("client_secret") ?? basicSecret;
  if (app.secrets.length === 0) return secret ? 700025 : undefined;
  if (!secret) return 7000218;
  const match = app.secrets.find((s) => s.value === secret);
  if (!match) return 7000215;
  if (match.expiresAt !== null && Date.parse(match.expiresAt) <= r.ctx.state.now()) return 7000222;
  return undefined;
}

export async function handleToken(r: IdentityRequest): Promise<void> {
  const { state } = r.ctx;
  if (r.method !== "POST") return sendError(r, 900561, { method: r.method });
  const tenantRef = state.resolveTenantSegment(r.tenantSegment, r.cloud);
  if (!tenantRef) return sendError(r, 90002, { tenant: r.tenantSegment });

  const basic = parseBasicAuth(typeof r.headers.authorization === "string" ? r.headers.authorization : undefined);
  const clientId = r.params.get("client_id") ?? basic?.id;
  if (!clientId) return sendError(r, 900144, { param: "client_id" });
  const tenantName = tenantRef.kind === "tenant" ? tenantRef.tenant.displayName : r.tenantSegment;
  const app = state.apps.get(clientId.toLowerCase());
  if (!app || !state.appVisibleAt(app, tenantRef, r.cloud)) return sendError(r, 700016, { appId: clientId, tenantName });
  const appParams = { appId: app.clientId, appName: app.displayName, tenantName };
  if (tenantRef.kind === "alias" && !app.multiTenant) return sendError(r, 50194, appParams);

  const grantType = r.params.get("grant_type");
  if (!grantType) return sendError(r, 900144, { param: "grant_type" });

  const user = grantUser(r, grantType);
  const fault = takeFault(state, {
    endpoint: "token",
    clientId: app.clientId,
    tenantSegment: r.tenantSegment,
    ...(tenantRef.kind === "tenant" ? { tenant: tenantRef.tenant } : {}),
    ...(user ? { upn: user.upn } : {}),
    grantType,
  });
  if (fault) return sendError(r, fault.code, { ...appParams, upn: user?.upn, tenantId: user?.tenantId });

  const authFailure = authenticateClient(r, app, basic?.secret);
  if (authFailure !== undefined) return sendError(r, authFailure, { ...appParams, thumbprint: "" });
  if (!GRANT_TYPES.includes(grantType)) return sendError(r, 70003, { grantType });

  const result: GrantResult =
    grantType === "authorization_code" ? await redeemCode(r, app, tenantRef) : await redeemRefreshToken(r, app);
  if (!result.ok) return sendError(r, result.code, { ...appParams, ...result.params });
  sendJson(r.res, 200, result.body, NO_STORE);
}
