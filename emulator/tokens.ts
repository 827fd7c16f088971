import { X509Certificate, createHash, createPrivateKey, type KeyObject } from "node:crypto";
import { SignJWT, jwtVerify, createLocalJWKSet, type JWK, type JSONWebKeySet } from "jose";
import { generate } from "selfsigned";
import { pairwiseSub, randomToken, guid } from "./ids";
import type { App, User } from "./state";

export const TOKEN_LIFETIME_SECONDS = 3599;
const ID_TOKEN_LIFETIME_SECONDS = 3600;

/** iat, nbf and exp of a token issued at nowMs, valid for `lifetime` seconds. */
function validity(nowMs: number, lifetime: number) {
  const iat = Math.floor(nowMs / 1000);
  return { iat, nbf: iat, exp: iat + lifetime };
}

export interface SigningKey {
  kid: string;
  x5t: string;
  x5c: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

/**
 * Microsoft publishes signing keys as certificates: `kid` equals the SHA-1
 * thumbprint (`x5t`) and `x5c` carries the certificate. Validators that pin on
 * x5t or read x5c must work against the emulator too.
 */
export async function createSigningKey(): Promise<SigningKey> {
  const notBeforeDate = new Date(Date.now() - 86_400_000);
  const pems = await generate([{ name: "commonName", value: "accounts.accesscontrol.windows.net" }], {
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 5 * 365 * 86_400_000),
  });
  return signingKeyFrom({ privateKeyPem: pems.private, certificate: new X509Certificate(pems.cert).raw.toString("base64") });
}

/** The key as a state file keeps it: the private key (PKCS#8 PEM) and its certificate (base64 DER, the `x5c`). */
export interface StoredSigningKey {
  privateKeyPem: string;
  certificate: string;
}

export function signingKeyFrom(stored: StoredSigningKey): SigningKey {
  const cert = new X509Certificate(Buffer.from(stored.certificate, "base64"));
  const privateKey = createPrivateKey(stored.privateKeyPem);
  if (!cert.checkPrivateKey(privateKey)) throw new Error("the signing key does not match its certificate");
  const x5t = createHash("sha1").update(cert.raw).digest("base64url");
  const jwk = cert.publicKey.export({ format: "jwk" }) as JWK;
  return { kid: x5t, x5t, x5c: cert.raw.toString("base64"), privateKey, publicJwk: { kty: jwk.kty, n: jwk.n, e: jwk.e } };
}

export function exportSigningKey(key: SigningKey): StoredSigningKey {
  return { privateKeyPem: key.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), certificate: key.x5c };
}

export function jwks(key: SigningKey, issuerTemplate: string): JSONWebKeySet {
  return {
    keys: [{ ...key.publicJwk, use: "sig", kid: key.kid, x5t: key.x5t, x5c: [key.x5c], issuer: issuerTemplate } as JWK],
  };
}

function splitName(displayName: string): { given_name: string; family_name: string } {
  const [given = "", ...rest] = displayName.split(" ");
  return { given_name: given, family_name: rest.join(" ") };
}

export interface IdTokenInput {
  issuer: string;
  app: App;
  user: User;
  nonce?: string;
  includeEmail: boolean;
  nowMs: number;
}

export async function mintIdToken(key: SigningKey, input: IdTokenInput): Promise<string> {
  const { user } = input;
  return new SignJWT({
    aud: input.app.clientId,
    iss: input.issuer,
    ...validity(input.nowMs, ID_TOKEN_LIFETIME_SECONDS),
    aio: randomToken(96),
    ...(input.includeEmail ? { email: user.mail } : {}),
    name: user.displayName,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    oid: user.id,
    preferred_username: user.upn,
    rh: `0.A${randomToken(48)}.`,
    sub: pairwiseSub(user.id, input.app.clientId),
    tid: user.tenantId,
    uti: randomToken(16),
    ver: "2.0",
  })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", kid: key.kid })
    .sign(key.privateKey);
}

export interface AccessTokenInput {
  audience: string;
  issuer: string;
  app: App;
  user: User;
  scopes: string[];
  /** How the client authenticated: "0" public, "1" secret, "2" certificate. */
  appidacr: "0" | "1" | "2";
  nowMs: number;
}

/** Shaped like Microsoft's v1 Graph token; clients must still treat it as opaque. */
export async function mintAccessToken(key: SigningKey, input: AccessTokenInput): Promise<string> {
  const { user, app } = input;
  return new SignJWT({
    aud: input.audience,
    iss: input.issuer,
    ...validity(input.nowMs, TOKEN_LIFETIME_SECONDS),
    acct: 0,
    acr: "1",
    aio: randomToken(96),
    amr: ["pwd"],
    app_displayname: app.displayName,
    appid: app.clientId,
    appidacr: input.appidacr,
    ...splitName(user.displayName),
    idtyp: "user",
    ipaddr: "127.0.0.1",
    name: user.displayName,
    oid: user.id,
    platf: "3",
    puid: randomToken(8).toUpperCase(),
    rh: `0.A${randomToken(48)}.`,
    scp: input.scopes.join(" "),
    sid: guid(),
    sub: randomToken(32),
    tenant_region_scope: "NA",
    tid: user.tenantId,
    unique_name: user.upn,
    upn: user.upn,
    uti: randomToken(16),
    ver: "1.0",
    xms_st: { sub: randomToken(32) },
    xms_tcdt: 1_600_000_000,
  })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", x5t: key.x5t, kid: key.kid })
    .sign(key.privateKey);
}

export interface AppTokenInput {
  audience: string;
  issuer: string;
  app: App;
  tenantId: string;
  servicePrincipalId: string;
  roles: string[];
  appidacr: "1" | "2";
  nowMs: number;
}

/**
 * Shaped like Microsoft's v1 app-only token (client credentials): no user
 * claims, `idtyp: "app"`, `oid` = `sub` = the app's service principal in the
 * tenant, and `roles` only when the app holds application permissions.
 */
export async function mintAppToken(key: SigningKey, input: AppTokenInput): Promise<string> {
  return new SignJWT({
    aud: input.audience,
    iss: input.issuer,
    ...validity(input.nowMs, TOKEN_LIFETIME_SECONDS),
    aio: randomToken(96),
    app_displayname: input.app.displayName,
    appid: input.app.clientId,
    appidacr: input.appidacr,
    idp: input.issuer,
    idtyp: "app",
    oid: input.servicePrincipalId,
    rh: `0.A${randomToken(48)}.`,
    ...(input.roles.length > 0 ? { roles: input.roles } : {}),
    sub: input.servicePrincipalId,
    tenant_region_scope: "NA",
    tid: input.tenantId,
    uti: randomToken(16),
    ver: "1.0",
    xms_tcdt: 1_600_000_000,
  })
    .setProtectedHeader({ typ: "JWT", alg: "RS256", x5t: key.x5t, kid: key.kid })
    .sign(key.privateKey);
}

/** Verifies an access token minted by this emulator (for userinfo); null when invalid. */
export async function verifyAccessToken(
  key: SigningKey,
  token: string,
  audiences: string[],
  nowMs: number,
): Promise<Record<string, unknown> | null> {
  try {
    const set = createLocalJWKSet({ keys: [{ ...key.publicJwk, kid: key.kid, alg: "RS256" }] });
    const { payload } = await jwtVerify(token, set, { audience: audiences, currentDate: new Date(nowMs) });
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}

export { splitName };
