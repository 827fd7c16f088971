import { describe, expect, it } from "vitest";
import { AUTH_CODE, SEED, authorizeUrl, redirectParams, signIn, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

async function page(url: string): Promise<{ status: number; html: string }> {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

async function addSingleTenantApp(): Promise<string> {
  const res = await fetch(`${emu.http}/_emulator/tenants/contoso.onmicrosoft.com/apps`, {
    method: "POST",
    body: JSON.stringify({ displayName: "Contoso only", multiTenant: false, redirectUris: [SEED.redirectUri] }),
  });
  return ((await res.json()) as { clientId: string }).clientId;
}

describe("authorize errors shown on Microsoft's page", () => {
  it("700016 for an unknown client_id", async () => {
    const { status, html } = await page(authorizeUrl(emu.http, { params: { client_id: "00000000-2222-4000-8000-000000000000" } }));
    expect(status).toBe(400);
    expect(html).toContain("AADSTS700016: Application with identifier &#39;00000000-2222-4000-8000-000000000000&#39; was not found");
  });

  it("50011 for an unregistered redirect URI, showing the URI", async () => {
    const { status, html } = await page(authorizeUrl(emu.http, { params: { redirect_uri: "http://localhost:3999/cb" } }));
    expect(status).toBe(400);
    expect(html).toContain("AADSTS50011: The redirect URI &#39;http://localhost:3999/cb&#39; specified in the request does not match");
  });

  it("90002 for an unknown tenant and for a tenant on another cloud's prefix", async () => {
    expect((await page(authorizeUrl(emu.http, { tenant: "nope.onmicrosoft.com" }))).html).toContain("AADSTS90002: Tenant &#39;nope.onmicrosoft.com&#39; not found");
    expect((await page(authorizeUrl(emu.http, { tenant: "northwind.onmicrosoft.us" }))).html).toContain("AADSTS90002");
    // The global app isn't registered in the US Gov cloud either.
    expect((await page(authorizeUrl(emu.http, { host: "login.microsoftonline.us", tenant: "northwind.onmicrosoft.us" }))).html).toContain("AADSTS700016");
  });

  it("50194 for a single-tenant app through organizations, but fine on its tenant", async () => {
    const clientId = await addSingleTenantApp();
    expect((await page(authorizeUrl(emu.http, { params: { client_id: clientId } }))).html).toContain("AADSTS50194");
    expect((await page(authorizeUrl(emu.http, { tenant: SEED.contosoId, params: { client_id: clientId } }))).status).toBe(200);
    expect((await page(authorizeUrl(emu.http, { tenant: "fabrikam.onmicrosoft.com", params: { client_id: clientId } }))).html).toContain("AADSTS700016");
  });

  it("50020 when a user from another tenant is submitted on a tenant endpoint", async () => {
    const page1 = await fetch(authorizeUrl(emu.http, { tenant: "contoso.onmicrosoft.com" }));
    expect(page1.status).toBe(200);
    const body = new URLSearchParams(authorizeUrl(emu.http).split("?")[1]);
    body.set("account", SEED.alexId);
    const res = await fetch(`${emu.http}/login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize`, { method: "POST", body, redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("AADSTS50020: User account &#39;alex@fabrikam.onmicrosoft.com&#39;");
  });
});

describe("authorize errors redirected to the client", () => {
  it("asks for a scope", async () => {
    const q = redirectParams(await fetch(authorizeUrl(emu.http, { params: { scope: "" } }), { redirect: "manual" }));
    expect(q.get("error")).toBe("invalid_request");
    expect(q.get("error_description")).toMatch(/^AADSTS900144: .*'scope'/);
    expect(q.get("state")).toBe("state-123");
  });

  it("refuses a response_type without code", async () => {
    const q = redirectParams(await fetch(authorizeUrl(emu.http, { params: { response_type: "token" } }), { redirect: "manual" }));
    expect(q.get("error")).toBe("unsupported_response_type");
  });
});

describe("authorize fault injection", () => {
  it("redirects with the injected error once the matching user is picked", async () => {
    await fetch(`${emu.http}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "authorize", code: 50020, upn: "megan@contoso.onmicrosoft.com" }),
    });
    // Another user is unaffected.
    expect(redirectParams(await signIn(emu.http, { account: SEED.adeleId })).get("code")).toMatch(AUTH_CODE);
    const q = redirectParams(await signIn(emu.http, { account: "c0a70500-0000-4000-8000-0000000000a2" }));
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS50020: User account 'megan@contoso.onmicrosoft.com'/);
    expect(q.get("error_uri")).toBe("https://login.microsoftonline.com/error?code=50020");
    expect(q.get("state")).toBe("state-123");
    // times defaults to 1.
    expect(redirectParams(await signIn(emu.http, { account: "c0a70500-0000-4000-8000-0000000000a2" })).get("code")).toMatch(AUTH_CODE);
  });

  it("shows the injected error on Microsoft's page when delivery is page", async () => {
    await fetch(`${emu.http}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "authorize", code: 53003, clientId: SEED.clientId, delivery: "page" }),
    });
    const { status, html } = await page(authorizeUrl(emu.http));
    expect(status).toBe(400);
    expect(html).toContain("AADSTS53003: Access has been blocked by Conditional Access policies.");
  });

  it("matches faults by tenant and honours DELETE", async () => {
    await fetch(`${emu.http}/_emulator/faults`, { method: "POST", body: JSON.stringify({ endpoint: "authorize", code: 90094, tenant: "fabrikam.onmicrosoft.com" }) });
    expect((await page(authorizeUrl(emu.http, { tenant: "contoso.onmicrosoft.com" }))).status).toBe(200);
    const q = redirectParams(await fetch(authorizeUrl(emu.http, { tenant: SEED.fabrikamId }), { redirect: "manual" }));
    expect(q.get("error")).toBe("consent_required");
    await fetch(`${emu.http}/_emulator/faults`, { method: "POST", body: JSON.stringify({ endpoint: "authorize", code: 90094 }) });
    await fetch(`${emu.http}/_emulator/faults`, { method: "DELETE" });
    expect((await page(authorizeUrl(emu.http))).status).toBe(200);
  });
});
