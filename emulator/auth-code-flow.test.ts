import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from "jose";
import { describe, expect, it } from "vitest";
import { AUTH_CODE, GLOBAL, SEED, authorizeUrl, getCode, pkce, readPickerForm, redeemForm, redirectParams, signIn, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator({ resetEachTest: false });

describe("authorization code + PKCE", () => {
  it("runs the full round trip and issues a verifiable ID token", async () => {
    const { verifier, challenge } = pkce();
    const page = await fetch(authorizeUrl(emu.http, { params: { nonce: "n-1", code_challenge: challenge, code_challenge_method: "S256" } }));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<h1 id=\"pick-heading\">Pick an account</h1>");
    expect(html).toContain("Adele Vance");
    expect(html).toContain("alex@fabrikam.onmicrosoft.com");
    expect(html).not.toContain("nestor@northwind.onmicrosoft.us");
    const form = readPickerForm(html);
    expect(form.fields.code_challenge).toBe(challenge);

    const picked = await fetch(new URL(form.action, emu.http), {
      method: "POST",
      body: new URLSearchParams({ ...form.fields, account: SEED.adeleId }),
      redirect: "manual",
    });
    expect(picked.status).toBe(302);
    const location = new URL(picked.headers.get("location") ?? "");
    expect(`${location.origin}${location.pathname}`).toBe(SEED.redirectUri);
    expect(location.searchParams.get("state")).toBe("state-123");
    const code = location.searchParams.get("code") ?? "";
    expect(code).not.toBe("");

    const { status, body } = await token(emu.http, redeemForm(code, { code_verifier: verifier }));
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(body.scope).toBe("User.Read Mail.Read openid profile email");
    expect(typeof body.refresh_token).toBe("string");

    const jwks = (await (await fetch(`${emu.http}/${GLOBAL}/organizations/discovery/v2.0/keys`)).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(String(body.id_token), createLocalJWKSet(jwks), {
      issuer: `${emu.httpsUrl}/${GLOBAL}/${SEED.contosoId}/v2.0`,
      audience: SEED.clientId,
    });
    expect(protectedHeader.kid).toBe(jwks.keys[0]?.kid);
    expect(payload).toMatchObject({
      nonce: "n-1",
      tid: SEED.contosoId,
      oid: SEED.adeleId,
      name: "Adele Vance",
      preferred_username: "adele@contoso.onmicrosoft.com",
      email: "adele@contoso.onmicrosoft.com",
      ver: "2.0",
    });
    expect(payload.sub).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const access = decodeJwt(String(body.access_token));
    expect(access).toMatchObject({
      aud: "https://graph.microsoft.com",
      iss: `https://sts.windows.net/${SEED.contosoId}/`,
      ver: "1.0",
      scp: "User.Read Mail.Read",
      tid: SEED.contosoId,
      oid: SEED.adeleId,
      upn: "adele@contoso.onmicrosoft.com",
      unique_name: "adele@contoso.onmicrosoft.com",
      appid: SEED.clientId,
    });

    const info = await fetch(`${emu.http}/graph.microsoft.com/oidc/userinfo`, { headers: { authorization: `Bearer ${String(body.access_token)}` } });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ sub: payload.sub, name: "Adele Vance", given_name: "Adele", family_name: "Vance", email: "adele@contoso.onmicrosoft.com" });
    const bad = await fetch(`${emu.http}/graph.microsoft.com/oidc/userinfo`, { headers: { authorization: "Bearer nope" } });
    expect(bad.status).toBe(401);
  });

  it("accepts client_secret_basic and plain PKCE, and omits refresh/id tokens when not asked", async () => {
    const code = await getCode(emu.http, SEED.adeleId, { params: { scope: "User.Read", code_challenge: "plain-verifier-value-0123456789-abcdefghijklm", code_challenge_method: "plain" } });
    const form = redeemForm(code, { code_verifier: "plain-verifier-value-0123456789-abcdefghijklm" });
    delete (form as Partial<typeof form>).client_secret;
    delete (form as Partial<typeof form>).client_id;
    const { status, body } = await token(emu.http, form, { basic: { id: SEED.clientId, secret: SEED.secret } });
    expect(status).toBe(200);
    expect(body.scope).toBe("User.Read");
    expect(body).not.toHaveProperty("refresh_token");
    expect(body).not.toHaveProperty("id_token");
  });

  it("rotates refresh tokens and keeps the old one working", async () => {
    const code = await getCode(emu.http, SEED.alexId);
    const first = await token(emu.http, redeemForm(code));
    const rt1 = String(first.body.refresh_token);
    const refresh = (rt: string) =>
      token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: rt, scope: "User.Read offline_access" });
    const second = await refresh(rt1);
    expect(second.status).toBe(200);
    const rt2 = String(second.body.refresh_token);
    expect(rt2).not.toBe(rt1);
    expect(decodeJwt(String(second.body.access_token)).tid).toBe(SEED.fabrikamId);
    const again = await refresh(rt1);
    expect(again.status).toBe(200);
    expect(String(again.body.refresh_token)).not.toBe(rt2);
    expect(emu.state.refreshTokens.get(rt1)?.lastUsedAt).toBeGreaterThan(0);
  });

  it("delivers the code by form_post", async () => {
    const res = await signIn(emu.http, { account: SEED.adeleId }, { params: { response_mode: "form_post" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`action="${SEED.redirectUri}"`);
    expect(html).toMatch(/name="code" value="1\.A/);
    expect(html).toContain('name="state" value="state-123"');
    expect(html).toContain("document.forms[0].submit()");
  });

  it("filters the picker by login_hint", async () => {
    const html = await (await fetch(authorizeUrl(emu.http, { params: { login_hint: "megan@contoso.onmicrosoft.com" } }))).text();
    expect(readPickerForm(html).accounts).toEqual(["c0a70500-0000-4000-8000-0000000000a2"]);
    expect(html).toContain("Use another account");
  });

  it("shows only the tenant's users on a tenant endpoint", async () => {
    const html = await (await fetch(authorizeUrl(emu.http, { tenant: "fabrikam.onmicrosoft.com" }))).text();
    expect(readPickerForm(html).accounts).toEqual(["fab41ca0-0000-4000-8000-0000000000b1", "fab41ca0-0000-4000-8000-0000000000b2"]);
  });

  it("redirects with AADSTS65004 when the user cancels", async () => {
    const q = redirectParams(await signIn(emu.http, { cancel: true }));
    expect(q.get("error")).toBe("access_denied");
    expect(q.get("error_description")).toMatch(/^AADSTS65004: User declined to consent to access the app\.\r\nTrace ID: /);
    expect(q.get("error_subcode")).toBe("cancel");
    expect(q.get("state")).toBe("state-123");
  });

  it("answers prompt=none with login_required without a session, and signs in silently with one", async () => {
    const none = await fetch(authorizeUrl(emu.http, { params: { prompt: "none" } }), { redirect: "manual" });
    const q = redirectParams(none);
    expect(q.get("error")).toBe("login_required");
    expect(q.get("error_description")).toMatch(/^AADSTS50058: /);

    const picked = await signIn(emu.http, { account: SEED.adeleId });
    const cookie = (picked.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^ESTSAUTH=/);
    const silent = await fetch(authorizeUrl(emu.http, { params: { prompt: "none" } }), { redirect: "manual", headers: { cookie } });
    expect(redirectParams(silent).get("code")).toMatch(AUTH_CODE);
  });

  it("signs out to a registered origin, or shows the signed-out page", async () => {
    const base = `${emu.http}/${GLOBAL}/common/oauth2/v2.0/logout`;
    const ok = await fetch(`${base}?post_logout_redirect_uri=${encodeURIComponent("http://localhost:3000/signed-out")}&state=s`, { redirect: "manual" });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("http://localhost:3000/signed-out?state=s");
    const elsewhere = await fetch(`${base}?post_logout_redirect_uri=${encodeURIComponent("https://evil.example/")}`, { redirect: "manual" });
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain("You have signed out");
  });
});
