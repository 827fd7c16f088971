import * as oauth from "oauth4webapi";
import { decodeJwt } from "jose";
import { z } from "zod";
import { GUID } from "./guid";
import { classifyTokenError, clientAuth, fromBody, type ClientCredential, type MicrosoftError } from "./token-client";

// The delegated (user) side of OAuth for integrations: the authorize and admin-consent URLs, code
// redemption with ID-token validation, and refresh. Protocol work is oauth4webapi's; this module
// adds what is Microsoft's: the {tenantid} issuer template and the error shapes.
// Facts: shared reference "microsoft-identity.md" §2.1–§2.3, §3.1.

const TIMEOUT_MS = 10_000;

export type AuthorizeUrlInput = {
  authorizeEndpoint: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  codeChallenge: string;
  /** Prefills the account; Microsoft does not combine it with prompt=select_account (§2.1). */
  loginHint?: string;
  /** "consent" forces the consent screen (re-consent after scopes changed). */
  prompt?: "select_account" | "consent" | "login";
  /** A claims challenge carried into the next sign-in (§3.4). */
  claims?: string;
};

export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(input.authorizeEndpoint);
  const p = url.searchParams;
  p.set("client_id", input.clientId);
  p.set("response_type", "code");
  p.set("redirect_uri", input.redirectUri);
  // query: the callback is a top-level GET, so the browser-binding cookie (SameSite=Lax) comes along.
  p.set("response_mode", "query");
  p.set("scope", input.scope);
  p.set("state", input.state);
  p.set("nonce", input.nonce);
  p.set("code_challenge", input.codeChallenge);
  p.set("code_challenge_method", "S256");
  if (input.loginHint) p.set("login_hint", input.loginHint);
  const prompt = input.prompt ?? (input.loginHint ? undefined : "select_account");
  if (prompt) p.set("prompt", prompt);
  if (input.claims) p.set("claims", input.claims);
  return url.toString();
}

/** The v2 admin consent endpoint (§2.3): tenant-wide consent for the listed scopes. */
export function buildAdminConsentUrl(input: { adminConsentEndpoint: string; clientId: string; redirectUri: string; scope: string; state: string }): string {
  const url = new URL(input.adminConsentEndpoint);
  url.searchParams.set("client_id", input.clientId);
  url.searchParams.set("scope", input.scope);
  url.searchParams.set("redirect_uri", input.redirectUri);
  url.searchParams.set("state", input.state);
  return url.toString();
}

export const newPkce = async () => {
  const verifier = oauth.generateRandomCodeVerifier();
  return { verifier, challenge: await oauth.calculatePKCECodeChallenge(verifier) };
};
export const newState = () => oauth.generateRandomState();
export const newNonce = () => oauth.generateRandomNonce();

const discoverySchema = z.object({
  issuer: z.string().url().or(z.string().includes("{tenantid}")),
  token_endpoint: z.string().url(),
});
type Discovery = z.infer<typeof discoverySchema>;
const discoveryCache = new Map<string, { at: number; value: Discovery }>();
const DISCOVERY_TTL_MS = 60 * 60_000;

/** OpenID discovery for the integration's authority; its issuer may be the {tenantid} template. */
async function discover(authority: string): Promise<Discovery> {
  const cached = discoveryCache.get(authority);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.value;
  const issuer = new URL(`${authority.replace(/\/$/, "")}/v2.0`);
  const response = await oauth.discoveryRequest(issuer, {
    algorithm: "oidc",
    signal: AbortSignal.timeout(TIMEOUT_MS),
    [oauth.allowInsecureRequests]: issuer.protocol === "http:",
  });
  if (!response.ok) throw new DiscoveryError(`Microsoft's OpenID configuration at ${issuer.href} answered HTTP ${response.status}.`, response.status);
  const parsed = discoverySchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) throw new DiscoveryError(`Microsoft's OpenID configuration at ${issuer.href} is not valid.`);
  discoveryCache.set(authority, { at: Date.now(), value: parsed.data });
  return parsed.data;
}

class DiscoveryError extends Error {
  constructor(message: string, readonly httpStatus?: number) {
    super(message);
  }
}

/**
 * The issuer of ID tokens for a signed-in tenant: discovery's, with Microsoft's multi-tenant
 * `{tenantid}` template filled in. Refresh responses carry ID tokens too, checked against it.
 */
/** A tenant's GUID from its discovery document (Microsoft names the tenant by GUID there even when asked by domain). */
export async function tenantIdOf(authority: string): Promise<string | undefined> {
  return (await discover(authority)).issuer.match(/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/v2\.0\/?$/i)?.[1]?.toLowerCase();
}

export async function tenantIssuer(authority: string, tenantId: string): Promise<string> {
  return (await discover(authority)).issuer.replace("{tenantid}", tenantId);
}

export type SignedInAccount = {
  tenantId: string;
  objectId: string;
  /** preferred_username: the UPN for work accounts. */
  username: string;
  email?: string;
  name?: string;
};

export type TokenSet = {
  accessToken: string;
  expiresIn: number;
  /** Granted scopes as Microsoft spelled them (one resource per token). */
  scope: string;
  refreshToken?: string;
};

export type RedeemResult = { ok: true; account: SignedInAccount; tokens: TokenSet } | { ok: false; error: MicrosoftError };

export type RedeemInput = {
  /** The integration's authority (https://login.microsoftonline.com/{tenant}), mapped for the deployment. */
  authority: string;
  tokenEndpoint: string;
  /** The signing keys, from the deployment's endpoints (not discovery), like every other Microsoft URL. */
  jwksUri: string;
  clientId: string;
  credential: ClientCredential;
  redirectUri: string;
  /** The callback's query, already checked for `error` and state by the caller. */
  callbackParams: URLSearchParams;
  codeVerifier: string;
  nonce: string;
  /** Single-tenant integrations: the tenant the ID token must come from (GUID). */
  expectedTenantId?: string;
  timeoutMs?: number;
};

const invalidIdToken = (description: string): RedeemResult => ({ ok: false, error: { kind: "invalid_id_token", description } });

/**
 * Redeems the code (PKCE, the integration's client credential) and validates the ID token:
 * issuer for the signed-in tenant (Microsoft's multi-tenant issuer is a `{tenantid}` template),
 * audience, nonce, expiry and signature.
 */
export async function redeemAuthorizationCode(input: RedeemInput): Promise<RedeemResult> {
  const client: oauth.Client = { client_id: input.clientId };
  const insecure = { [oauth.allowInsecureRequests]: input.tokenEndpoint.startsWith("http:") || input.jwksUri.startsWith("http:") };
  try {
    const discovery = await discover(input.authority);
    const base: oauth.AuthorizationServer = { issuer: discovery.issuer, token_endpoint: input.tokenEndpoint, jwks_uri: input.jwksUri };
    const params = oauth.validateAuthResponse(base, client, input.callbackParams, oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(base, client, await clientAuth(input.credential, input.tokenEndpoint), params, input.redirectUri, input.codeVerifier, {
      signal: AbortSignal.timeout(input.timeoutMs ?? TIMEOUT_MS),
      ...insecure,
    });
    // The issuer depends on who signed in: read tid first, then validate everything against it.
    let tid: unknown;
    if (response.ok) {
      const body = (await response.clone().json().catch(() => ({}))) as { id_token?: unknown };
      if (typeof body.id_token !== "string") return invalidIdToken("Microsoft returned no ID token (the openid scope is missing from the request).");
      try {
        tid = decodeJwt(body.id_token).tid;
      } catch {
        return invalidIdToken("Microsoft's ID token could not be read.");
      }
      if (typeof tid !== "string" || !GUID.test(tid)) return invalidIdToken("The ID token has no tenant id (tid).");
      if (input.expectedTenantId && tid.toLowerCase() !== input.expectedTenantId.toLowerCase()) {
        return invalidIdToken(`The account belongs to tenant ${tid}, but this integration only accepts tenant ${input.expectedTenantId}.`);
      }
    }
    const as: oauth.AuthorizationServer = { ...base, issuer: typeof tid === "string" ? discovery.issuer.replace("{tenantid}", tid) : discovery.issuer };
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: input.nonce, requireIdToken: true });
    await oauth.validateApplicationLevelSignature(as, response, { signal: AbortSignal.timeout(TIMEOUT_MS), ...insecure });
    const claims = oauth.getValidatedIdTokenClaims(result);
    if (!claims) return invalidIdToken("Microsoft returned no ID token.");
    const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
    const oid = str(claims.oid);
    const username = str(claims.preferred_username) ?? str(claims.upn) ?? str(claims.email);
    if (!oid || !username) return invalidIdToken("The ID token lacks the account's object id (oid) or user name (preferred_username).");
    return {
      ok: true,
      account: {
        tenantId: String(tid).toLowerCase(),
        objectId: oid.toLowerCase(),
        username,
        ...(str(claims.email) ? { email: str(claims.email)! } : {}),
        ...(str(claims.name) ? { name: str(claims.name)! } : {}),
      },
      tokens: tokenSet(result),
    };
  } catch (e) {
    return { ok: false, error: await classify(e) };
  }
}

export type RefreshResult = { ok: true; tokens: TokenSet } | { ok: false; error: MicrosoftError };

/** Refresh grant for one resource's scopes; Microsoft rotates the refresh token on every call. */
export async function refreshAccessToken(input: {
  tokenEndpoint: string;
  /** tenantIssuer(): Microsoft includes an ID token in refresh responses when openid was granted. */
  issuer: string;
  clientId: string;
  credential: ClientCredential;
  refreshToken: string;
  scope: string;
  timeoutMs?: number;
}): Promise<RefreshResult> {
  const as: oauth.AuthorizationServer = { issuer: input.issuer, token_endpoint: input.tokenEndpoint };
  const client: oauth.Client = { client_id: input.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(as, client, await clientAuth(input.credential, input.tokenEndpoint), input.refreshToken, {
      additionalParameters: { scope: input.scope },
      signal: AbortSignal.timeout(input.timeoutMs ?? TIMEOUT_MS),
      [oauth.allowInsecureRequests]: input.tokenEndpoint.startsWith("http:"),
    });
    const result = await oauth.processRefreshTokenResponse(as, client, response);
    return { ok: true, tokens: tokenSet(result) };
  } catch (e) {
    return { ok: false, error: await classify(e) };
  }
}

function tokenSet(r: oauth.TokenEndpointResponse): TokenSet {
  return {
    accessToken: r.access_token,
    expiresIn: typeof r.expires_in === "number" ? r.expires_in : 3600,
    scope: typeof r.scope === "string" ? r.scope : "",
    ...(typeof r.refresh_token === "string" ? { refreshToken: r.refresh_token } : {}),
  };
}

async function classify(e: unknown): Promise<MicrosoftError> {
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    const body = (await e.response.json().catch(() => ({}))) as Record<string, unknown>;
    return fromBody(body, e.status, typeof body.error === "string" ? body.error : undefined);
  }
  if (e instanceof DiscoveryError) {
    // A 5xx or 429 from discovery is Microsoft being unavailable, like the same status from the token endpoint.
    const s = e.httpStatus;
    return { kind: s !== undefined && (s === 429 || s >= 500) ? "unavailable" : "bad_response", description: e.message, ...(s !== undefined ? { httpStatus: s } : {}) };
  }
  if (e instanceof oauth.OperationProcessingError && /ID Token|"nonce"|"iss"|"aud"|"exp"|signature/i.test(e.message)) {
    return { kind: "invalid_id_token", description: `The ID token failed validation: ${e.message}` };
  }
  return classifyTokenError(e);
}
