import { describe, expect, it } from "vitest";
import { describeDetection, detectCloud, loginHostBehind, lookUpTenantCloud } from "./cloud-detection";
import { hostMapFromBase } from "./endpoints";

// Documents shaped as the shared reference (§1.4) describes what Microsoft publishes per cloud.
const TID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const doc = <T extends Record<string, unknown>>(host: string, extra: T) => ({
  issuer: `https://${host}/${TID}/v2.0`,
  token_endpoint: `https://${host}/${TID}/oauth2/v2.0/token`,
  cloud_graph_host_name: "graph.windows.net",
  ...extra,
});
const without = (o: Record<string, unknown>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
const DOCS = {
  global: doc("login.microsoftonline.com", { cloud_instance_name: "microsoftonline.com", tenant_region_scope: "NA", msgraph_host: "graph.microsoft.com" }),
  gcc: doc("login.microsoftonline.com", { cloud_instance_name: "microsoftonline.com", tenant_region_scope: "NA", tenant_region_sub_scope: "GCC", msgraph_host: "graph.microsoft.com" }),
  "gcc-high": doc("login.microsoftonline.us", { cloud_instance_name: "microsoftonline.us", tenant_region_scope: "USGov", tenant_region_sub_scope: "DODCON", msgraph_host: "graph.microsoft.us" }),
  dod: doc("login.microsoftonline.us", { cloud_instance_name: "microsoftonline.us", tenant_region_scope: "USGov", tenant_region_sub_scope: "DOD", msgraph_host: "dod-graph.microsoft.us" }),
  china: doc("login.partner.microsoftonline.cn", { cloud_instance_name: "partner.microsoftonline.cn", tenant_region_scope: "AS", msgraph_host: "microsoftgraph.chinacloudapi.cn" }),
} as const;

describe("detectCloud", () => {
  it.each(Object.entries(DOCS))("names the %s cloud from its document", (cloud, document) => {
    expect(detectCloud(document)).toMatchObject({ cloud, confidence: "sure" });
  });

  it("says what was detected and why", () => {
    expect(describeDetection("contoso.us", detectCloud(DOCS["gcc-high"]))).toBe("contoso.us publishes cloud_instance_name microsoftonline.us and tenant_region_sub_scope DODCON: US Government GCC High.");
    expect(describeDetection("contoso.com", detectCloud(DOCS.global))).toBe("contoso.com publishes cloud_instance_name microsoftonline.com and tenant_region_scope NA: Global (worldwide).");
    expect(describeDetection("contoso.cn", detectCloud(DOCS.china))).toMatch(/cloud_instance_name partner\.microsoftonline\.cn .*: China \(operated by 21Vianet\)\.$/);
  });

  it("calls a US Government tenant without a sub-scope GCC High, as a guess, unless its Graph host is DoD's", () => {
    const gcch = detectCloud(without(DOCS["gcc-high"], "tenant_region_sub_scope"));
    expect(gcch).toMatchObject({ cloud: "gcc-high", confidence: "likely" });
    expect(gcch.caveat).toMatch(/DODCON/);
    expect(describeDetection("northwind.onmicrosoft.us", gcch)).toMatch(/: US Government GCC High \(probably\)\.$/);
    expect(detectCloud(without(DOCS.dod, "tenant_region_sub_scope"))).toMatchObject({ cloud: "dod", confidence: "likely" });
  });

  it("falls back on the region scope and on the issuer's host when cloud_instance_name is missing", () => {
    expect(detectCloud({ tenant_region_scope: "USG" })).toMatchObject({ cloud: "gcc-high" });
    expect(detectCloud(without(DOCS.china, "cloud_instance_name"), { issuerLoginHost: "login.partner.microsoftonline.cn" })).toMatchObject({ cloud: "china", evidence: expect.arrayContaining(["an issuer on login.partner.microsoftonline.cn"]) });
  });

  it("leaves unknown values to the admin", () => {
    expect(detectCloud({ ...DOCS.global, tenant_region_sub_scope: "NEWCLOUD" })).toMatchObject({ cloud: null, confidence: "unknown" });
    expect(detectCloud({ cloud_instance_name: "example.org" })).toMatchObject({ cloud: null });
    expect(detectCloud("not json")).toMatchObject({ cloud: null });
    expect(detectCloud({ issuer: "https://idp.example.org/x" })).toMatchObject({ cloud: null });
  });
});

describe("lookUpTenantCloud", () => {
  const base = "https://emulator.test:3100";
  const hostMap = hostMapFromBase(base);
  const notFound = () => Response.json({ error: "invalid_tenant", error_codes: [90002], error_description: "AADSTS90002: Tenant 'x' not found.\r\nTrace ID: 1" }, { status: 400 });

  it("asks each cloud's login host through the host map until one knows the tenant", async () => {
    const asked: string[] = [];
    const fake: typeof fetch = async (input) => {
      const url = String(input);
      asked.push(url);
      return url.includes("/login.microsoftonline.us/") ? Response.json({ ...DOCS["gcc-high"], issuer: `${base}/login.microsoftonline.us/${TID}/v2.0` }) : notFound();
    };
    const r = await lookUpTenantCloud("contoso.us", { hostMap, fetch: fake });
    expect(asked).toEqual([
      `${base}/login.microsoftonline.com/contoso.us/v2.0/.well-known/openid-configuration`,
      `${base}/login.microsoftonline.us/contoso.us/v2.0/.well-known/openid-configuration`,
    ]);
    expect(r).toMatchObject({ kind: "found", askedHost: "login.microsoftonline.us", detection: { cloud: "gcc-high" } });
  });

  it("reports a tenant no cloud knows as AADSTS90002", async () => {
    const r = await lookUpTenantCloud("nope.onmicrosoft.com", { fetch: async () => notFound() });
    expect(r).toEqual({ kind: "not-found", tenant: "nope.onmicrosoft.com", aadsts: 90002, description: "AADSTS90002: Tenant 'x' not found.", askedHosts: ["login.microsoftonline.com", "login.microsoftonline.us", "login.partner.microsoftonline.cn"] });
  });

  it("says so when Microsoft cannot be reached or answers something else", async () => {
    expect(await lookUpTenantCloud("contoso.com", { fetch: async () => { throw new TypeError("fetch failed"); } })).toMatchObject({ kind: "unavailable" });
    expect(await lookUpTenantCloud("contoso.com", { fetch: async () => new Response("busy", { status: 503 }) })).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/HTTP 503/) });
  });

  it("finds the Microsoft login host behind a mapped issuer", () => {
    expect(loginHostBehind(`${base}/login.microsoftonline.us/${TID}/v2.0`, hostMap)).toBe("login.microsoftonline.us");
    expect(loginHostBehind(`https://login.microsoftonline.com/${TID}/v2.0`)).toBe("login.microsoftonline.com");
    expect(loginHostBehind("https://idp.example.org/")).toBeUndefined();
  });
});
