import { describe, expect, it } from "vitest";
import { SEED, errorCode, getCode, pkce, redeemForm, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

function expectMicrosoftError(body: Record<string, unknown>, code: number, error: string): void {
  expect(body.error).toBe(error);
  expect(body.error_codes).toEqual([code]);
  expect(String(body.error_description)).toMatch(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`, "s"));
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
  expect(body.error_uri).toBe(`https://login.microsoftonline.com/error?code=${code}`);
}

describe("token endpoint errors", () => {
  it("rejects a reused code with 54005", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    expect((await token(emu.http, redeemForm(code))).status).toBe(200);
    const again = await token(emu.http, redeemForm(code));
    expect(again.status).toBe(400);
    expectMicrosoftError(again.body, 54005, "invalid_grant");
  });

  it("rejects an unknown code with 70000", async () => {
    const res = await token(emu.http, redeemForm("1.Anot-a-code"));
    expectMicrosoftError(res.body, 70000, "invalid_grant");
  });

  it("rejects a code older than 10 minutes with 70008", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    emu.state.advanceClock(11 * 60_000);
    const res = await token(emu.http, redeemForm(code));
    expectMicrosoftError(res.body, 70008, "invalid_grant");
  });

  it("rejects a wrong code_verifier with 501481", async () => {
    const { challenge } = pkce();
    const code = await getCode(emu.http, SEED.adeleId, { params: { code_challenge: challenge, code_challenge_method: "S256" } });
    const res = await token(emu.http, redeemForm(code, { code_verifier: pkce().verifier }));
    expectMicrosoftError(res.body, 501481, "invalid_grant");
  });

  it("rejects a redirect_uri that differs from the authorize leg", async () => {
    await fetch(`${emu.http}/_emulator/apps/${SEED.clientId}/redirect-uris`, { method: "POST", body: JSON.stringify({ uri: "http://localhost:4000/cb" }) });
    const code = await getCode(emu.http, SEED.adeleId);
    const res = await token(emu.http, redeemForm(code, { redirect_uri: "http://localhost:4000/cb" }));
    expectMicrosoftError(res.body, 70000, "invalid_grant");
  });

  it("rejects a wrong secret with 7000215 (HTTP 401) and a missing one with 7000218", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    const wrong = await token(emu.http, redeemForm(code, { client_secret: "5ec12e70-0000-4000-8000-000000000101" }));
    expect(wrong.status).toBe(401);
    expectMicrosoftError(wrong.body, 7000215, "invalid_client");
    const form = redeemForm(code);
    delete (form as Partial<typeof form>).client_secret;
    const missing = await token(emu.http, form);
    expect(missing.status).toBe(401);
    expectMicrosoftError(missing.body, 7000218, "invalid_client");
  });

  it("rejects an expired secret with 7000222", async () => {
    const app = emu.state.apps.get(SEED.clientId)!;
    app.secrets[0]!.expiresAt = new Date(Date.now() - 1000).toISOString();
    const code = await getCode(emu.http, SEED.adeleId);
    const res = await token(emu.http, redeemForm(code));
    expect(res.status).toBe(401);
    expectMicrosoftError(res.body, 7000222, "invalid_client");
  });

  it("rejects an unknown client with 700016 and an unknown tenant with 90002", async () => {
    const unknownApp = await token(emu.http, { ...redeemForm("x"), client_id: "00000000-1111-4000-8000-000000000000" });
    expectMicrosoftError(unknownApp.body, 700016, "unauthorized_client");
    const unknownTenant = await token(emu.http, redeemForm("x"), { tenant: "nope.onmicrosoft.com" });
    expectMicrosoftError(unknownTenant.body, 90002, "invalid_request");
    const wrongCloud = await token(emu.http, redeemForm("x"), { tenant: SEED.northwindId });
    expectMicrosoftError(wrongCloud.body, 90002, "invalid_request");
  });

  it("reports revoked and idle refresh tokens as bad_token", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    const rt = String((await token(emu.http, redeemForm(code))).body.refresh_token);
    const refresh = () => token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: rt });

    emu.state.advanceClock(91 * 86_400_000);
    const idle = await refresh();
    expectMicrosoftError(idle.body, 700082, "invalid_grant");
    expect(idle.body.suberror).toBe("bad_token");

    emu.state.clockOffsetMs = 0;
    const revoke = await fetch(`${emu.http}/_emulator/refresh-tokens/revoke`, { method: "POST", body: JSON.stringify({ upn: "adele@contoso.onmicrosoft.com" }) });
    expect(await revoke.json()).toEqual({ revoked: 1 });
    const revoked = await refresh();
    expectMicrosoftError(revoked.body, 50173, "invalid_grant");
    expect(revoked.body.suberror).toBe("bad_token");
  });

  it("asks for consent (65001) when refreshing for a scope never granted", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    const rt = String((await token(emu.http, redeemForm(code))).body.refresh_token);
    const res = await token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: rt, scope: "Mail.Send" });
    expectMicrosoftError(res.body, 65001, "invalid_grant");
    expect(res.body.suberror).toBe("consent_required");
  });

  it("needs grant_type and rejects unsupported ones", async () => {
    const missing = await token(emu.http, { client_id: SEED.clientId, client_secret: SEED.secret });
    expectMicrosoftError(missing.body, 900144, "invalid_request");
    const unsupported = await token(emu.http, { grant_type: "password", client_id: SEED.clientId, client_secret: SEED.secret });
    expectMicrosoftError(unsupported.body, 70003, "unsupported_grant_type");
    expect(errorCode(unsupported.body)).toBe(70003);
  });

  it("injects token faults by upn and grant type, for the given number of times", async () => {
    const code = await getCode(emu.http, SEED.adeleId);
    const rt = String((await token(emu.http, redeemForm(code))).body.refresh_token);
    const fault = await fetch(`${emu.http}/_emulator/faults`, {
      method: "POST",
      body: JSON.stringify({ endpoint: "token", code: 50076, upn: "adele@contoso.onmicrosoft.com", grantType: "refresh_token", times: 2 }),
    });
    expect(fault.status).toBe(201);
    const refresh = () => token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: rt });
    for (let i = 0; i < 2; i++) {
      const res = await refresh();
      expect(res.status).toBe(400);
      expectMicrosoftError(res.body, 50076, "invalid_grant");
      expect(res.body.suberror).toBe("basic_action");
    }
    expect((await refresh()).status).toBe(200);
  });
});
