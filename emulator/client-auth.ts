import { decodeJwt } from "jose";
import { JWT_BEARER, verifyClientAssertion } from "./client-assertion";
import type { IdentityRequest } from "./context";
import type { App, TenantRef } from "./state";

/** How the client proved itself; becomes `appidacr` ("0" public, "1" secret, "2" certificate) in access tokens. */
export type ClientAuthMethod = "none" | "secret" | "certificate";

export type ClientAuth =
  | { ok: true; method: ClientAuthMethod }
  | { ok: false; code: number; params?: Record<string, string | undefined> };

export const APPIDACR: Record<ClientAuthMethod, "0" | "1" | "2"> = { none: "0", secret: "1", certificate: "2" };

/**
 * RFC 7523 lets a client identify itself by the assertion's `sub` alone; MSAL
 * always sends client_id, but other libraries don't. Unverified here: the
 * assertion is validated against the app it names afterwards.
 */
export function assertionSubject(r: IdentityRequest): string | undefined {
  const assertion = r.params.get("client_assertion");
  if (!assertion) return undefined;
  try {
    const sub = decodeJwt(assertion).sub;
    return typeof sub === "string" ? sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * client_secret_post, client_secret_basic or private_key_jwt. An app without
 * any credential is a public client: it must send none (AADSTS700025).
 */
export async function authenticateClient(r: IdentityRequest, app: App, tenantRef: TenantRef, basicSecret: string | undefined): Promise<ClientAuth> {
  const assertion = r.params.get("client_assertion");
  const secret = r.params.get("client_secret") ?? basicSecret;
  const confidential = app.secrets.length > 0 || app.certificates.length > 0;
  if (!confidential) return assertion || secret ? { ok: false, code: 700025 } : { ok: true, method: "none" };

  if (assertion) {
    const type = r.params.get("client_assertion_type");
    if (!type) return { ok: false, code: 900144, params: { param: "client_assertion_type" } };
    if (type !== JWT_BEARER) return { ok: false, code: 9002313 };
    const result = await verifyClientAssertion(r, app, tenantRef, assertion);
    return result.ok ? { ok: true, method: "certificate" } : result;
  }
  if (!secret) return { ok: false, code: 7000218 };
  const match = app.secrets.find((s) => s.value === secret);
  if (!match) return { ok: false, code: 7000215 };
  if (match.expiresAt !== null && Date.parse(match.expiresAt) <= r.ctx.state.now()) return { ok: false, code: 7000222 };
  return { ok: true, method: "secret" };
}
