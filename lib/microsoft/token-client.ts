import * as oauth from "oauth4webapi";
import { createPrivateKey } from "node:crypto";
import { importPKCS8 } from "jose";

// Token requests for integrations (per-integration client settings), through oauth4webapi.
// Every failure becomes a classified MicrosoftError here, at the edge where it is caught.

export type ClientCredential = { kind: "secret"; secret: string } | { kind: "certificate"; privateKeyPem: string; thumbprintSha1: string };

export type MicrosoftError = {
  /** unavailable: a 5xx or 429 without Microsoft's JSON error (the front door or a proxy answered). */
  kind: "oauth" | "timeout" | "unreachable" | "bad_response" | "unavailable" | "invalid_id_token";
  httpStatus?: number;
  retryAfterSeconds?: number;
  error?: string;
  suberror?: string;
  aadsts?: number;
  description?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
};

export type TokenResult = { ok: true; accessToken: string; expiresIn?: number; scope?: string } | { ok: false; error: MicrosoftError };

const TIMEOUT_MS = 10_000;

export async function clientAuth(credential: ClientCredential, tokenEndpoint: string): Promise<oauth.ClientAuth> {
  if (credential.kind === "secret") return oauth.ClientSecretPost(credential.secret);
  // Accept PKCS#1 ("BEGIN RSA PRIVATE KEY") as well as PKCS#8: admins export either from OpenSSL.
  const pkcs8 = createPrivateKey(credential.privateKeyPem).export({ type: "pkcs8", format: "pem" }).toString();
  const key = await importPKCS8(pkcs8, "RS256");
  return oauth.PrivateKeyJwt({ key, kid: credential.thumbprintSha1 }, {
    [oauth.modifyAssertion]: (header, payload) => {
      // Microsoft finds the certificate by its SHA-1 thumbprint and wants the token endpoint as audience.
      header.x5t = credential.thumbprintSha1;
      delete header.kid;
      payload.aud = tokenEndpoint;
    },
  });
}

/** Client credentials grant: an app-only token, which proves tenant, client id, credential and cloud. */
export async function requestAppOnlyToken(input: { tokenEndpoint: string; clientId: string; credential: ClientCredential; scope: string; timeoutMs?: number }): Promise<TokenResult> {
  const as: oauth.AuthorizationServer = { issuer: new URL(input.tokenEndpoint).origin, token_endpoint: input.tokenEndpoint };
  const client: oauth.Client = { client_id: input.clientId };
  try {
    const response = await oauth.clientCredentialsGrantRequest(as, client, await clientAuth(input.credential, input.tokenEndpoint), new URLSearchParams({ scope: input.scope }), {
      signal: AbortSignal.timeout(input.timeoutMs ?? TIMEOUT_MS),
      [oauth.allowInsecureRequests]: input.tokenEndpoint.startsWith("http:"),
    });
    const result = await oauth.processClientCredentialsResponse(as, client, response);
    return { ok: true, accessToken: result.access_token, expiresIn: result.expires_in, scope: result.scope };
  } catch (e) {
    // A 401 that carries WWW-Authenticate is raised as a challenge; its body still has Microsoft's error.
    if (e instanceof oauth.WWWAuthenticateChallengeError) {
      const body = await e.response.json().catch(() => ({}));
      return { ok: false, error: fromBody(body as Record<string, unknown>, e.status, typeof body?.error === "string" ? body.error : undefined) };
    }
    return { ok: false, error: classifyTokenError(e) };
  }
}

export function classifyTokenError(e: unknown): MicrosoftError {
  // Microsoft's JSON error with a 429 or 503 (the identity platform's throttling) carries Retry-After in a header.
  if (e instanceof oauth.ResponseBodyError) return { ...fromBody(e.cause as Record<string, unknown>, e.status, e.error), ...retryAfterOf(e.response) };
  const err = e as { name?: string; cause?: { code?: string }; message?: string };
  if (err?.name === "TimeoutError" || err?.name === "AbortError") return { kind: "timeout", description: `No answer within ${TIMEOUT_MS / 1000} s.` };
  if (err?.name === "TypeError" && (err.cause?.code || /fetch failed/.test(err.message ?? ""))) {
    return { kind: "unreachable", description: err.cause?.code ? `Connection failed (${err.cause.code}).` : "Connection failed." };
  }
  // oauth4webapi keeps the Response as the cause when the body is no OAuth error (HTML, truncated JSON).
  const response = (e as { cause?: unknown })?.cause;
  if (response instanceof Response) return fromStatus(response, err?.message);
  return { kind: "bad_response", description: err?.message?.slice(0, 300) };
}

/**
 * An answer that is not Microsoft's JSON: by its status. 5xx and 429 mean the service did not
 * handle the request (whatever the body); anything else is something other than a v2.0 endpoint.
 */
export function fromStatus(response: Response, message?: string): MicrosoftError {
  const status = response.status;
  const type = response.headers.get("content-type")?.split(";")[0]?.trim();
  const body = type ? ` (${type})` : "";
  if (status === 429 || status >= 500) {
    return { kind: "unavailable", httpStatus: status, description: `${response.url || "The token endpoint"} answered HTTP ${status}${body} without an OAuth error.`, ...retryAfterOf(response) };
  }
  return { kind: "bad_response", httpStatus: status, description: `${response.url || "The token endpoint"} answered HTTP ${status}${body}, not a v2.0 token response${message ? `: ${message}` : ""}.`.slice(0, 300) };
}

/**
 * Retry-After (RFC 9110 §10.2.3) in whole seconds: delay-seconds, or an HTTP-date counted from
 * `nowMs` (a date already past is 0). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  // Only a date with letters (an IMF-fixdate such as "Wed, 21 Oct 2015 07:28:00 GMT"), so "1.5" or "-3" is not read as one.
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - nowMs) / 1000)) : undefined;
}

/** Retry-After from a throttled (429) or unavailable (5xx) answer; other statuses' headers don't ask for a wait. */
function retryAfterOf(response: Response | undefined): { retryAfterSeconds?: number } {
  if (!response || !(response.status === 429 || response.status >= 500)) return {};
  const seconds = parseRetryAfter(response.headers.get("retry-after"));
  return seconds !== undefined ? { retryAfterSeconds: seconds } : {};
}

/** Microsoft's error body: error, error_description ("AADSTS…: …"), error_codes, ids. */
export function fromBody(body: Record<string, unknown>, httpStatus: number, error?: string): MicrosoftError {
  const codes = Array.isArray(body.error_codes) ? (body.error_codes as number[]) : [];
  const description = str(body.error_description);
  const fromText = description?.match(/AADSTS(\d+)/)?.[1];
  return {
    kind: "oauth",
    httpStatus,
    error,
    suberror: str(body.suberror),
    aadsts: codes[0] ?? (fromText ? Number(fromText) : undefined),
    description,
    traceId: str(body.trace_id),
    correlationId: str(body.correlation_id),
    timestamp: str(body.timestamp),
  };
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
