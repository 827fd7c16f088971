import { describe, expect, it } from "vitest";
import {
  AUTH_CODE,
  HELPDESK,
  SEED,
  admin,
  authorizeUrl,
  errorCode,
  isConsentScreen,
  readPickerForm,
  redeemForm,
  redirectParams,
  setupTestEmulator,
  signIn,
  submitConsent,
  token,
  type AuthorizeParams,
} from "./test-support";

const emu = setupTestEmulator();

const MEGAN = "c0a70500-0000-4000-8000-0000000000a2";
const LEE = "c0a70500-0000-4000-8000-0000000000a3";
const SHARED = "c0a70500-0000-4000-8000-0000000000a4";
const CALLBACK = "http://localhost:3000/api/connections/callback";
const IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All";

/** The seeded single-tenant integration app (not preAuthorized), asking for mail over Graph and IMAP. */
function helpdesk(params: Record<string, string> = {}): AuthorizeParams {
  return {
    tenant: "contoso.onmicrosoft.com",
    params: { client_id: HELPDESK.clientId, redirect_uri: CALLBACK, scope: `openid profile offline_access User.Read Mail.Read ${IMAP}`, ...params },
  };
}

async function pick(account: string, opts: AuthorizeParams = helpdesk()): Promise<{ res: Response; html: string }> {
  const res = await signIn(emu.http, { account }, opts);
  return { res, html: res.status === 200 ? await res.text() : "" };
}

function redeem(code: string) {
  return token(emu.http, { ...redeemForm(code), client_id: HELPDESK.clientId, client_secret: HELPDESK.secret, redirect_uri: CALLBACK }, { tenant: SEED.contosoId });
}

async function consents(query = `?clientId=${HELPDESK.clientId}`) {
  return (await admin(emu.http, "GET", `/consents${query}`)).body as unknown as { userId?: string; upn?: string; scopes: string[] }[];
}

describe("consent at /authorize", () => {
  it("shows the consent screen on first sign-in to an integration app, and none for a preAuthorized app", async () => {
    const { res, html } = await pick(MEGAN);
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/^ESTSAUTH=/);
    expect(isConsentScreen(html)).toBe(true);
    expect(html).toContain("Contoso Helpdesk mail");
    expect(html).toContain('<span class="publisher">unverified</span>');
    expect(html).toContain("megan@contoso.onmicrosoft.com");
    const items = [...html.matchAll(/<li>([^<]+)/g)].map((m) => m[1]?.trim());
    expect(items).toEqual([
      "Sign in",
      "View your basic profile",
      "Maintain access to data you have given it access to",
      "Sign you in and read your profile",
      "Read your mail",
      "Read and write access to mailboxes via IMAP",
    ]);
    expect(html).toContain('name="consent" value="accept">Accept</button>');
    expect(html).toContain('name="consent" value="cancel">Cancel</button>');
    // Megan is not an administrator: no organization-wide option.
    expect(html).not.toContain("Consent on behalf of your organization");

    const portal = await signIn(emu.http, { account: MEGAN });
    expect(portal.status).toBe(302);
    expect(redirectParams(portal).get("code")).toMatch(AUTH_CODE);
    const forced = await signIn(emu.http, { account: MEGAN }, { params: { prompt: "consent" } });
    expect(redirectParams(forced).get("code")).toMatch(AUTH_CODE);
  });

  it("stores the user's consent on Accept, issues the code, and skips the screen next time", async () => {
    const { html } = await pick(MEGAN);
    const accepted = await submitConsent(emu.http, html, "accept");
    const q = redirectParams(accepted);
    expect(q.get("state")).toBe("state-123");
    const tokens = await redeem(q.get("code") ?? "");
    expect(tokens.status).toBe(200);
    expect(tokens.body.scope).toBe("User.Read Mail.Read openid profile");

    const [record, ...others] = await consents();
    expect(others).toEqual([]);
    expect(record).toMatchObject({
      clientId: HELPDESK.clientId,
      tenantId: SEED.contosoId,
      userId: MEGAN,
      upn: "megan@contoso.onmicrosoft.com",
      scopes: ["https://graph.microsoft.com/user.read", "https://graph.microsoft.com/mail.read", "https://outlook.office.com/imap.accessasuser.all"],
    });

    const again = await pick(MEGAN);
    expect(redirectParams(again.res).get("code")).toMatch(AUTH_CODE);
    // Fewer scopes, other spelling: still covered.
    const fewer = await pick(MEGAN, helpdesk({ scope: "openid https://graph.microsoft.com/mail.read" }));
    expect(redirectParams(fewer.res).get("code")).toMatch(AUTH_CODE);
    // A new scope asks again, and the grant is merged into the same record.
    const more = await pick(MEGAN, helpdesk({ scope: "openid Mail.Send" }));
    expect(more.html).toContain("<li>Send mail as you");
    await submitConsent(emu.http, more.html, "accept");
    const merged = await consents();
    expect(merged).toHaveLength(1);
    expect(merged[0]?.scopes).toContain("https://graph.microsoft.com/mail.send");
    expect(merged[0]?.scopes).toContain("https://graph.microsoft.com/mail.read");
    // Another user of the tenant still has to consent.
    expect(isConsentScreen((await pick(LEE)).html)).toBe(true);
  });

  it("shows the screen with prompt=consent even when the request is covered", async () => {
    await admin(emu.http, "POST", "/consents", { clientId: HELPDESK.clientId, tenant: "contoso.onmicrosoft.com", upn: "megan@contoso.onmicrosoft.com", scopes: ["User.Read", "Mail.Read", IMAP] });
    expect(redirectParams((await pick(MEGAN)).res).get("code")).toMatch(AUTH_CODE);
    expect(isConsentScreen((await pick(MEGAN, helpdesk({ prompt: "consent" }))).html)).toBe(true);
  });

  it("redirects with access_denied / AADSTS65004 when the user cancels", async () => {
    const { html } = await pick(MEGAN);
    const q = redirectParams(await submitConsent(emu.http, html, "cancel"));
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_subcode")).toBe("cancel");
    expect(q.get("error_description")).toMatch(/^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /);
    expect(q.get("state")).toBe("state-123");
    expect(await consents()).toEqual([]);
  });

  it("lets an admin consent on behalf of the organization, so other users skip the screen", async () => {
    const adele = await pick(SEED.adeleId);
    expect(adele.html).toContain('<input type="checkbox" id="consent-org" name="consent_org" value="1"> <label for="consent-org">Consent on behalf of your organization</label>');
    expect(redirectParams(await submitConsent(emu.http, adele.html, "accept", { org: true })).get("code")).toMatch(AUTH_CODE);
    const [record] = await consents();
    expect(record).not.toHaveProperty("userId");
    expect(record?.scopes).toHaveLength(3);
    expect(redirectParams((await pick(LEE)).res).get("code")).toMatch(AUTH_CODE);
    expect(redirectParams((await pick(MEGAN)).res).get("code")).toMatch(AUTH_CODE);
  });

  it("records only the admin's own consent when the box is not ticked", async () => {
    const adele = await pick(SEED.adeleId);
    await submitConsent(emu.http, adele.html, "accept");
    expect((await consents())[0]?.userId).toBe(SEED.adeleId);
    expect(isConsentScreen((await pick(LEE)).html)).toBe(true);
  });

  it("sends non-admins to 'Need admin approval' when user consent is disabled, whose return button gives 90094", async () => {
    expect((await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { userConsent: "disabled" })).body.userConsent).toBe("disabled");
    const { res, html } = await pick(MEGAN);
    expect(res.status).toBe(200);
    expect(html).toContain("<h1>Need admin approval</h1>");
    expect(html).toContain("AADSTS90094: Admin consent is required for the permissions requested by this application.");
    expect(html).toContain("Contoso Helpdesk mail needs permission to access resources in your organization that only an admin can grant.");
    expect(html).toContain('name="consent" value="return">Return to the application without granting consent</button>');
    const other = /<a href="([^"]+)">Have an admin account\? Sign in with that account<\/a>/.exec(html)?.[1]?.replace(/&#38;/g, "&") ?? "";
    expect(await (await fetch(new URL(other, emu.http))).text()).toContain("Pick an account");

    const form = readPickerForm(html);
    const back = await fetch(new URL(form.action, emu.http), { method: "POST", body: new URLSearchParams({ ...form.fields, consent: "return" }), redirect: "manual" });
    const q = redirectParams(back);
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS90094: Admin consent is required for the permissions requested by this application\. An admin consent request may be sent to the admin\.\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: /);
    expect(q.get("error_uri")).toBe("https://login.microsoftonline.com/error?code=90094");
    expect(q.get("state")).toBe("state-123");

    // An administrator still gets the consent screen; after an organization-wide grant Megan goes straight through.
    const adele = await pick(SEED.adeleId);
    expect(isConsentScreen(adele.html)).toBe(true);
    await submitConsent(emu.http, adele.html, "accept", { org: true });
    expect(redirectParams((await pick(MEGAN)).res).get("code")).toMatch(AUTH_CODE);
  });

  it("answers prompt=none with consent_required (AADSTS65001) while consent is missing", async () => {
    const first = await pick(MEGAN);
    const cookie = (first.res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const silent = () => fetch(authorizeUrl(emu.http, helpdesk({ prompt: "none" })), { redirect: "manual", headers: { cookie } });
    const q = redirectParams(await silent());
    expect(q.get("error")).toBe("consent_required");
    expect(q.get("error_description")).toMatch(/^AADSTS65001: The user or administrator has not consented to use the application with ID 'c0a70500-0000-4000-8000-0000000000e1' named 'Contoso Helpdesk mail'\./);
    expect(q.get("state")).toBe("state-123");

    await submitConsent(emu.http, first.html, "accept");
    expect(redirectParams(await silent()).get("code")).toMatch(AUTH_CODE);
  });

  it("fires an authorize fault with a upn at the pick, before consent", async () => {
    await admin(emu.http, "POST", "/faults", { endpoint: "authorize", code: 53003, upn: "megan@contoso.onmicrosoft.com" });
    const q = redirectParams((await pick(MEGAN)).res);
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS53003: /);
    expect(isConsentScreen((await pick(MEGAN)).html)).toBe(true);
  });
});

describe("shared mailboxes", () => {
  it("never appear in the account picker and cannot sign in", async () => {
    const html = await (await fetch(authorizeUrl(emu.http, helpdesk()))).text();
    const { accounts } = readPickerForm(html);
    expect(accounts).toEqual([SEED.adeleId, MEGAN, LEE]);
    expect(html).not.toContain("support@contoso.onmicrosoft.com");
    const all = readPickerForm(await (await fetch(authorizeUrl(emu.http))).text()).accounts;
    expect(all).not.toContain(SHARED);

    const forced = await signIn(emu.http, { account: SHARED }, helpdesk());
    expect(forced.status).toBe(400);
    expect(await forced.text()).toContain("AADSTS50057: The user account is disabled.");
  });
});

describe("forged consent forms", () => {
  async function post(fields: Record<string, string>): Promise<Response> {
    return fetch(`${emu.http}/login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize`, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
  }

  it("refuses a made-up pending id, another account, changed parameters and a replayed form", async () => {
    const { html } = await pick(MEGAN);
    const { fields } = readPickerForm(html);
    expect(fields.consent_request).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fields).not.toHaveProperty("account");

    const madeUp = await post({ ...fields, consent_request: "x".repeat(32), consent: "accept" });
    expect(madeUp.status).toBe(400);
    expect(await madeUp.text()).toContain("AADSTS9002313");

    const otherAccount = await post({ ...fields, account: SEED.adeleId, consent: "accept", consent_org: "1" });
    expect(otherAccount.status).toBe(400);
    // The id is single use: the refused attempt used it up.
    expect((await post({ ...fields, consent: "accept" })).status).toBe(400);

    const second = readPickerForm((await pick(MEGAN)).html).fields;
    expect((await post({ ...second, scope: `${second.scope} Mail.Send`, consent: "accept" })).status).toBe(400);

    const third = readPickerForm((await pick(MEGAN)).html).fields;
    expect(redirectParams(await post({ ...third, consent: "accept" })).get("code")).toMatch(AUTH_CODE);
    expect((await post({ ...third, consent: "accept" })).status).toBe(400);
    expect(await consents()).toHaveLength(1);
  });

  it("treats a non-admin's consent_org as a consent for that user only", async () => {
    const { fields } = readPickerForm((await pick(MEGAN)).html);
    expect(redirectParams(await post({ ...fields, consent: "accept", consent_org: "1" })).get("code")).toMatch(AUTH_CODE);
    expect((await consents())[0]?.userId).toBe(MEGAN);
  });

  it("does not issue a code for an account posted without the picker when consent is missing", async () => {
    const body = new URLSearchParams(new URL(authorizeUrl(emu.http, helpdesk())).searchParams);
    body.set("account", MEGAN);
    const res = await post(Object.fromEntries(body));
    expect(res.status).toBe(200);
    expect(isConsentScreen(await res.text())).toBe(true);
  });
});

describe("revoking consent", () => {
  it("revokes the user's refresh tokens for the app (AADSTS50173 at the next refresh)", async () => {
    const { html } = await pick(MEGAN);
    const code = redirectParams(await submitConsent(emu.http, html, "accept")).get("code") ?? "";
    const rt = String((await redeem(code)).body.refresh_token);
    const refresh = () => token(emu.http, { grant_type: "refresh_token", client_id: HELPDESK.clientId, client_secret: HELPDESK.secret, refresh_token: rt }, { tenant: SEED.contosoId });
    expect((await refresh()).status).toBe(200);

    const revoked = await admin(emu.http, "DELETE", `/consents?clientId=${HELPDESK.clientId}&tenant=contoso.onmicrosoft.com&upn=megan@contoso.onmicrosoft.com`);
    expect(revoked.body).toEqual({ revoked: 1, refreshTokensRevoked: 2 });
    const after = await refresh();
    expect(after.status).toBe(400);
    expect(errorCode(after.body)).toBe(50173);
    expect(after.body.suberror).toBe("bad_token");
    expect(isConsentScreen((await pick(MEGAN)).html)).toBe(true);
  });

  it("revoking a tenant-wide consent revokes every user's refresh token for the app in that tenant", async () => {
    await admin(emu.http, "POST", "/consents", { clientId: HELPDESK.clientId, tenant: SEED.contosoId, scopes: "User.Read Mail.Read https://outlook.office.com/.default" });
    const code = redirectParams((await pick(LEE)).res).get("code") ?? "";
    const rt = String((await redeem(code)).body.refresh_token);
    const res = await admin(emu.http, "DELETE", `/consents?clientId=${HELPDESK.clientId}&tenantWide=true`);
    expect(res.body).toEqual({ revoked: 1, refreshTokensRevoked: 1 });
    const after = await token(emu.http, { grant_type: "refresh_token", client_id: HELPDESK.clientId, client_secret: HELPDESK.secret, refresh_token: rt }, { tenant: SEED.contosoId });
    expect(errorCode(after.body)).toBe(50173);
  });
});
