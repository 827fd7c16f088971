import { describe, expect, it } from "vitest";
import { GLOBAL, SEED, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator({ resetEachTest: false });

async function json(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("discovery", () => {
  it("serves organizations metadata with the {tenantid} issuer template", async () => {
    const { status, body } = await json(`${emu.http}/${GLOBAL}/organizations/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    const base = `${emu.httpsUrl}/${GLOBAL}`;
    expect(body.issuer).toBe(`${base}/{tenantid}/v2.0`);
    expect(body.token_endpoint).toBe(`${base}/organizations/oauth2/v2.0/token`);
    expect(body.jwks_uri).toBe(`${base}/organizations/discovery/v2.0/keys`);
    // Browser-facing endpoints use the plain-HTTP origin; everything else HTTPS.
    expect(body.authorization_endpoint).toBe(`${emu.http}/${GLOBAL}/organizations/oauth2/v2.0/authorize`);
    expect(body.end_session_endpoint).toBe(`${emu.http}/${GLOBAL}/organizations/oauth2/v2.0/logout`);
    expect(body.userinfo_endpoint).toBe(`${emu.httpsUrl}/graph.microsoft.com/oidc/userinfo`);
    expect(body.token_endpoint_auth_methods_supported).toEqual(["client_secret_post", "private_key_jwt", "client_secret_basic"]);
    expect(body.response_modes_supported).toEqual(["query", "fragment", "form_post"]);
    expect(body.subject_types_supported).toEqual(["pairwise"]);
    expect(body.id_token_signing_alg_values_supported).toEqual(["RS256"]);
    expect(body.request_uri_parameter_supported).toBe(false);
    expect(body.cloud_instance_name).toBe("microsoftonline.com");
    expect(body).toHaveProperty("tenant_region_scope", null);
  });

  it("names a tenant by GUID even when asked by domain", async () => {
    const { body } = await json(`${emu.http}/${GLOBAL}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(body.issuer).toBe(`${emu.httpsUrl}/${GLOBAL}/${SEED.contosoId}/v2.0`);
    expect(body.token_endpoint).toBe(`${emu.httpsUrl}/${GLOBAL}/${SEED.contosoId}/oauth2/v2.0/token`);
    expect(body.tenant_region_scope).toBe("NA");
  });

  it("answers an unknown tenant with AADSTS90002 in Microsoft's shape", async () => {
    const { status, body } = await json(`${emu.http}/${GLOBAL}/nope.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(400);
    expect(body.error_codes).toEqual([90002]);
    expect(body.error_description).toMatch(/^AADSTS90002: Tenant 'nope.onmicrosoft.com' not found\..*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s);
    expect(body.error_uri).toBe("https://login.microsoftonline.com/error?code=90002");
    expect(body).toHaveProperty("trace_id");
    expect(body).toHaveProperty("correlation_id");
  });

  it("keeps a GCC High tenant off the global prefix (the classic wrong-cloud mistake)", async () => {
    const wrong = await json(`${emu.http}/${GLOBAL}/northwind.onmicrosoft.us/v2.0/.well-known/openid-configuration`);
    expect(wrong.status).toBe(400);
    expect(wrong.body.error_codes).toEqual([90002]);
    const right = await json(`${emu.http}/login.microsoftonline.us/northwind.onmicrosoft.us/v2.0/.well-known/openid-configuration`);
    expect(right.status).toBe(200);
    expect(right.body.issuer).toBe(`${emu.httpsUrl}/login.microsoftonline.us/${SEED.northwindId}/v2.0`);
    expect(right.body.msgraph_host).toBe("graph.microsoft.us");
  });

  it("serves the China prefix", async () => {
    const { status, body } = await json(`${emu.http}/login.partner.microsoftonline.cn/common/v2.0/.well-known/openid-configuration`);
    expect(status).toBe(200);
    expect(body.cloud_instance_name).toBe("partner.microsoftonline.cn");
  });

  it("publishes a JWKS with kid, x5t, use and issuer", async () => {
    const { status, body } = await json(`${emu.http}/${GLOBAL}/common/discovery/v2.0/keys`);
    expect(status).toBe(200);
    const [key] = body.keys as Record<string, unknown>[];
    expect(key).toMatchObject({ kty: "RSA", use: "sig", e: "AQAB", issuer: `${emu.httpsUrl}/${GLOBAL}/{tenantid}/v2.0` });
    expect(key?.kid).toBe(key?.x5t);
    expect(key?.x5c).toHaveLength(1);
    expect(key).not.toHaveProperty("d");
  });

  it("serves every route on the HTTPS listener too", async () => {
    // The in-process fetch doesn't trust the self-signed CA; the child-process test in tls.test.ts covers HTTPS fetches.
    const https = await import("node:https");
    const { readFile } = await import("node:fs/promises");
    const ca = await readFile(emu.certPath);
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(`${emu.httpsUrl}/${GLOBAL}/common/v2.0/.well-known/openid-configuration`, { ca }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });
    expect(status).toBe(200);
  });
});
