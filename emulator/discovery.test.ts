import { describe, expect, it } from "vitest";
import { GLOBAL, SEED, USGOV, setupTestEmulator } from "./test-support";

const CHINA = "login.partner.microsoftonline.cn";

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

  it("names each cloud's region, sub-scope, instance, Graph and RBAC hosts, with the issuer on its login host", async () => {
    const { admin } = await import("./test-support");
    const add = async (body: Record<string, unknown>) => {
      const res = await admin(emu.http, "POST", "/tenants", body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return String(res.body.id);
    };
    const tag = Date.now().toString(36);
    const tenants = {
      eu: await add({ displayName: "EU", domain: `eu${tag}.onmicrosoft.com`, cloud: "global", regionScope: "EU" }),
      gcc: await add({ displayName: "GCC", domain: `gcc${tag}.onmicrosoft.com`, cloud: "global", gcc: true }),
      dod: await add({ displayName: "DoD", domain: `dod${tag}.onmicrosoft.us`, cloud: "usgov", subcloud: "dod" }),
      china: await add({ displayName: "CN", domain: `cn${tag}.partner.onmschina.cn`, cloud: "china" }),
    };
    const cases = [
      { host: GLOBAL, tenant: SEED.contosoId, region: "NA", sub: undefined, instance: "microsoftonline.com", aadGraph: "graph.windows.net", graph: "graph.microsoft.com", rbac: "https://pas.windows.net" },
      { host: GLOBAL, tenant: tenants.eu, region: "EU", sub: undefined, instance: "microsoftonline.com", aadGraph: "graph.windows.net", graph: "graph.microsoft.com", rbac: "https://pas.windows.net" },
      { host: GLOBAL, tenant: tenants.gcc, region: "NA", sub: "GCC", instance: "microsoftonline.com", aadGraph: "graph.windows.net", graph: "graph.microsoft.com", rbac: "https://pas.windows.net" },
      { host: USGOV, tenant: SEED.northwindId, region: "USGov", sub: "DODCON", instance: "microsoftonline.us", aadGraph: "graph.windows.net", graph: "graph.microsoft.us", rbac: "https://pasff.usgovcloudapi.net" },
      { host: USGOV, tenant: tenants.dod, region: "USGov", sub: "DOD", instance: "microsoftonline.us", aadGraph: "graph.windows.net", graph: "dod-graph.microsoft.us", rbac: "https://pasff.usgovcloudapi.net" },
      { host: CHINA, tenant: tenants.china, region: "AS", sub: undefined, instance: "partner.microsoftonline.cn", aadGraph: "graph.chinacloudapi.cn", graph: "microsoftgraph.chinacloudapi.cn", rbac: "https://pas.chinacloudapi.cn" },
    ];
    for (const c of cases) {
      const { status, body } = await json(`${emu.http}/${c.host}/${c.tenant}/v2.0/.well-known/openid-configuration`);
      expect(status, c.tenant).toBe(200);
      expect(body, c.tenant).toMatchObject({
        issuer: `${emu.httpsUrl}/${c.host}/${c.tenant}/v2.0`,
        token_endpoint: `${emu.httpsUrl}/${c.host}/${c.tenant}/oauth2/v2.0/token`,
        tenant_region_scope: c.region,
        cloud_instance_name: c.instance,
        cloud_graph_host_name: c.aadGraph,
        msgraph_host: c.graph,
        rbac_url: c.rbac,
        userinfo_endpoint: `${emu.httpsUrl}/${c.graph}/oidc/userinfo`,
      });
      if (c.sub) expect(body.tenant_region_sub_scope, c.tenant).toBe(c.sub);
      else expect(body, c.tenant).not.toHaveProperty("tenant_region_sub_scope");
    }
  });

  it("answers discovery for another cloud's tenant on the worldwide host, naming its cloud; nothing else crosses clouds", async () => {
    // What cloud detection relies on: login.microsoftonline.com tells a GCC High tenant where it lives (reference §1.4).
    const atGlobal = await json(`${emu.http}/${GLOBAL}/northwind.onmicrosoft.us/v2.0/.well-known/openid-configuration`);
    expect(atGlobal.status).toBe(200);
    expect(atGlobal.body).toMatchObject({
      issuer: `${emu.httpsUrl}/${USGOV}/${SEED.northwindId}/v2.0`,
      token_endpoint: `${emu.httpsUrl}/${USGOV}/${SEED.northwindId}/oauth2/v2.0/token`,
      authorization_endpoint: `${emu.http}/${USGOV}/${SEED.northwindId}/oauth2/v2.0/authorize`,
      cloud_instance_name: "microsoftonline.us",
      tenant_region_scope: "USGov",
      tenant_region_sub_scope: "DODCON",
      msgraph_host: "graph.microsoft.us",
    });
    // The keys and token endpoints of the wrong host, and the other clouds' hosts, don't know the tenant.
    const keys = await json(`${emu.http}/${GLOBAL}/northwind.onmicrosoft.us/discovery/v2.0/keys`);
    expect(keys.body.error_codes).toEqual([90002]);
    const tokenRes = await fetch(`${emu.http}/${GLOBAL}/northwind.onmicrosoft.us/oauth2/v2.0/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: SEED.clientId, client_secret: SEED.secret, scope: "https://graph.microsoft.us/.default" }),
    });
    expect(((await tokenRes.json()) as { error_codes: number[] }).error_codes).toEqual([90002]);
    for (const host of [USGOV, CHINA]) {
      const wrong = await json(`${emu.http}/${host}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
      expect(wrong.status, host).toBe(400);
      expect(wrong.body.error_codes, host).toEqual([90002]);
    }
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
