import { describe, expect, it } from "vitest";
import { AUTH_CODE, GLOBAL, HELPDESK, NORTHWIND_MAIL, SEED, USGOV, admin, isConsentScreen, readPickerForm, redirectParams, setupTestEmulator, signIn, submitConsent, token } from "./test-support";

const emu = setupTestEmulator();

const MEGAN = "c0a70500-0000-4000-8000-0000000000a2";
const LEE = "c0a70500-0000-4000-8000-0000000000a3";
const NESTOR = "a0b1d000-0000-4000-8000-0000000000c1";
const CALLBACK = "http://localhost:3000/api/connections/callback";

function adminConsentUrl(opts: { host?: string; tenant?: string; path?: string; params?: Record<string, string | undefined> } = {}): string {
  const url = new URL(`${emu.http}/${opts.host ?? GLOBAL}/${opts.tenant ?? "contoso.onmicrosoft.com"}/${opts.path ?? "v2.0/adminconsent"}`);
  const params = { client_id: HELPDESK.clientId, redirect_uri: CALLBACK, state: "ac-state", ...opts.params };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.toString();
}

async function pickAt(url: string, choice: { account: string } | { cancel: true }): Promise<{ res: Response; html: string }> {
  const page = await fetch(url, { redirect: "manual" });
  expect(page.status).toBe(200);
  const form = readPickerForm(await page.text());
  const body = new URLSearchParams(form.fields);
  if ("account" in choice) body.set("account", choice.account);
  else body.set("cancel", "1");
  const res = await fetch(new URL(form.action, emu.http), { method: "POST", body, redirect: "manual" });
  return { res, html: res.status === 200 ? await res.text() : "" };
}

async function page(url: string): Promise<{ status: number; html: string }> {
  const res = await fetch(url, { redirect: "manual" });
  return { status: res.status, html: await res.text() };
}

describe("admin consent endpoint", () => {
  it("lets an admin grant the app for the organization and redirects with admin_consent, tenant, scope and state", async () => {
    const picker = await (await fetch(adminConsentUrl())).text();
    expect(picker).toContain("Pick an account");
    expect(readPickerForm(picker).accounts).toEqual([SEED.adeleId, MEGAN, LEE]);

    const { res, html } = await pickAt(adminConsentUrl(), { account: SEED.adeleId });
    expect(res.headers.get("set-cookie")).toMatch(/^ESTSAUTH=/);
    expect(isConsentScreen(html)).toBe(true);
    expect(html).toContain("<h2>Accept for your organization</h2>");
    expect(html).toContain("adele@contoso.onmicrosoft.com");
    // No scope: the Graph .default, listed as the app's Graph application permissions.
    expect(html).toContain("<li>Read mail in all mailboxes <span class=\"detail\">Microsoft Graph · application permission</span></li>");
    expect(html).toContain("If you accept, this app will get access to the specified resources for all users in your organization.");
    expect(html).not.toContain("Consent on behalf of your organization");

    const accepted = await submitConsent(emu.http, html, "accept");
    const location = new URL(accepted.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(Object.fromEntries(location.searchParams)).toEqual({
      admin_consent: "True",
      tenant: SEED.contosoId,
      scope: "https://graph.microsoft.com/.default",
      state: "ac-state",
    });
    const records = (await admin(emu.http, "GET", `/consents?clientId=${HELPDESK.clientId}&tenant=contoso.onmicrosoft.com`)).body as unknown as Record<string, unknown>[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ tenantId: SEED.contosoId, scopes: ["https://graph.microsoft.com/.default"] });
    expect(records[0]).not.toHaveProperty("userId");

    // Graph .default covers every Graph scope for every user of the tenant; Outlook still needs consent.
    const graphOnly = { tenant: "contoso.onmicrosoft.com", params: { client_id: HELPDESK.clientId, redirect_uri: CALLBACK, scope: "openid offline_access User.Read Mail.Read Mail.Send" } };
    expect(redirectParams(await signIn(emu.http, { account: MEGAN }, graphOnly)).get("code")).toMatch(AUTH_CODE);
    const withImap = await signIn(emu.http, { account: MEGAN }, { ...graphOnly, params: { ...graphOnly.params, scope: "openid https://outlook.office.com/IMAP.AccessAsUser.All" } });
    expect(isConsentScreen(await withImap.text())).toBe(true);
  });

  it("takes the older /{tenant}/adminconsent path and named scopes across resources", async () => {
    const scope = "https://graph.microsoft.com/Mail.Read https://outlook.office365.com/.default";
    const { html } = await pickAt(adminConsentUrl({ path: "adminconsent", params: { scope } }), { account: SEED.adeleId });
    expect(html).toContain("<li>Read your mail <span class=\"detail\">Microsoft Graph</span></li>");
    expect(html).toContain("<li>Access all mailboxes via IMAP as the app <span class=\"detail\">Office 365 Exchange Online · application permission</span></li>");
    const q = redirectParams(await submitConsent(emu.http, html, "accept"));
    expect(q.get("scope")).toBe(scope);
    const [record] = (await admin(emu.http, "GET", "/consents?tenantWide=true")).body as unknown as { scopes: string[] }[];
    expect(record?.scopes).toEqual(["https://graph.microsoft.com/mail.read", "https://outlook.office.com/.default"]);
  });

  it("defaults scope to the cloud's Graph .default (GCC High)", async () => {
    const url = adminConsentUrl({
      host: USGOV,
      tenant: "northwind.onmicrosoft.us",
      params: { client_id: NORTHWIND_MAIL.clientId },
    });
    const { html } = await pickAt(url, { account: NESTOR });
    const q = redirectParams(await submitConsent(emu.http, html, "accept"));
    expect(q.get("tenant")).toBe(SEED.northwindId);
    expect(q.get("scope")).toBe("https://graph.microsoft.us/.default");
  });

  it("redirects with invalid_resource (500011) for a resource the admin's tenant doesn't have", async () => {
    const { res } = await pickAt(adminConsentUrl({ params: { scope: "https://graph.microsoft.us/.default" } }), { account: SEED.adeleId });
    const q = redirectParams(res);
    expect(q.get("admin_consent")).toBe("True");
    expect(q.get("error")).toBe("invalid_resource");
    expect(q.get("error_description")).toMatch(/^AADSTS500011: The resource principal named https:\/\/graph.microsoft.us was not found in the tenant named Contoso\./);
  });

  it("lists every user of the cloud on organizations, and uses the picked admin's tenant", async () => {
    const multi = await admin(emu.http, "POST", "/tenants/fabrikam.onmicrosoft.com/apps", { displayName: "Fabrikam multi", multiTenant: true, redirectUris: [CALLBACK] });
    const url = adminConsentUrl({ tenant: "organizations", params: { client_id: String(multi.body.clientId) } });
    const picker = readPickerForm(await (await fetch(url)).text());
    expect(picker.accounts).toContain(SEED.alexId);
    expect(picker.accounts).toContain(SEED.adeleId);
    expect(picker.accounts).not.toContain(NESTOR);
    const { html } = await pickAt(url, { account: SEED.adeleId });
    // No application permissions configured: .default reads as "what the app has configured".
    expect(html).toContain("<li>Permissions configured for Microsoft Graph <span class=\"detail\">https://graph.microsoft.com/.default</span></li>");
    expect(redirectParams(await submitConsent(emu.http, html, "accept")).get("tenant")).toBe(SEED.contosoId);
  });

  it("a multi-tenant app gets app-only tokens in another tenant only after someone there consented (AADSTS700016 before)", async () => {
    const value = "Fm9Q~Fabrikam.Multi_Secret~000000001x";
    const multi = await admin(emu.http, "POST", "/tenants/fabrikam.onmicrosoft.com/apps", { displayName: "Fabrikam multi cc", multiTenant: true, redirectUris: [CALLBACK], secrets: [{ value }] });
    const clientId = String(multi.body.clientId);
    const form = { grant_type: "client_credentials", client_id: clientId, client_secret: value, scope: "https://graph.microsoft.com/.default" };
    expect((await token(emu.http, form, { tenant: SEED.fabrikamId })).status).toBe(200); // its home tenant
    const before = await token(emu.http, form, { tenant: SEED.contosoId });
    expect(before.status).toBe(400);
    expect(String(before.body.error_description)).toMatch(/^AADSTS700016: Application with identifier/);
    const { html } = await pickAt(adminConsentUrl({ tenant: SEED.contosoId, params: { client_id: clientId } }), { account: SEED.adeleId });
    expect(redirectParams(await submitConsent(emu.http, html, "accept")).get("admin_consent")).toBe("True");
    expect((await token(emu.http, form, { tenant: SEED.contosoId })).status).toBe(200);
  });

  it("sends a non-admin to 'Need admin approval'; its return button gives admin_consent=True and AADSTS90094", async () => {
    const { res, html } = await pickAt(adminConsentUrl(), { account: MEGAN });
    expect(res.status).toBe(200);
    expect(html).toContain("<h1>Need admin approval</h1>");
    expect(html).toContain("AADSTS90094: ");
    const form = readPickerForm(html);
    const back = await fetch(new URL(form.action, emu.http), { method: "POST", body: new URLSearchParams({ ...form.fields, consent: "return" }), redirect: "manual" });
    const q = redirectParams(back);
    expect(q.get("admin_consent")).toBe("True");
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS90094: Admin consent is required for the permissions requested by this application\./);
    expect(q.get("state")).toBe("ac-state");
    expect(q.has("tenant")).toBe(false);
    expect((await admin(emu.http, "GET", "/consents")).body).toEqual([]);
  });

  it("redirects with admin_consent=True, access_denied and AADSTS65004 on Cancel (consent screen or picker)", async () => {
    const { html } = await pickAt(adminConsentUrl(), { account: SEED.adeleId });
    const q = redirectParams(await submitConsent(emu.http, html, "cancel"));
    expect(q.get("admin_consent")).toBe("True");
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_subcode")).toBe("cancel");
    expect(q.get("error_description")).toMatch(/^AADSTS65004: User declined to consent to access the app\./);
    expect(q.get("state")).toBe("ac-state");
    expect((await admin(emu.http, "GET", "/consents")).body).toEqual([]);

    const fromPicker = redirectParams((await pickAt(adminConsentUrl(), { cancel: true })).res);
    expect(fromPicker.get("admin_consent")).toBe("True");
    expect(fromPicker.get("error_description")).toMatch(/^AADSTS65004: /);
  });

  it("shows errors on Microsoft's page until client_id and redirect_uri are trusted", async () => {
    const unregistered = await page(adminConsentUrl({ params: { redirect_uri: "http://localhost:3999/cb" } }));
    expect(unregistered.status).toBe(400);
    expect(unregistered.html).toContain("AADSTS50011: The redirect URI &#39;http://localhost:3999/cb&#39; specified in the request does not match");
    expect((await page(adminConsentUrl({ params: { redirect_uri: undefined } }))).html).toContain("AADSTS50011");
    expect((await page(adminConsentUrl({ tenant: "nope.onmicrosoft.com" }))).html).toContain("AADSTS90002");
    expect((await page(adminConsentUrl({ params: { client_id: "00000000-2222-4000-8000-000000000000" } }))).html).toContain("AADSTS700016");
    expect((await page(adminConsentUrl({ tenant: "fabrikam.onmicrosoft.com" }))).html).toContain("AADSTS700016");
  });

  it("refuses a forged or replayed consent form", async () => {
    const { html } = await pickAt(adminConsentUrl(), { account: SEED.adeleId });
    const form = readPickerForm(html);
    const post = (fields: Record<string, string>) => fetch(new URL(form.action, emu.http), { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
    expect((await post({ ...form.fields, consent_request: "made-up", consent: "accept" })).status).toBe(400);
    expect((await post({ ...form.fields, account: MEGAN, consent: "accept" })).status).toBe(400);
    // That attempt used the pending pick up: the genuine form no longer works either.
    expect((await post({ ...form.fields, consent: "accept" })).status).toBe(400);
    const fresh = readPickerForm((await pickAt(adminConsentUrl(), { account: SEED.adeleId })).html).fields;
    expect((await post({ ...fresh, scope: "https://outlook.office365.com/.default", consent: "accept" })).status).toBe(400);
    expect((await admin(emu.http, "GET", "/consents")).body).toEqual([]);
    // A pending consent from /authorize doesn't work here either.
    const authorize = await signIn(emu.http, { account: SEED.adeleId }, { tenant: "contoso.onmicrosoft.com", params: { client_id: HELPDESK.clientId, redirect_uri: CALLBACK, scope: "Mail.Read" } });
    const pending = readPickerForm(await authorize.text()).fields.consent_request ?? "";
    expect((await post({ ...form.fields, consent_request: pending, consent: "accept" })).status).toBe(400);
  });
});

describe("admin consent faults", () => {
  it("redirects a fault without upn before the picker, with admin_consent=True", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "adminconsent", code: 53003, clientId: HELPDESK.clientId })).status).toBe(201);
    const q = redirectParams(await fetch(adminConsentUrl(), { redirect: "manual" }));
    expect(q.get("admin_consent")).toBe("True");
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS53003: Access has been blocked by Conditional Access policies\./);
    expect(q.get("state")).toBe("ac-state");
    // /authorize is not affected by adminconsent faults, and the fault was used up.
    expect((await fetch(adminConsentUrl())).status).toBe(200);
  });

  it("fires a fault with a upn at the pick, and shows delivery=page faults on Microsoft's page", async () => {
    await admin(emu.http, "POST", "/faults", { endpoint: "adminconsent", code: 50076, upn: "adele@contoso.onmicrosoft.com" });
    const q = redirectParams((await pickAt(adminConsentUrl(), { account: SEED.adeleId })).res);
    expect(q.get("error")).toBe("interaction_required");
    expect(q.get("admin_consent")).toBe("True");

    await admin(emu.http, "POST", "/faults", { endpoint: "adminconsent", code: 90094, delivery: "page", tenant: SEED.contosoId });
    const shown = await page(adminConsentUrl());
    expect(shown.status).toBe(400);
    expect(shown.html).toContain("AADSTS90094: Admin consent is required");
  });

  it("refuses network options for adminconsent faults", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "adminconsent", delayMs: 100 })).status).toBe(400);
  });
});
