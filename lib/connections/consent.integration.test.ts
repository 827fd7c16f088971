import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HELPDESK, SEED, admin, readPickerForm, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { readRefreshToken } from "./connections";
import { completeFlow, startAdminConsent, startConnect, type FlowDeps, type Outcome } from "./consent";
import { playMicrosoft } from "@/test-support/microsoft-browser";
import { consumeAuthorizationRequest, newBrowserId } from "./flow-state";

// The consent flows end to end at the HTTP level: the portal's code drives the emulator's
// authorize, consent and admin-consent pages like a browser would, then finishes the callback.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const MEGAN = { id: "c0a70500-0000-4000-8000-0000000000a2", upn: "megan@contoso.onmicrosoft.com" };
const ADELE = { id: SEED.adeleId, upn: "adele@contoso.onmicrosoft.com" };

const atMicrosoft = (url: string, account: string, decision: "accept" | "cancel" = "accept", rewrite?: (u: URL) => void) =>
  playMicrosoft(emu.http, REDIRECT, url, account, decision, rewrite);

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });
beforeEach(async () => {
  expect((await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT })).status).toBeLessThan(300);
});

let n = 0;
async function setup() {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `consent-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret });
  const deps: FlowDeps = { db: s.db, keyring, hostMap: hostMapFromBase(emu.http), redirectUri: REDIRECT };
  return { ...s, deps, browserId: newBrowserId() };
}

async function finish(s: Awaited<ReturnType<typeof setup>>, params: URLSearchParams): Promise<Outcome> {
  const consumed = await consumeAuthorizationRequest(s.db, keyring, params.get("state"), s.browserId);
  if (!consumed.ok) throw new Error(consumed.problem);
  return completeFlow(s.deps, consumed.flow, params);
}

describe("user consent", () => {
  it("connects a mailbox: code + PKCE redeemed, ID token checked, Exchange scopes fetched with the same grant, stored encrypted", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, startedById: s.owner.id, browserId: s.browserId });
    const sent = new URL(url);
    expect(Object.fromEntries(sent.searchParams)).toMatchObject({ response_type: "code", response_mode: "query", code_challenge_method: "S256", prompt: "select_account", client_id: HELPDESK.clientId });
    expect(sent.searchParams.get("scope")).toContain("offline_access");
    const outcome = await finish(s, await atMicrosoft(url, ADELE.id));
    expect(outcome).toMatchObject({ ok: true, kind: "connected", mailbox: ADELE.upn, consentType: "USER", missingScopes: [], updated: false });
    const row = await s.db.connection.findFirstOrThrow({ where: { orgId: s.org.id } });
    expect(row).toMatchObject({ tenantId: SEED.contosoId, objectId: ADELE.id, upn: ADELE.upn, mailboxKind: "USER", consentedConfigVersion: 1 });
    expect(row.grantedScopes).toEqual(expect.arrayContaining(["https://graph.microsoft.com/Mail.Read", "https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"]));
    const rt = await readRefreshToken(s.db, keyring, s.org.id, row.id);
    expect(rt?.token).toMatch(/^1\.A/);
    expect(JSON.stringify(row)).not.toContain(rt!.token);
    expect(await s.db.connectionAccessToken.count({ where: { connectionId: row.id } })).toBe(2);
  });

  it("a login_hint goes to Microsoft for a known mailbox; the wrong account is refused and nothing is stored", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, mailbox: MEGAN.upn, browserId: s.browserId });
    expect(new URL(url).searchParams.get("login_hint")).toBe(MEGAN.upn);
    expect(new URL(url).searchParams.has("prompt")).toBe(false);
    const outcome = await finish(s, await atMicrosoft(url, ADELE.id));
    expect(outcome).toEqual({ ok: false, failure: { code: "mailbox_mismatch", details: { signedInAs: ADELE.upn, expected: MEGAN.upn } } });
    expect(await s.db.connection.count({ where: { orgId: s.org.id } })).toBe(0);
  });

  it("a shared mailbox is connected by its delegate", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, mailbox: "support@contoso.onmicrosoft.com", mailboxKind: "SHARED", browserId: s.browserId });
    expect(new URL(url).searchParams.has("login_hint")).toBe(false);
    const outcome = await finish(s, await atMicrosoft(url, MEGAN.id));
    expect(outcome).toMatchObject({ ok: true, mailbox: "support@contoso.onmicrosoft.com", consentType: "DELEGATE", signedInAs: MEGAN.upn });
  });

  it("refuses a consent without offline_access (no refresh token) and stores nothing", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id, "accept", (u) => u.searchParams.set("scope", u.searchParams.get("scope")!.replace("offline_access", "").trim()));
    expect(await finish(s, params)).toMatchObject({ ok: false, failure: { code: "no_refresh_token" } });
    expect(await s.db.connection.count({ where: { orgId: s.org.id } })).toBe(0);
  });

  it("a declined consent is AADSTS65004 with Microsoft's ids", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, browserId: s.browserId });
    const outcome = await finish(s, await atMicrosoft(url, ADELE.id, "cancel"));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.failure).toMatchObject({ code: "AADSTS65004", error: "access_denied" });
      expect(outcome.failure.traceId).toMatch(/[0-9a-f-]{36}/);
      expect(outcome.failure.correlationId).toMatch(/[0-9a-f-]{36}/);
    }
  });

  it("refuses an ID token whose nonce does not match the flow", async () => {
    const s = await setup();
    const { url, flowId } = await startConnect(s.deps, { integration: s.integration, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id);
    await s.db.authorizationRequest.update({ where: { id: flowId }, data: { nonce: "not-the-nonce-sent" } });
    expect(await finish(s, params)).toMatchObject({ ok: false, failure: { code: "invalid_id_token" } });
  });

  it("a code Microsoft says was already redeemed (54005) is explained, not stored", async () => {
    const s = await setup();
    const { url } = await startConnect(s.deps, { integration: s.integration, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", code: 54005, grantType: "authorization_code" })).status).toBe(201);
    expect(await finish(s, params)).toMatchObject({ ok: false, failure: { code: "AADSTS54005" } });
  });

  it("connecting the same mailbox again updates it in place and keeps one row", async () => {
    const s = await setup();
    for (const expected of [false, true]) {
      const { url } = await startConnect(s.deps, { integration: s.integration, browserId: s.browserId, forceConsent: expected });
      if (expected) expect(new URL(url).searchParams.get("prompt")).toBe("consent");
      expect(await finish(s, await atMicrosoft(url, ADELE.id))).toMatchObject({ ok: true, updated: expected });
    }
    expect(await s.db.connection.count({ where: { orgId: s.org.id } })).toBe(1);
  });
});

describe("consent links", () => {
  it("a link withdrawn while its owner is at Microsoft stores nothing; the live link connects and is marked connected", async () => {
    const { createConsentLink, revokeConsentLink } = await import("./links");
    const s = await setup();
    const secret = "link-secret-for-tests-0123456789abcdefghij";
    const startFor = async (linkId: string) => (await startConnect(s.deps, { integration: s.integration, mailbox: MEGAN.upn, consentLinkId: linkId, browserId: s.browserId })).url;
    const first = await createConsentLink(s.db, secret, s.org.id, s.owner, { integrationId: s.integration.id, mailbox: MEGAN.upn });
    const url = await startFor(first.link.id);
    await revokeConsentLink(s.db, s.org.id, s.owner, first.link.id);
    expect(await finish(s, await atMicrosoft(url, MEGAN.id))).toEqual({ ok: false, failure: { code: "link_withdrawn" } });
    expect(await s.db.connection.count({ where: { orgId: s.org.id } })).toBe(0);

    const second = await createConsentLink(s.db, secret, s.org.id, s.owner, { integrationId: s.integration.id, mailbox: MEGAN.upn });
    const outcome = await finish(s, await atMicrosoft(await startFor(second.link.id), MEGAN.id));
    expect(outcome).toMatchObject({ ok: true, mailbox: MEGAN.upn });
    expect(await s.db.consentLink.findUniqueOrThrow({ where: { id: second.link.id } })).toMatchObject({ status: "CONNECTED", connectionId: outcome.ok && outcome.kind === "connected" ? outcome.connectionId : "none" });
  });
});

describe("admin consent", () => {
  it("records tenant-wide consent for the tenant the portal chose; users then connect without a prompt, as admin consent", async () => {
    const s = await setup();
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, startedById: s.owner.id, tenant: SEED.contosoId, browserId: s.browserId });
    expect(new URL(url).pathname).toBe(`/login.microsoftonline.com/${SEED.contosoId}/v2.0/adminconsent`);
    const params = await atMicrosoft(url, ADELE.id);
    expect(params.get("admin_consent")).toBe("True");
    // The app's home tenant: it is installed there from its registration, so that proves nothing.
    expect(await finish(s, params)).toMatchObject({ ok: true, kind: "admin_consent", tenant: SEED.contosoId, verification: "unverified", verificationDetail: expect.stringContaining("where the app is registered") });
    expect(await s.db.adminConsent.findFirst({ where: { integrationId: s.integration.id } })).toMatchObject({ tenantId: SEED.contosoId, grantedById: s.owner.id, verification: "unverified", verifiedAt: null });
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: "integration.admin_consent_reported" } })).toBe(1);

    const { url: connectUrl } = await startConnect(s.deps, { integration: s.integration, mailbox: MEGAN.upn, browserId: s.browserId });
    const picker = readPickerForm(await (await fetch(connectUrl)).text());
    const res = await fetch(new URL(picker.action, emu.http), { method: "POST", body: new URLSearchParams({ ...picker.fields, account: MEGAN.id }), redirect: "manual" });
    expect(res.status).toBe(302); // no consent screen
    expect(await finish(s, new URL(res.headers.get("location")!).searchParams)).toMatchObject({ ok: true, consentType: "ADMIN" });
  });

  it("a multi-tenant app consented by another tenant's admin is verified: Microsoft now issues it a token there", async () => {
    const value = "Fm9Q~Fabrikam.Portal_Multi~000000001x";
    const multi = await admin(emu.http, "POST", "/tenants/fabrikam.onmicrosoft.com/apps", { displayName: "Fabrikam helpdesk", multiTenant: true, redirectUris: [REDIRECT], secrets: [{ value }] });
    n += 1;
    const base = await orgWithIntegration(database.prisma, keyring, `consent-multi-${n}-${randomBytes(2).toString("hex")}`, { clientId: String(multi.body.clientId), secret: value, tenantMode: "organizations", tenant: "fabrikam.onmicrosoft.com" });
    const s = { ...base, deps: { db: base.db, keyring, hostMap: hostMapFromBase(emu.http), redirectUri: REDIRECT } as FlowDeps, browserId: newBrowserId() };
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, startedById: s.owner.id, tenant: SEED.contosoId, browserId: s.browserId });
    expect(await finish(s, await atMicrosoft(url, ADELE.id))).toMatchObject({ ok: true, kind: "admin_consent", tenant: SEED.contosoId, verification: "installed" });
    expect(await s.db.adminConsent.findFirst({ where: { integrationId: s.integration.id } })).toMatchObject({ verification: "installed", verifiedAt: expect.any(Date) });
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: "integration.admin_consent_verified" } })).toBe(1);
  });

  it("a forged redirect naming a tenant where the app is not installed is refused: Microsoft refuses the app a token there (AADSTS700016)", async () => {
    const s = await setup();
    // The attacker starts a real flow, never visits Microsoft, and types the return address.
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, tenant: "organizations", browserId: s.browserId });
    const forged = new URLSearchParams({ admin_consent: "True", tenant: SEED.fabrikamId, state: new URL(url).searchParams.get("state")! });
    expect(await finish(s, forged)).toMatchObject({ ok: false, failure: { code: "admin_consent_not_installed", details: { tenant: SEED.fabrikamId } } });
    expect(await s.db.adminConsent.count({ where: { integrationId: s.integration.id } })).toBe(0);
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: { startsWith: "integration.admin_consent" } } })).toBe(0);
  });

  it("when the check cannot run (the credential is refused), the consent is recorded as reported, with why it is unverified", async () => {
    const s = await setup();
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, tenant: SEED.contosoId, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", code: 7000215, grantType: "client_credentials", times: 1 })).status).toBe(201);
    expect(await finish(s, params)).toMatchObject({ ok: true, kind: "admin_consent", verification: "unverified", verificationDetail: expect.stringContaining("AADSTS7000215") });
    expect(await s.db.adminConsent.findFirst({ where: { integrationId: s.integration.id } })).toMatchObject({ verification: "unverified", verifiedAt: null });
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: "integration.admin_consent_reported" } })).toBe(1);
  });

  it("a redirect without a tenant is refused and records nothing (Microsoft always names it)", async () => {
    const s = await setup();
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, tenant: SEED.contosoId, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id);
    params.delete("tenant");
    expect(await finish(s, params)).toMatchObject({ ok: false, failure: { code: "bad_response" } });
    expect(await s.db.adminConsent.count({ where: { integrationId: s.integration.id } })).toBe(0);
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: { startsWith: "integration.admin_consent" } } })).toBe(0);
  });

  it("never trusts the returned tenant: a different one is refused", async () => {
    const s = await setup();
    const { url } = await startAdminConsent(s.deps, { integration: s.integration, tenant: SEED.contosoId, browserId: s.browserId });
    const params = await atMicrosoft(url, ADELE.id);
    params.set("tenant", SEED.fabrikamId);
    expect(await finish(s, params)).toMatchObject({ ok: false, failure: { code: "tenant_mismatch", details: { requested: SEED.contosoId, returned: SEED.fabrikamId } } });
    expect(await s.db.adminConsent.count({ where: { integrationId: s.integration.id } })).toBe(0);
  });

  it("a tenant named by domain is resolved to its GUID through discovery, and checked the same way", async () => {
    const s = await setup();
    const start = () => startAdminConsent(s.deps, { integration: s.integration, tenant: "contoso.onmicrosoft.com", browserId: s.browserId });
    const forged = await atMicrosoft((await start()).url, ADELE.id);
    forged.set("tenant", SEED.fabrikamId);
    expect(await finish(s, forged)).toMatchObject({ ok: false, failure: { code: "tenant_mismatch", details: { requested: SEED.contosoId } } });
    expect(await finish(s, await atMicrosoft((await start()).url, ADELE.id))).toMatchObject({ ok: true, tenant: SEED.contosoId });
  });
});
