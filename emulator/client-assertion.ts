import { createPublicKey } from "node:crypto";
import { compactVerify, decodeProtectedHeader } from "jose";
import { CLOUDS } from "./clouds";
import type { IdentityRequest } from "./context";
import type { App, TenantRef } from "./state";

export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const ALGORITHMS = ["RS256", "PS256"];
const SKEW_SECONDS = 300;
/** Microsoft's docs ask for a short `exp`; anything beyond about a day is refused as out of range. */
const MAX_LIFETIME_SECONDS = 86_400;

export type AssertionResult =
  | { ok: true }
  | { ok: false; code: number; params?: Record<string, string | undefined> };

const fail = (code: number, params?: Record<string, string | undefined>): AssertionResult => ({ ok: false, code, ...(params ? { params } : {}) });

const isoFromSeconds = (s: unknown) => (typeof s === "number" ? new Date(s * 1000).toISOString() : "(none)");

/**
 * Token endpoint URLs the assertion's `aud` may name: the endpoint as the client
 * called it (either listener, the tenant by path segment, GUID or domain, v2 or
 * v1 path) and Microsoft's own URL for it, since a client built against real
 * Entra may derive `aud` from the authority rather than from the emulator's base.
 */
function acceptedAudiences(r: IdentityRequest, tenantRef: TenantRef): Set<string> {
  const origins = [r.ctx.httpsOrigin, r.ctx.httpOrigin].filter((o): o is string => o !== null);
  const host = CLOUDS[r.cloud].loginHost;
  const bases = [...origins.map((o) => `${o}/${host}`), `https://${host}`];
  const segments = new Set([r.tenantSegment, ...(tenantRef.kind === "tenant" ? [tenantRef.tenant.id, ...tenantRef.tenant.domains] : [])]);
  const out = new Set<string>();
  for (const base of bases) {
    for (const seg of segments) {
      out.add(`${base}/${seg}/oauth2/v2.0/token`.toLowerCase());
      out.add(`${base}/${seg}/oauth2/token`.toLowerCase());
    }
  }
  return out;
}

/**
 * Validates a private_key_jwt client assertion the way Entra does: find the
 * registered certificate by `x5t#S256` or `x5t`, check the signature (RS256 or
 * PS256), then `iss` = `sub` = client id, `aud` = this token endpoint, and the
 * time window (5 minutes of skew), and require `jti`.
 */
export async function verifyClientAssertion(r: IdentityRequest, app: App, tenantRef: TenantRef, assertion: string): Promise<AssertionResult> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return fail(50027);
  }
  if (!header.alg || !ALGORITHMS.includes(header.alg)) return fail(50027);
  const x5tS256 = typeof header["x5t#S256"] === "string" ? header["x5t#S256"] : undefined;
  // Microsoft's message shows the thumbprint the way the Azure portal does: upper-case hex.
  const thumbprint = Buffer.from(x5tS256 ?? header.x5t ?? "", "base64url").toString("hex").toUpperCase();
  const cert = app.certificates.find((c) => (x5tS256 ? c.thumbprintSha256 === x5tS256 : c.thumbprintSha1 === header.x5t));
  if (!cert) return fail(700027, { thumbprint });

  let claims: Record<string, unknown>;
  try {
    const { payload } = await compactVerify(assertion, createPublicKey(cert.publicKeyPem), { algorithms: ALGORITHMS });
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return fail(700027, {
      thumbprint: cert.thumbprintHex,
      headline: "Client assertion failed signature validation.",
      reason: "The provided signature value did not match the expected signature value.",
    });
  }

  // App ids are stored lower-cased; clients may send them in upper case.
  if (String(claims.iss).toLowerCase() !== app.clientId || String(claims.sub).toLowerCase() !== app.clientId) return fail(700021);
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const accepted = acceptedAudiences(r, tenantRef);
  if (!audiences.some((a) => typeof a === "string" && accepted.has(a.toLowerCase()))) return fail(700023);

  const now = Math.floor(r.ctx.state.now() / 1000);
  const { exp, nbf, iat } = claims;
  const timeParams = { now: new Date(now * 1000).toISOString(), nbf: isoFromSeconds(nbf ?? iat), exp: isoFromSeconds(exp) };
  if (typeof exp !== "number") return fail(700024, timeParams);
  const notYet = [nbf, iat].some((t) => typeof t === "number" && t > now + SKEW_SECONDS);
  if (exp + SKEW_SECONDS <= now || notYet || exp > now + MAX_LIFETIME_SECONDS + SKEW_SECONDS) return fail(700024, timeParams);
  if (typeof claims.jti !== "string" || claims.jti === "") return fail(50027);
  return { ok: true };
}
