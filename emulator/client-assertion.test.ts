import { createHash, createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { decodeJwt, SignJWT } from "jose";
import { generate } from "selfsigned";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GLOBAL, HELPDESK, SEED, admin, errorCode, getCode, redeemForm, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();
interface TestCert {
  pem: string;
  key: KeyObject;
  x5t: string;
  x5tS256: string;
}
let cert: TestCert;
let other: TestCert;

async function makeCert(): Promise<TestCert> {
  const pems = await generate([{ name: "commonName", value: "helpdesk-mail" }], { keySize: 2048, algorithm: "sha256" });
  const raw = new X509Certificate(pems.cert).raw;
  return {
    pem: pems.cert,
    key: createPrivateKey(pems.private),
    x5t: createHash("sha1").update(raw).digest("base64url"),
    x5tS256: createHash("sha256").update(raw).digest("base64url"),
  };
}

beforeAll(async () => {
  [cert, other] = await Promise.all([makeCert(), makeCert()]);
});
// Runs after setupTestEmulator's reset (hooks run in registration order).
beforeEach(async () => {
  const added = await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/certificates`, { certificatePem: cert.pem });
  expect(added.status).toBe(201);
});

const endpoint = (tenant: string) => `${emu.http}/${GLOBAL}/${tenant}/oauth2/v2.0/token`;

interface AssertionOptions {
  signWith?: KeyObject;
  header?: Record<string, string>;
  aud?: string;
  iat?: number;
  exp?: number;
  clientId?: string;
}

function assertion(opts: AssertionOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const iat = opts.iat ?? now;
  const clientId = opts.clientId ?? HELPDESK.clientId;
  return new SignJWT({ aud: opts.aud ?? endpoint("contoso.onmicrosoft.com"), iss: clientId, sub: clientId, jti: crypto.randomUUID(), iat, nbf: iat, exp: opts.exp ?? iat + 600 })
    .setProtectedHeader(opts.header ? { alg: "RS256", ...opts.header } : { alg: "RS256", x5t: cert.x5t, typ: "JWT" })
    .sign(opts.signWith ?? cert.key);
}

async function clientCredentials(jwt: string, extra: Record<string, string> = {}) {
  return token(
    emu.http,
    {
      grant_type: "client_credentials",
      client_id: HELPDESK.clientId,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
      client_assertion: jwt,
      scope: "https://graph.microsoft.com/.default",
      ...extra,
    },
    { tenant: "contoso.onmicrosoft.com" },
  );
}

describe("certificate credentials (private_key_jwt)", () => {
  it("registers a certificate with both thumbprints", async () => {
    const state = (await admin(emu.http, "GET", "/state")).body as { apps: { clientId: string; certificates: Record<string, string>[] }[] };
    const app = state.apps.find((a) => a.clientId === HELPDESK.clientId);
    expect(app?.certificates[0]).toMatchObject({ thumbprintSha1: cert.x5t, thumbprintSha256: cert.x5tS256 });
    const dup = await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/certificates`, { certificatePem: cert.pem });
    expect(dup.status).toBe(409);
    const bad = await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/certificates`, { certificatePem: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" });
    expect(bad.status).toBe(400);
  });

  it("accepts an RS256 assertion with x5t and a PS256 one with x5t#S256", async () => {
    const rs = await clientCredentials(await assertion());
    expect(rs.status).toBe(200);
    expect(decodeJwt(String(rs.body.access_token))).toMatchObject({ appid: HELPDESK.clientId, appidacr: "2", roles: ["Mail.Read"] });
    const ps = await clientCredentials(await assertion({ header: { alg: "PS256", "x5t#S256": cert.x5tS256 } }));
    expect(ps.status).toBe(200);
  });

  it("accepts an assertion whose aud names the tenant by GUID, and identifies the client by sub alone", async () => {
    const jwt = await assertion({ aud: endpoint(SEED.contosoId) });
    const res = await token(
      emu.http,
      { grant_type: "client_credentials", client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: jwt, scope: "https://graph.microsoft.com/.default" },
      { tenant: "contoso.onmicrosoft.com" },
    );
    expect(res.status).toBe(200);
  });

  it("rejects a bad signature and an unknown certificate with 700027 (401)", async () => {
    const forged = await clientCredentials(await assertion({ signWith: other.key }));
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe("invalid_client");
    expect(errorCode(forged.body)).toBe(700027);
    expect(String(forged.body.error_description)).toContain("Client assertion failed signature validation.");
    const unknown = await clientCredentials(await assertion({ signWith: other.key, header: { x5t: other.x5t } }));
    expect(unknown.status).toBe(401);
    expect(errorCode(unknown.body)).toBe(700027);
    expect(String(unknown.body.error_description)).toContain(`Thumbprint of key used by client: '${Buffer.from(other.x5t, "base64url").toString("hex").toUpperCase()}'`);
  });

  it("rejects an expired or not-yet-valid assertion with 700024 (400)", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await clientCredentials(await assertion({ iat: now - 3600, exp: now - 1200 }));
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe("invalid_client");
    expect(errorCode(expired.body)).toBe(700024);
    expect(String(expired.body.error_description)).toContain("Client assertion is not within its valid time range.");
    const future = await clientCredentials(await assertion({ iat: now + 1800 }));
    expect(errorCode(future.body)).toBe(700024);
    const tooLong = await clientCredentials(await assertion({ exp: now + 3 * 86_400 }));
    expect(errorCode(tooLong.body)).toBe(700024);
    const skewed = await clientCredentials(await assertion({ iat: now + 120 }));
    expect(skewed.status).toBe(200);
  });

  it("checks aud (700023) and iss/sub (700021)", async () => {
    const wrongAud = await clientCredentials(await assertion({ aud: endpoint("fabrikam.onmicrosoft.com") }));
    expect(errorCode(wrongAud.body)).toBe(700023);
    const wrongIss = await clientCredentials(await assertion({ clientId: SEED.clientId }));
    expect(errorCode(wrongIss.body)).toBe(700021);
  });

  it("needs a credential (7000218) and works for the authorization code grant too", async () => {
    const missing = await token(emu.http, { grant_type: "client_credentials", client_id: HELPDESK.clientId, scope: "https://graph.microsoft.com/.default" }, { tenant: SEED.contosoId });
    expect(missing.status).toBe(401);
    expect(errorCode(missing.body)).toBe(7000218);

    const redirectUri = "http://localhost:3000/api/connections/callback";
    const code = await getCode(emu.http, SEED.adeleId, { tenant: SEED.contosoId, params: { client_id: HELPDESK.clientId, redirect_uri: redirectUri, scope: "openid offline_access User.Read" } });
    const jwt = await assertion({ aud: endpoint(SEED.contosoId) });
    const form: Record<string, string> = { ...redeemForm(code), client_id: HELPDESK.clientId, redirect_uri: redirectUri, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: jwt };
    delete form.client_secret;
    const res = await token(emu.http, form, { tenant: SEED.contosoId });
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body.access_token))).toMatchObject({ appidacr: "2", upn: "adele@contoso.onmicrosoft.com" });
    const refreshed = await token(
      emu.http,
      {
        grant_type: "refresh_token",
        client_id: HELPDESK.clientId,
        refresh_token: String(res.body.refresh_token),
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: await assertion({ aud: endpoint(SEED.contosoId) }),
      },
      { tenant: SEED.contosoId },
    );
    expect(refreshed.status).toBe(200);
  });
});
