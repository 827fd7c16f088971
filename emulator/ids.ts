import { createHash, randomBytes, randomUUID } from "node:crypto";

export function guid(): string {
  return randomUUID();
}

export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_TAIL = `${ALNUM}_.~-`;

function pick(alphabet: string, count: number): string {
  const bytes = randomBytes(count);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Entra client secret values are 40 characters with `8Q~` after a 3-character
 * prefix (the prefix is the "hint" the portal shows). Matching the shape lets
 * the portal's "you pasted the Secret ID, not the Value" check be exercised.
 */
export function newSecretValue(): string {
  return `${pick(ALNUM, 3)}8Q~${pick(SECRET_TAIL, 34)}`;
}

/** v2 `sub` is pairwise per app: the same user gets a different sub in every client. */
export function pairwiseSub(objectId: string, clientId: string): string {
  return createHash("sha256").update(`${objectId.toLowerCase()}:${clientId.toLowerCase()}`).digest("base64url").slice(0, 43);
}

export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Microsoft's wire timestamp in error bodies: `2024-05-01 12:34:56Z`. */
export function aadTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

/**
 * The object id of an app's service principal (enterprise application) in a
 * tenant: a different GUID per tenant, stable across restarts, as app-only
 * tokens' `oid`/`sub` are what Exchange permissions are granted to.
 */
export function servicePrincipalId(clientId: string, tenantId: string): string {
  const h = createHash("sha256").update(`sp:${clientId.toLowerCase()}:${tenantId.toLowerCase()}`).digest("hex");
  const variant = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
