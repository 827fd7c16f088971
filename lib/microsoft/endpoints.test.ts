import { describe, expect, it } from "vitest";
import { CLOUD_IDS, type CloudId } from "./clouds";
import { EndpointConfigError, TENANT_MODES, deriveEndpoints, hostMapFromBase, mailEndpoints, tenantSegment, validateEndpointOverride, validateTenant, type TenantMode } from "./endpoints";
import { PURPOSES, delegatedScopes } from "./scopes";

const LOGIN: Record<CloudId, string> = {
  global: "login.microsoftonline.com",
  gcc: "login.microsoftonline.com",
  "gcc-high": "login.microsoftonline.us",
  dod: "login.microsoftonline.us",
  china: "login.partner.microsoftonline.cn",
};
const GRAPH: Record<CloudId, string> = {
  global: "graph.microsoft.com",
  gcc: "graph.microsoft.com",
  "gcc-high": "graph.microsoft.us",
  dod: "dod-graph.microsoft.us",
  china: "microsoftgraph.chinacloudapi.cn",
};
const OUTLOOK: Record<CloudId, string> = {
  global: "https://outlook.office.com",
  gcc: "https://outlook.office.com",
  "gcc-high": "https://outlook.office365.us",
  dod: "https://outlook-dod.office365.us",
  china: "https://partner.outlook.cn",
};
const TENANT = "contoso.onmicrosoft.com";
const GUID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const segFor = (mode: TenantMode) => (mode === "single" ? TENANT : mode);

const matrix = CLOUD_IDS.flatMap((cloud) => TENANT_MODES.flatMap((mode) => PURPOSES.map((purpose) => [cloud, mode, purpose] as const)));

describe("every cloud × tenant mode × purpose", () => {
  it.each(matrix)("%s / %s / %s", (cloud, mode, purpose) => {
    const e = deriveEndpoints({ cloud, tenantMode: mode, tenant: TENANT });
    const base = `https://${LOGIN[cloud]}/${segFor(mode)}`;
    expect(e.authority).toBe(base);
    expect(e.authorize).toBe(`${base}/oauth2/v2.0/authorize`);
    expect(e.token).toBe(`${base}/oauth2/v2.0/token`);
    expect(e.adminConsent).toBe(`https://${LOGIN[cloud]}/${mode === "common" ? "organizations" : segFor(mode)}/v2.0/adminconsent`);
    expect(e.discovery).toBe(`${base}/v2.0/.well-known/openid-configuration`);
    expect(e.jwks).toBe(`${base}/discovery/v2.0/keys`);
    expect(e.logout).toBe(`${base}/oauth2/v2.0/logout`);
    expect(e.graphBase).toBe(`https://${GRAPH[cloud]}/v1.0`);
    expect([e.imap.port, e.pop.port, e.smtp.port]).toEqual([993, 995, 587]);

    const { authorizeScope } = delegatedScopes(cloud, [purpose]);
    const words = authorizeScope.split(" ");
    expect(words).toContain("openid");
    expect(words).toContain("offline_access");
    const prefix = purpose.startsWith("graph") ? `https://${GRAPH[cloud]}/` : `${OUTLOOK[cloud]}/`;
    expect(words.slice(4).length).toBeGreaterThan(0);
    expect(words.slice(4).every((w) => w.startsWith(prefix))).toBe(true);

    for (const kind of ["authorize", "token"] as const) {
      expect(validateEndpointOverride({ url: e[kind], kind, cloud, tenantMode: mode, tenant: TENANT, allowCustomHosts: false })).toEqual({ ok: true, url: e[kind] });
    }
  });
});

describe("tenants", () => {
  it.each([
    [GUID.toUpperCase(), GUID],
    ["Contoso.OnMicrosoft.com", TENANT],
    ["contoso.com", "contoso.com"],
    ["northwind.onmicrosoft.us", "northwind.onmicrosoft.us"],
  ])("accepts %s", (value, tenant) => expect(validateTenant(value)).toEqual({ ok: true, tenant }));
  it.each([
    ["common", /pick the tenant mode/],
    ["Organizations", /pick the tenant mode/],
    ["consumers", /not a tenant/],
    ["9188040d-6c67-4c5b-b112-36a304b66dad", /personal accounts/],
    ["", /Enter the tenant/],
    ["admin@contoso.com", /domain part \(contoso\.com\)/],
    ["https://login.microsoftonline.com/contoso.com", /not a URL/],
    ["contoso", /neither a tenant ID nor a domain/],
    ["72f988bf-86f1-41af-91ab", /neither/],
    ["con toso.com", /neither/],
  ])("refuses %j", (value, message) => {
    const r = validateTenant(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
  it("tenantSegment uses aliases literally and validates single tenants", () => {
    expect(tenantSegment("organizations", "ignored")).toBe("organizations");
    expect(tenantSegment("common")).toBe("common");
    expect(tenantSegment("single", GUID.toUpperCase())).toBe(GUID);
    expect(() => tenantSegment("single")).toThrow(/Enter the tenant/);
    expect(() => deriveEndpoints({ cloud: "global", tenantMode: "single", tenant: "common" })).toThrow(/tenant mode/);
  });
});

describe("host map", () => {
  it("puts the real host into the path under the base", () => {
    const map = hostMapFromBase("https://localhost:3100");
    expect(map(new URL("https://login.microsoftonline.us/x/y?a=1")).href).toBe("https://localhost:3100/login.microsoftonline.us/x/y?a=1");
    expect(hostMapFromBase("http://127.0.0.1:4000/ms/")(new URL("https://graph.microsoft.com/v1.0")).href).toBe("http://127.0.0.1:4000/ms/graph.microsoft.com/v1.0");
  });
  it("is the identity without a base", () => {
    expect(hostMapFromBase(undefined)(new URL("https://login.microsoftonline.us/x/y")).href).toBe("https://login.microsoftonline.us/x/y");
  });
  it("applies to every derived URL", () => {
    const e = deriveEndpoints({ cloud: "gcc-high", tenantMode: "single", tenant: TENANT, hostMap: hostMapFromBase("https://localhost:3100") });
    expect(e.authorize).toBe(`https://localhost:3100/login.microsoftonline.us/${TENANT}/oauth2/v2.0/authorize`);
    expect(e.graphBase).toBe("https://localhost:3100/graph.microsoft.us/v1.0");
    expect(e.jwks).toBe(`https://localhost:3100/login.microsoftonline.us/${TENANT}/discovery/v2.0/keys`);
  });
  it("mail endpoints take one replacement host with optional ports", () => {
    expect(mailEndpoints("dod")).toEqual({ imap: { host: "outlook-dod.office365.us", port: 993 }, pop: { host: "outlook-dod.office365.us", port: 995 }, smtp: { host: "outlook-dod.office365.us", port: 587 } });
    expect(mailEndpoints("global", { host: "127.0.0.1", imapPort: 1993 })).toEqual({ imap: { host: "127.0.0.1", port: 1993 }, pop: { host: "127.0.0.1", port: 995 }, smtp: { host: "127.0.0.1", port: 587 } });
  });
});

describe("validateEndpointOverride", () => {
  const gov = { cloud: "gcc-high" as const, tenantMode: "single" as const, tenant: TENANT, allowCustomHosts: false };
  const check = (url: string, kind: "authorize" | "token" = "token", extra: Partial<Parameters<typeof validateEndpointOverride>[0]> = {}) =>
    validateEndpointOverride({ ...gov, url, kind, ...extra });
  const refused = (r: ReturnType<typeof check>, message: RegExp) => {
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  };

  it("accepts the cloud's v2 endpoints for GUID and domain tenants, normalising a trailing slash", () => {
    expect(check(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token/`)).toEqual({ ok: true, url: `https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token` });
    expect(check(`https://login.microsoftonline.us/${GUID}/oauth2/v2.0/authorize`, "authorize", { tenant: GUID }).ok).toBe(true);
    expect(check(`https://LOGIN.microsoftonline.us/Contoso.onmicrosoft.com/oauth2/v2.0/token`).ok).toBe(true);
  });
  it("accepts China's alternative login host", () => {
    expect(check("https://login.chinacloudapi.cn/organizations/oauth2/v2.0/token", "token", { cloud: "china", tenantMode: "organizations" }).ok).toBe(true);
  });
  it("rejects the v1 endpoint", () => {
    refused(check(`https://login.microsoftonline.us/${TENANT}/oauth2/authorize`, "authorize"), /v1\.0 endpoint.*use …\/oauth2\/v2\.0\/authorize/);
  });
  it("rejects another cloud's host and names both clouds", () => {
    refused(
      check(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`),
      /login\.microsoftonline\.com is the sign-in host of the Global \(worldwide\) and US Government GCC clouds; this integration is US Government GCC High, whose host is login\.microsoftonline\.us/,
    );
  });
  it("rejects a tenant mismatch", () => {
    refused(check("https://login.microsoftonline.us/fabrikam.com/oauth2/v2.0/token"), /names tenant fabrikam\.com but the integration is for tenant contoso\.onmicrosoft\.com/);
    refused(check("https://login.microsoftonline.us/common/oauth2/v2.0/token"), /names common .*change the tenant mode/);
    refused(check(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`, "token", { tenantMode: "organizations" }), /for any organization \(organizations\)/);
  });
  it("rejects the wrong kind", () => {
    refused(check(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`, "authorize"), /token endpoint, but this field is for the authorize endpoint/);
  });
  it("rejects http, garbage, query strings and other paths", () => {
    refused(check(`http://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`), /must start with https/);
    refused(check("login.microsoftonline.us/x"), /is not a URL/);
    refused(check(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token?x=1`), /Remove everything/);
    refused(check(`https://login.microsoftonline.us/${TENANT}/v2.0/adminconsent`), /path must be/);
    refused(check("https://login.microsoftonline.us/oauth2/v2.0/token"), /path must be/);
    refused(check(`ftp://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`), /Only https/);
    refused(check("https://login.microsoftonline.us/x/oauth2/v2.0/token", "token", { tenant: undefined }), /tenant first/);
  });
  it("rejects a non-Microsoft host unless custom hosts are allowed", () => {
    refused(check("https://idp.example.com/realms/x/protocol/openid-connect/token"), /not a Microsoft sign-in host.*login\.microsoftonline\.us/);
    refused(check("https://graph.microsoft.us/v1.0"), /Microsoft Graph API host, not a sign-in host/);
    expect(check("https://idp.example.com/realms/x/protocol/openid-connect/token", "token", { allowCustomHosts: true })).toEqual({ ok: true, url: "https://idp.example.com/realms/x/protocol/openid-connect/token" });
    expect(check(`http://localhost:9000/${TENANT}/oauth2/v2.0/token`, "token", { allowCustomHosts: true }).ok).toBe(true);
    refused(check("http://localhost:9000/other/oauth2/v2.0/token", "token", { allowCustomHosts: true }), /names tenant other/);
  });
  it("accepts the deployment's mapped form and still checks cloud and tenant in it", () => {
    const hostMap = hostMapFromBase("http://localhost:3100");
    expect(check(`http://localhost:3100/login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`, "token", { hostMap }).ok).toBe(true);
    refused(check(`http://localhost:3100/login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`, "token", { hostMap }), /Global/);
    refused(check(`http://localhost:3100/login.microsoftonline.us/${TENANT}/oauth2/authorize`, "authorize", { hostMap }), /v1\.0/);
  });
});

describe("deriveEndpoints with overrides", () => {
  const base = { cloud: "china" as const, tenantMode: "single" as const, tenant: TENANT };
  it("replaces authorize and token and says so in notes", () => {
    const e = deriveEndpoints({ ...base, overrides: { token: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token` } });
    expect(e.token).toBe(`https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token`);
    // One authority: the authorize endpoint follows the token endpoint's.
    expect(e.authorize).toBe(`https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/authorize`);
    expect(e.notes.some((n) => n.includes("token URL is overridden"))).toBe(true);
    expect(e.notes.some((n) => n.includes("login.chinacloudapi.cn"))).toBe(true);
  });
  it("accepts a stored override in the deployment's mapped form without knowing the map", () => {
    const mapped = `http://localhost:3100/login.partner.microsoftonline.cn/${TENANT}/oauth2/v2.0/token`;
    expect(deriveEndpoints({ ...base, overrides: { token: mapped } }).token).toBe(mapped);
  });
  it("maps a Microsoft-form override through the deployment's host map", () => {
    const e = deriveEndpoints({ ...base, overrides: { authorize: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/authorize` }, hostMap: hostMapFromBase("https://localhost:3100") });
    expect(e.authorize).toBe(`https://localhost:3100/login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/authorize`);
  });
  it("throws a typed error for an invalid override; custom hosts pass unless the caller forbids them", () => {
    const custom = "https://idp.example.com/t/oauth2/v2.0/token";
    expect(() => deriveEndpoints({ ...base, overrides: { token: custom }, allowCustomHosts: false })).toThrow(EndpointConfigError);
    expect(() => deriveEndpoints({ ...base, overrides: { token: custom } })).toThrow(/names tenant t but the integration is for tenant contoso/);
    expect(() => deriveEndpoints({ ...base, overrides: { token: "https://login.microsoftonline.com/x/oauth2/token" } })).toThrow(/token URL override is invalid/);
    expect(deriveEndpoints({ ...base, tenant: "t.example.com", overrides: { token: "https://idp.example.com/t.example.com/oauth2/v2.0/token" } }).token).toBe("https://idp.example.com/t.example.com/oauth2/v2.0/token");
  });
  const LOCAL = "http://localhost:3100/login.partner.microsoftonline.cn";
  it.each([
    ["token override on another host", "china", "single", { token: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token` }, `https://login.chinacloudapi.cn/${TENANT}`, `https://login.chinacloudapi.cn/${TENANT}`],
    ["authorize override only", "china", "single", { authorize: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/authorize` }, `https://login.chinacloudapi.cn/${TENANT}`, `https://login.chinacloudapi.cn/${TENANT}`],
    ["both; the token endpoint's authority wins", "china", "single", { authorize: `https://login.partner.microsoftonline.cn/${TENANT}/oauth2/v2.0/authorize`, token: `https://login.chinacloudapi.cn/${TENANT}/oauth2/v2.0/token` }, `https://login.chinacloudapi.cn/${TENANT}`, `https://login.chinacloudapi.cn/${TENANT}`],
    ["a custom identity provider", "global", "single", { token: "https://idp.example.com/tenants/t.example.com/oauth2/v2.0/token" }, "https://idp.example.com/tenants/t.example.com", "https://idp.example.com/tenants/t.example.com"],
    ["common: admin consent at organizations on the same authority", "global", "common", { token: "https://idp.example.com/common/oauth2/v2.0/token" }, "https://idp.example.com/common", "https://idp.example.com/organizations"],
    ["a stored mapped override", "china", "single", { token: `${LOCAL}/${TENANT}/oauth2/v2.0/token` }, `${LOCAL}/${TENANT}`, `${LOCAL}/${TENANT}`],
  ] as [string, CloudId, TenantMode, { authorize?: string; token?: string }, string, string][])("derives every endpoint from one authority: %s", (_name, cloud, mode, overrides, authority, consentAuthority) => {
    const tenant = overrides.token?.includes("t.example.com") ? "t.example.com" : TENANT;
    const e = deriveEndpoints({ cloud, tenantMode: mode, tenant, overrides });
    expect(e.authority).toBe(authority);
    expect(e.discovery).toBe(`${authority}/v2.0/.well-known/openid-configuration`);
    expect(e.jwks).toBe(`${authority}/discovery/v2.0/keys`);
    expect(e.logout).toBe(`${authority}/oauth2/v2.0/logout`);
    expect(e.adminConsent).toBe(`${consentAuthority}/v2.0/adminconsent`);
    expect(e.token).toBe(overrides.token ?? `${authority}/oauth2/v2.0/token`);
    expect(e.authorize).toBe(overrides.authorize ?? `${authority}/oauth2/v2.0/authorize`);
  });
  it("without overrides every endpoint stays on the cloud's host", () => {
    const e = deriveEndpoints({ ...base });
    for (const u of [e.authority, e.discovery, e.jwks, e.adminConsent, e.logout]) expect(new URL(u).host).toBe("login.partner.microsoftonline.cn");
  });
  it("notes that admin consent uses organizations for common", () => {
    expect(deriveEndpoints({ cloud: "global", tenantMode: "common" }).notes.join(" ")).toMatch(/organizations instead of common/);
  });
});
