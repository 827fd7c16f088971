import { createPublicKey } from "node:crypto";
import { compactVerify, decodeJwt } from "jose";
import type { EmulatorState, User } from "./state";
import type { SigningKey } from "./tokens";

/** The claims of a verified access token that resource servers (Graph, Exchange) act on. */
export interface AccessClaims {
  aud: string;
  tid: string;
  appid: string;
  /** "app" for client-credentials tokens, else "user". */
  kind: "user" | "app";
  /** The user's object id (delegated) or the app's service principal (app-only). */
  oid: string;
  upn?: string;
  scopes: string[];
  roles: string[];
  exp: number;
}

export type TokenFailure = "missing" | "malformed" | "signature" | "audience" | "expired" | "notYetValid";
export type TokenCheck = { ok: true; claims: AccessClaims } | { ok: false; failure: TokenFailure };

const CLOCK_SKEW_SECONDS = 300;
const sameUri = (a: string, b: string) => a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();

/**
 * Validates an access token as Microsoft's resource servers do: our signature (RS256, the emulator's key), the
 * audience (one of `audiences`), then the lifetime against the emulator's clock (5 minutes of skew).
 */
export async function checkAccessToken(key: SigningKey, token: string | undefined, audiences: string[], nowMs: number): Promise<TokenCheck> {
  if (!token) return { ok: false, failure: "missing" };
  if (token.split(".").length !== 3) return { ok: false, failure: "malformed" };
  let payload: Record<string, unknown>;
  try {
    payload = decodeJwt(token) as Record<string, unknown>;
  } catch {
    return { ok: false, failure: "malformed" };
  }
  try {
    await compactVerify(token, publicKeyOf(key), { algorithms: ["RS256"] });
  } catch {
    return { ok: false, failure: "signature" };
  }
  const aud = typeof payload.aud === "string" ? payload.aud : "";
  if (!audiences.some((a) => sameUri(a, aud))) return { ok: false, failure: "audience" };
  const now = Math.floor(nowMs / 1000);
  const exp = typeof payload.exp === "number" ? payload.exp : 0;
  const nbf = typeof payload.nbf === "number" ? payload.nbf : 0;
  if (now > exp + CLOCK_SKEW_SECONDS) return { ok: false, failure: "expired" };
  if (now + CLOCK_SKEW_SECONDS < nbf) return { ok: false, failure: "notYetValid" };
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    ok: true,
    claims: {
      aud,
      tid: str(payload.tid).toLowerCase(),
      appid: str(payload.appid).toLowerCase(),
      kind: payload.idtyp === "app" ? "app" : "user",
      oid: str(payload.oid).toLowerCase(),
      ...(typeof payload.upn === "string" ? { upn: payload.upn } : {}),
      scopes: str(payload.scp).split(" ").filter(Boolean),
      roles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [],
      exp,
    },
  };
}

const publicKeys = new WeakMap<SigningKey, ReturnType<typeof createPublicKey>>();
function publicKeyOf(key: SigningKey) {
  let pub = publicKeys.get(key);
  if (!pub) {
    pub = createPublicKey(key.privateKey);
    publicKeys.set(key, pub);
  }
  return pub;
}

/** Claims read without any check, only to match faults before validation (as the token endpoint reads raw requests). */
export function peekClaims(token: string | undefined): { tid?: string; appid?: string; oid?: string } {
  if (!token) return {};
  try {
    const p = decodeJwt(token);
    const s = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : undefined);
    const tid = s(p.tid);
    const appid = s(p.appid);
    const oid = s(p.oid);
    return { ...(tid ? { tid } : {}), ...(appid ? { appid } : {}), ...(oid ? { oid } : {}) };
  } catch {
    return {};
  }
}

export const hasAny = (granted: string[], wanted: string[]): boolean =>
  granted.some((g) => wanted.some((w) => g.toLowerCase() === w.toLowerCase()));

/**
 * Whether the token may act on `mailbox`: a delegated token for its own mailbox or for a shared mailbox it is a
 * delegate of (FullAccess/SendAs); an app-only token for any mailbox of its tenant (Exchange's application access
 * policies and RBAC for applications are not emulated).
 */
export function mayAccessMailbox(state: EmulatorState, claims: AccessClaims, mailbox: User): boolean {
  if (mailbox.tenantId !== claims.tid) return false;
  if (claims.kind === "app") return true;
  if (mailbox.id === claims.oid) return true;
  return mailbox.kind === "shared" && (mailbox.delegates ?? []).includes(claims.oid) && state.users.has(claims.oid);
}
