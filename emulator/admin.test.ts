import { describe, expect, it } from "vitest";
import { parseSeed, SeedError } from "./seed";
import { emulatorAdmin } from "./client";
import { SEED, getCode, redeemForm, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

// Admin responses are read loosely here; their shapes are asserted by the expectations themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const call = (method: string, path: string, body?: unknown) => emulatorAdmin(emu.http).call<any>(method, path, body);

describe("admin API", () => {
  it("returns the seeded state without signing keys", async () => {
    const { status, body } = await call("GET", "/state");
    expect(status).toBe(200);
    expect(body.tenants.map((t: { displayName: string }) => t.displayName)).toEqual(["Contoso", "Fabrikam", "Northwind (GCC High)", "Mailgrant Operations"]);
    expect(body.tenants[0].users).toHaveLength(4);
    expect(body.tenants[0].users[0]).toMatchObject({ upn: "adele@contoso.onmicrosoft.com", admin: true, kind: "user" });
    expect(body.tenants[0].users[1]).toMatchObject({ upn: "megan@contoso.onmicrosoft.com", admin: false, kind: "user" });
    expect(body.tenants[0].users[3]).toMatchObject({
      upn: "support@contoso.onmicrosoft.com",
      kind: "shared",
      admin: false,
      delegates: ["c0a70500-0000-4000-8000-0000000000a2", "c0a70500-0000-4000-8000-0000000000a3"],
    });
    expect(body.tenants[0].userConsent).toBe("allowed");
    expect(body.consents).toEqual([]);
    expect(body.apps[0]).toMatchObject({ clientId: SEED.clientId, multiTenant: true, preAuthorized: true, redirectUris: [SEED.redirectUri] });
    expect(body.apps.map((a: { displayName: string }) => a.displayName)).toEqual(["Mailgrant portal", "Contoso Helpdesk mail", "Northwind mail"]);
    expect(body.apps[1]).toMatchObject({ multiTenant: false, preAuthorized: false, homeTenantId: SEED.contosoId, appPermissions: { "https://outlook.office365.com": ["IMAP.AccessAsApp"] } });
    expect(body.tenants[2]).toMatchObject({ cloud: "usgov", subcloud: "gcchigh", exchangeOnline: true });
    expect(body.apps[0].secrets[0]).toMatchObject({ value: SEED.secret, hint: "Mgp" });
    expect(JSON.stringify(body)).not.toMatch(/PRIVATE KEY|"d":/);
  });

  it("creates a tenant, a user and an app whose secret works at the token endpoint", async () => {
    const tenant = await call("POST", "/tenants", { displayName: "Tailspin", domain: "tailspin.onmicrosoft.com" });
    expect(tenant.status).toBe(201);
    expect(tenant.body).toMatchObject({ displayName: "Tailspin", domains: ["tailspin.onmicrosoft.com"], cloud: "global" });
    const user = await call("POST", "/tenants/tailspin.onmicrosoft.com/users", { upn: "ann@tailspin.onmicrosoft.com", displayName: "Ann Example" });
    expect(user.status).toBe(201);
    const app = await call("POST", `/tenants/${tenant.body.id}/apps`, { displayName: "Tailspin mail", multiTenant: false, redirectUris: ["http://localhost:5000/cb"] });
    expect(app.status).toBe(201);
    const secret = app.body.secrets[0];
    expect(secret.value).toMatch(/^[A-Za-z0-9]{3}8Q~[A-Za-z0-9_.~-]{34}$/);
    expect(secret.secretId).toMatch(/^[0-9a-f-]{36}$/);

    // A new app asks for consent; getCode accepts the screen.
    const code = await getCode(emu.http, user.body.id, { tenant: "tailspin.onmicrosoft.com", params: { client_id: app.body.clientId, redirect_uri: "http://localhost:5000/cb" } });
    const res = await token(
      emu.http,
      { ...redeemForm(code), client_id: app.body.clientId, client_secret: secret.value, redirect_uri: "http://localhost:5000/cb" },
      { tenant: tenant.body.id },
    );
    expect(res.status).toBe(200);
  });

  it("adds redirect URIs and patches apps", async () => {
    const added = await call("POST", `/apps/${SEED.clientId}/redirect-uris`, { uri: "http://localhost:3005/api/auth/callback/microsoft-entra-id" });
    expect(added.body.redirectUris).toHaveLength(2);
    const again = await call("POST", `/apps/${SEED.clientId}/redirect-uris`, { uri: "http://localhost:3005/api/auth/callback/microsoft-entra-id" });
    expect(again.body.redirectUris).toHaveLength(2);
    const patched = await call("PATCH", `/apps/${SEED.clientId}`, { multiTenant: false, redirectUris: ["http://localhost:1/x"] });
    expect(patched.body).toMatchObject({ multiTenant: false, redirectUris: ["http://localhost:1/x"] });
  });

  it("rejects bad bodies, unknown objects and duplicates in its own JSON shape", async () => {
    expect((await call("POST", "/tenants", { displayName: "X" })).status).toBe(400);
    expect((await call("POST", "/faults", { endpoint: "token", code: 1234 })).status).toBe(400);
    expect((await call("POST", "/tenants/nope.example/users", { upn: "a@b.com", displayName: "A" })).status).toBe(404);
    const dup = await call("POST", "/tenants", { displayName: "Again", domain: "contoso.onmicrosoft.com" });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("conflict");
  });

  it("resets to a seed given in the body, and back to the configured seed without one", async () => {
    const custom = await call("POST", "/reset", { tenants: [{ displayName: "Solo", domains: ["solo.onmicrosoft.com"] }] });
    expect(custom.status).toBe(200);
    expect(custom.body.tenants).toHaveLength(1);
    const bad = await call("POST", "/reset", { tenants: [{ displayName: "Solo", domains: ["not a domain"] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("tenants[0].domains[0]");
    const back = await call("POST", "/reset");
    expect(back.body.tenants).toHaveLength(4);
  });

  it("lists, adds and clears faults, and moves the clock", async () => {
    const added = await call("POST", "/faults", { endpoint: "token", code: 70043, clientId: SEED.clientId });
    expect(added.body).toMatchObject({ endpoint: "token", code: 70043, remaining: 1, delivery: "redirect" });
    expect((await call("GET", "/faults")).body).toHaveLength(1);
    expect((await call("DELETE", "/faults")).body).toEqual([]);
    const clock = await call("POST", "/clock", { advanceSeconds: 3600 });
    expect(clock.body.clockOffsetMs).toBe(3_600_000);
  });
});

describe("admin API: admins, shared mailboxes, consent settings and records", () => {
  const HELPDESK_ID = "c0a70500-0000-4000-8000-0000000000e1";

  it("creates admins and shared mailboxes with delegates, and patches them", async () => {
    const adminUser = await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "ida@contoso.onmicrosoft.com", displayName: "Ida Admin", admin: true });
    expect(adminUser.status).toBe(201);
    expect(adminUser.body).toMatchObject({ admin: true, kind: "user" });
    expect(adminUser.body).not.toHaveProperty("delegates");
    const plain = await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "pat@contoso.onmicrosoft.com", displayName: "Pat Plain" });
    expect(plain.body).toMatchObject({ admin: false, kind: "user" });

    const shared = await call("POST", "/tenants/contoso.onmicrosoft.com/users", {
      upn: "sales@contoso.onmicrosoft.com",
      displayName: "Contoso Sales",
      kind: "shared",
      delegates: ["megan@contoso.onmicrosoft.com", adminUser.body.id],
    });
    expect(shared.status).toBe(201);
    expect(shared.body).toMatchObject({ kind: "shared", admin: false, delegates: ["c0a70500-0000-4000-8000-0000000000a2", adminUser.body.id] });

    const foreign = await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "x@contoso.onmicrosoft.com", displayName: "X", kind: "shared", delegates: ["alex@fabrikam.onmicrosoft.com"] });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.message).toMatch(/^delegates: "alex@fabrikam.onmicrosoft.com" is not a user of tenant contoso.onmicrosoft.com/);
    expect((await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "y@contoso.onmicrosoft.com", displayName: "Y", delegates: [] })).status).toBe(400);
    expect((await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "z@contoso.onmicrosoft.com", displayName: "Z", kind: "shared", admin: true })).status).toBe(400);

    const promoted = await call("PATCH", "/users/pat@contoso.onmicrosoft.com", { admin: true });
    expect(promoted.body).toMatchObject({ upn: "pat@contoso.onmicrosoft.com", admin: true });
    const redelegated = await call("PATCH", `/users/${shared.body.id}`, { delegates: ["lee@contoso.onmicrosoft.com"] });
    expect(redelegated.body.delegates).toEqual(["c0a70500-0000-4000-8000-0000000000a3"]);
    expect((await call("PATCH", "/users/support%40contoso.onmicrosoft.com", { delegates: [] })).body.delegates).toEqual([]);
    expect((await call("PATCH", "/users/pat@contoso.onmicrosoft.com", { delegates: [] })).status).toBe(400);
    expect((await call("PATCH", `/users/${shared.body.id}`, { admin: true })).status).toBe(400);
    expect((await call("PATCH", "/users/nobody@contoso.onmicrosoft.com", { admin: true })).status).toBe(404);

    const state = await call("GET", "/state");
    const contoso = state.body.tenants.find((t: { id: string }) => t.id === SEED.contosoId);
    expect(contoso.users.find((u: { upn: string }) => u.upn === "sales@contoso.onmicrosoft.com")).toMatchObject({ kind: "shared", delegates: ["c0a70500-0000-4000-8000-0000000000a3"] });
  });

  it("sets a tenant's user consent at creation and by PATCH, and an app's preAuthorized flag", async () => {
    const created = await call("POST", "/tenants", { displayName: "Locked", domain: "locked.onmicrosoft.com", userConsent: "disabled" });
    expect(created.body.userConsent).toBe("disabled");
    expect((await call("POST", "/tenants", { displayName: "Open", domain: "open.onmicrosoft.com" })).body.userConsent).toBe("allowed");
    expect((await call("PATCH", "/tenants/locked.onmicrosoft.com", { userConsent: "allowed" })).body.userConsent).toBe("allowed");
    expect((await call("PATCH", "/tenants/locked.onmicrosoft.com", { userConsent: "maybe" })).status).toBe(400);

    const app = await call("POST", "/tenants/locked.onmicrosoft.com/apps", { displayName: "Trusted", preAuthorized: true });
    expect(app.body.preAuthorized).toBe(true);
    expect((await call("POST", "/tenants/locked.onmicrosoft.com/apps", { displayName: "Plain" })).body.preAuthorized).toBe(false);
    expect((await call("PATCH", `/apps/${app.body.clientId}`, { preAuthorized: false })).body.preAuthorized).toBe(false);
  });

  it("pre-grants, lists, filters and revokes consents; reset clears them", async () => {
    const user = await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: "contoso.onmicrosoft.com", upn: "megan@contoso.onmicrosoft.com", scopes: ["Mail.Read", "openid", "https://outlook.office.com/IMAP.AccessAsUser.All"] });
    expect(user.status).toBe(201);
    expect(user.body).toMatchObject({
      clientId: HELPDESK_ID,
      tenantId: SEED.contosoId,
      userId: "c0a70500-0000-4000-8000-0000000000a2",
      upn: "megan@contoso.onmicrosoft.com",
      scopes: ["https://graph.microsoft.com/mail.read", "https://outlook.office.com/imap.accessasuser.all"],
    });
    expect(user.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(user.body.grantedAt))).toBe(false);
    // Granting again merges into the same record.
    const merged = await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: SEED.contosoId, upn: "megan@contoso.onmicrosoft.com", scopes: "Mail.Send mail.read" });
    expect(merged.body.id).toBe(user.body.id);
    expect(merged.body.scopes).toHaveLength(3);
    const org = await call("POST", "/consents", { clientId: SEED.clientId, tenant: "fabrikam.onmicrosoft.com", scopes: ["https://graph.microsoft.com/.default"] });
    expect(org.body).not.toHaveProperty("userId");

    expect((await call("GET", "/consents")).body).toHaveLength(2);
    expect((await call("GET", `/consents?clientId=${HELPDESK_ID}`)).body).toHaveLength(1);
    expect((await call("GET", "/consents?tenant=fabrikam.onmicrosoft.com")).body[0].clientId).toBe(SEED.clientId);
    expect((await call("GET", "/consents?upn=megan@contoso.onmicrosoft.com")).body).toHaveLength(1);
    expect((await call("GET", "/consents?tenantWide=true")).body).toHaveLength(1);
    expect((await call("GET", "/state")).body.consents).toHaveLength(2);

    // Bad requests name the field.
    expect((await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: "fabrikam.onmicrosoft.com", scopes: ["Mail.Read"] })).body.error.message).toMatch(/^clientId: /);
    expect((await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: SEED.contosoId, upn: "alex@fabrikam.onmicrosoft.com", scopes: ["Mail.Read"] })).status).toBe(400);
    expect((await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: SEED.contosoId, upn: "support@contoso.onmicrosoft.com", scopes: ["Mail.Read"] })).status).toBe(400);
    expect((await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: SEED.contosoId, scopes: ["https://graph.microsoft.us/Mail.Read"] })).body.error.message).toMatch(/^scopes: /);
    expect((await call("POST", "/consents", { clientId: HELPDESK_ID, tenant: SEED.contosoId, scopes: [] })).status).toBe(400);
    expect((await call("POST", "/consents", { clientId: "00000000-0000-4000-8000-000000000000", tenant: SEED.contosoId, scopes: ["Mail.Read"] })).status).toBe(404);
    expect((await call("GET", "/consents?tenant=nope.example")).status).toBe(404);

    expect((await call("DELETE", `/consents?clientId=${HELPDESK_ID}&upn=megan@contoso.onmicrosoft.com`)).body).toEqual({ revoked: 1, refreshTokensRevoked: 0 });
    expect((await call("GET", "/consents")).body).toHaveLength(1);
    await call("POST", "/reset");
    expect((await call("GET", "/consents")).body).toEqual([]);
  });

  it("loads shared mailboxes from a seed before or after their delegates, and names a bad delegate", async () => {
    const users = [
      { upn: "desk@solo.onmicrosoft.com", displayName: "Desk", kind: "shared", delegates: ["ann@solo.onmicrosoft.com"] },
      { upn: "ann@solo.onmicrosoft.com", displayName: "Ann", admin: true },
    ];
    const ok = await call("POST", "/reset", { tenants: [{ displayName: "Solo", domains: ["solo.onmicrosoft.com"], userConsent: "disabled", users }] });
    expect(ok.status).toBe(200);
    expect(ok.body.tenants[0]).toMatchObject({ userConsent: "disabled" });
    const ann = ok.body.tenants[0].users.find((u: { upn: string }) => u.upn === "ann@solo.onmicrosoft.com");
    expect(ok.body.tenants[0].users.find((u: { kind: string }) => u.kind === "shared").delegates).toEqual([ann.id]);

    const bad = await call("POST", "/reset", { tenants: [{ displayName: "Solo", domains: ["solo.onmicrosoft.com"], users: [{ ...users[0], delegates: ["nobody@solo.onmicrosoft.com"] }] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('invalid seed: tenants: delegates: "nobody@solo.onmicrosoft.com" is not a user of tenant solo.onmicrosoft.com');
  });

  it("accepts adminconsent faults", async () => {
    const added = await call("POST", "/faults", { endpoint: "adminconsent", code: 90094, upn: "megan@contoso.onmicrosoft.com" });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ endpoint: "adminconsent", code: 90094, delivery: "redirect" });
  });
});

describe("admin API for mailboxes", () => {
  it("switches SMTP AUTH per tenant and per mailbox (null follows the tenant)", async () => {
    expect((await call("GET", "/state")).body.tenants[0]).toMatchObject({ smtpAuthDisabled: false });
    expect((await call("PATCH", "/tenants/contoso.onmicrosoft.com", { smtpAuthDisabled: true })).body.smtpAuthDisabled).toBe(true);
    const megan = await call("PATCH", "/users/megan@contoso.onmicrosoft.com", { smtpAuthDisabled: false });
    expect(megan.body.smtpAuthDisabled).toBe(false);
    expect((await call("GET", "/mailboxes/megan@contoso.onmicrosoft.com")).body.smtpAuthDisabled).toBeNull();
    expect((await call("GET", "/mailboxes/lee@contoso.onmicrosoft.com")).body.smtpAuthDisabled).toBe("Tenant");
    await call("PATCH", "/users/lee@contoso.onmicrosoft.com", { smtpAuthDisabled: true });
    await call("PATCH", "/tenants/contoso.onmicrosoft.com", { smtpAuthDisabled: false });
    expect((await call("GET", "/mailboxes/lee@contoso.onmicrosoft.com")).body.smtpAuthDisabled).toBe("Mailbox");
    expect((await call("PATCH", "/users/lee@contoso.onmicrosoft.com", { smtpAuthDisabled: null })).body.smtpAuthDisabled).toBeNull();
    expect((await call("PATCH", "/users/lee@contoso.onmicrosoft.com", { smtpAuthDisabled: "yes" })).status).toBe(400);
  });

  it("seeds three inbox messages per mailbox (or inboxCount) and lists them", async () => {
    const state = (await call("GET", "/state")).body;
    expect(state.tenants[0].users.map((u: { inboxCount: number }) => u.inboxCount)).toEqual([3, 3, 3, 3]);
    expect(state.outbox).toEqual([]);
    expect(state.mail).toMatchObject({ host: "localhost", imapPort: expect.any(Number), popPort: expect.any(Number), smtpPort: expect.any(Number) });
    const box = (await call("GET", "/mailboxes/support@contoso.onmicrosoft.com")).body;
    expect(box.inbox.map((m: { subject: string }) => m.subject)).toEqual(["Welcome to your new mailbox", "Quarterly planning notes", "Lunch on Friday?"]);
    const added = await call("POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "busy@contoso.onmicrosoft.com", displayName: "Busy Person", inboxCount: 7 });
    expect(added.status).toBe(201);
    expect((await call("GET", "/mailboxes/busy@contoso.onmicrosoft.com")).body.inbox).toHaveLength(7);
    expect((await call("GET", "/outbox")).body).toEqual([]);
    expect((await call("DELETE", "/outbox")).body).toEqual({ removed: 0 });
  });

  it("marks refresh tokens inactive so the next refresh answers 700082", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    const rt = String((await token(emu.http, redeemForm(code))).body.refresh_token);
    const refresh = () => token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: rt });
    const marked = await call("POST", "/refresh-tokens/inactive", { upn: "adele@contoso.onmicrosoft.com" });
    expect(marked.body.inactive).toBe(1);
    const res = await refresh();
    expect(res.body.error_codes).toEqual([700082]);
    expect(res.body.suberror).toBe("bad_token");
    expect((await call("POST", "/refresh-tokens/inactive", { upn: "nobody@contoso.onmicrosoft.com" })).status).toBe(404);
  });
});

describe("seed validation", () => {
  it("names the failing field in one line", () => {
    expect(() => parseSeed({ tenants: [{ displayName: "A", domains: ["a.example"], users: [{ upn: "nope", displayName: "x" }] }] }, "x.json")).toThrow(
      new SeedError('invalid seed x.json: tenants[0].users[0].upn: must be a UPN like user@contoso.onmicrosoft.com'),
    );
  });
});
