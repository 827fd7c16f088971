import { createHash } from "node:crypto";
import { CLOUDS } from "./clouds";
import { v2Issuer, type IdentityRequest } from "./context";
import { randomToken } from "./ids";
import { APPIDACR, type ClientAuthMethod } from "./client-auth";
import { formatResourceScopes, parseScopes, partitionOf, resourceById, type Partition } from "./resources";
import { REFRESH_INACTIVITY_MS, type App, type TenantRef, type User } from "./state";
import { mintAccessToken, mintIdToken, TOKEN_LIFETIME_SECONDS } from "./tokens";

export type GrantResult =
  | { ok: true; body: Record<string, unknown> }
  | { ok: false; code: number; params?: Record<string, string | undefined> };

export const failure = (code: number, params?: Record<string, string | undefined>): GrantResult => ({
  ok: false,
  code,
  ...(params ? { params } : {}),
});

export async function redeemCode(r: IdentityRequest, app: App, tenantRef: TenantRef, method: ClientAuthMethod): Promise<GrantResult> {
  const { state } = r.ctx;
  const now = state.now();
  const code = r.params.get("code");
  if (!code) return failure(900144, { param: "code" });
  const rec = state.codes.get(code);
  if (!rec || rec.clientId !== app.clientId || rec.loginHost !== CLOUDS[r.cloud].loginHost) {
    return failure(70000, { param: "code", detail: "The code has expired or is invalid." });
  }
  if (rec.redeemedAt !== undefined) return failure(54005);
  if (now > rec.expiresAt) return failure(70008);
  const user = state.users.get(rec.userId);
  if (!user) return failure(70000, { param: "code", detail: "The user no longer exists." });
  if (tenantRef.kind === "tenant" && tenantRef.tenant.id !== user.tenantId) return failure(700005);

  const redirectUri = r.params.get("redirect_uri");
  if (!redirectUri) return failure(900144, { param: "redirect_uri" });
  if (redirectUri !== rec.redirectUri) {
    return failure(70000, {
      param: "redirect_uri",
      detail: "The value must exactly match the redirect URI used to obtain the authorization code.",
    });
  }
  if (rec.codeChallenge !== undefined) {
    const verifier = r.params.get("code_verifier") ?? "";
    const computed = rec.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
    if (!verifier || computed !== rec.codeChallenge) return failure(501481);
  }
  rec.redeemedAt = now;
  return tokenResponse(r, { app, user, method, granted: rec.scopes, requestedScope: r.params.get("scope") ?? undefined, nonce: rec.nonce });
}

export async function redeemRefreshToken(r: IdentityRequest, app: App, method: ClientAuthMethod): Promise<GrantResult> {
  const { state } = r.ctx;
  const now = state.now();
  const token = r.params.get("refresh_token");
  if (!token) return failure(900144, { param: "refresh_token" });
  const rec = state.refreshTokens.get(token);
  if (!rec) return failure(9002313);
  if (rec.clientId !== app.clientId) {
    return failure(70000, { param: "refresh_token", detail: "The refresh token was issued to a different client." });
  }
  const issuedAt = new Date(rec.issuedAt).toISOString();
  const user = state.users.get(rec.userId);
  if (rec.revoked || !user) return failure(50173, { issuedAt, validFrom: new Date(now).toISOString() });
  if (now - rec.lastUsedAt > REFRESH_INACTIVITY_MS) return failure(700082, { issuedAt });
  rec.lastUsedAt = now;
  // Rotation: a new token each time, while the presented one stays valid (Microsoft doesn't revoke it).
  return tokenResponse(r, { app, user, method, granted: rec.scopes, requestedScope: r.params.get("scope") ?? undefined, nonce: undefined });
}

interface DelegatedGrant {
  app: App;
  user: User;
  method: ClientAuthMethod;
  /** Scopes consented at /authorize (stored with the code or refresh token). */
  granted: string[];
  /** The token request's `scope`, if sent. */
  requestedScope: string | undefined;
  nonce: string | undefined;
}

/**
 * Builds Microsoft's token response. The access token is for one resource: the
 * resource of the first scope named in the token request (reference §2.4), else
 * the first one consented at /authorize.
 */
async function tokenResponse(r: IdentityRequest, grant: DelegatedGrant): Promise<GrantResult> {
  const { ctx, cloud } = r;
  const { app, user, granted, requestedScope, nonce } = grant;
  const now = ctx.state.now();
  const tenant = ctx.state.tenants.get(user.tenantId);
  const partition: Partition = tenant ? partitionOf(tenant) : "global";
  const consented = parseScopes(granted, partition);
  const requested = requestedScope ? parseScopes(requestedScope, partition) : consented;
  if (requested.unknownResources.length > 0) {
    return failure(500011, { resource: requested.unknownResources[0], tenantName: tenant?.displayName });
  }
  const resourceId = [...requested.byResource.keys()][0] ?? [...consented.byResource.keys()][0] ?? "graph";
  const resource = resourceById(resourceId);
  if (resource.needsExchange && tenant && !tenant.exchangeOnline) {
    return failure(650052, { resourceId: resource.appId, resourceName: resource.displayName, tenantId: tenant.id });
  }
  const audience = requested.byResource.get(resourceId)?.audience ?? consented.byResource.get(resourceId)?.audience ?? resource.uris[partition][0] ?? "";
  const consentedNames = consented.byResource.get(resourceId)?.names ?? [];
  // `{resource}/.default` asks for whatever was consented for that resource.
  const missing = (requested.byResource.get(resourceId)?.names ?? []).filter(
    (w) => w !== ".default" && !consentedNames.some((c) => c.toLowerCase() === w.toLowerCase()),
  );
  if (missing.length > 0) return failure(65001, { appId: app.clientId, appName: app.displayName });

  const oidc = ["openid", "profile", "email"].filter((s) => consented.oidc.has(s));
  const scp = consentedNames.length > 0 ? consentedNames : oidc;
  const accessToken = await mintAccessToken(ctx.key, {
    audience,
    issuer: CLOUDS[cloud].v1Issuer(user.tenantId),
    app,
    user,
    scopes: scp,
    appidacr: APPIDACR[grant.method],
    nowMs: now,
  });
  const body: Record<string, unknown> = {
    token_type: "Bearer",
    scope: [...formatResourceScopes(resource, consentedNames, audience), ...oidc].join(" "),
    expires_in: TOKEN_LIFETIME_SECONDS,
    ext_expires_in: TOKEN_LIFETIME_SECONDS,
    access_token: accessToken,
  };
  if (consented.oidc.has("offline_access")) {
    const token = `1.A${randomToken(192)}`;
    ctx.state.addRefreshToken({ token, userId: user.id, clientId: app.clientId, tenantId: user.tenantId, scopes: granted });
    body.refresh_token = token;
  }
  if (consented.oidc.has("openid")) {
    body.id_token = await mintIdToken(ctx.key, {
      issuer: v2Issuer(ctx, cloud, user.tenantId),
      app,
      user,
      ...(nonce !== undefined ? { nonce } : {}),
      includeEmail: consented.oidc.has("email"),
      nowMs: now,
    });
  }
  return { ok: true, body };
}
