import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { NORTHWIND_MAIL, SEED, USGOV, admin, errorCode, getCode, redeemForm, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

const OUTLOOK = "https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/POP.AccessAsUser.All https://outlook.office.com/SMTP.Send";

describe("delegated resources per cloud", () => {
  it("mints an Outlook-audience token for IMAP/POP/SMTP scopes via the authorization code", async () => {
    const code = await getCode(emu.http, SEED.adeleId, { params: { scope: `openid offline_access ${OUTLOOK}` } });
    const res = await token(emu.http, redeemForm(code));
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe(`${OUTLOOK} openid`);
    expect(decodeJwt(String(res.body.access_token))).toMatchObject({
      aud: "https://outlook.office.com",
      scp: "IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send",
      upn: "adele@contoso.onmicrosoft.com",
      oid: SEED.adeleId,
      tid: SEED.contosoId,
      appid: SEED.clientId,
      ver: "1.0",
    });
  });

  it("mints the token for the resource of the first scope, and refreshes into the other resource", async () => {
    const code = await getCode(emu.http, SEED.adeleId, { params: { scope: `openid offline_access User.Read ${OUTLOOK}` } });
    const first = await token(emu.http, redeemForm(code, { scope: `${OUTLOOK} User.Read` }));
    expect(decodeJwt(String(first.body.access_token)).aud).toBe("https://outlook.office.com");
    const refresh = (scope: string) =>
      token(emu.http, { grant_type: "refresh_token", client_id: SEED.clientId, client_secret: SEED.secret, refresh_token: String(first.body.refresh_token), scope });
    const graph = await refresh("User.Read offline_access");
    expect(decodeJwt(String(graph.body.access_token))).toMatchObject({ aud: "https://graph.microsoft.com", scp: "User.Read" });
    const outlook = await refresh("https://outlook.office.com/.default");
    expect(decodeJwt(String(outlook.body.access_token)).scp).toBe("IMAP.AccessAsUser.All POP.AccessAsUser.All SMTP.Send");
  });

  it("answers 650052 for Outlook scopes in a tenant without Exchange Online", async () => {
    await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { exchangeOnline: false });
    const code = await getCode(emu.http, SEED.adeleId, { params: { scope: `openid ${OUTLOOK}` } });
    const res = await token(emu.http, redeemForm(code));
    expect(errorCode(res.body)).toBe(650052);
  });

  it("gives a GCC High user Graph US tokens and refuses global resources with 500011", async () => {
    const nestor = "a0b1d000-0000-4000-8000-0000000000c1";
    const redirectUri = "http://localhost:3000/api/connections/callback";
    const opts = { host: USGOV, tenant: "northwind.onmicrosoft.us" };
    const code = await getCode(emu.http, nestor, {
      ...opts,
      params: { client_id: NORTHWIND_MAIL.clientId, redirect_uri: redirectUri, scope: "openid offline_access User.Read https://outlook.office365.us/IMAP.AccessAsUser.All" },
    });
    const res = await token(emu.http, { ...redeemForm(code), client_id: NORTHWIND_MAIL.clientId, client_secret: NORTHWIND_MAIL.secret, redirect_uri: redirectUri }, opts);
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body.access_token)).aud).toBe("https://graph.microsoft.us");
    const refresh = (scope: string) =>
      token(
        emu.http,
        { grant_type: "refresh_token", client_id: NORTHWIND_MAIL.clientId, client_secret: NORTHWIND_MAIL.secret, refresh_token: String(res.body.refresh_token), scope },
        opts,
      );
    const imap = await refresh("https://outlook.office365.us/IMAP.AccessAsUser.All");
    expect(decodeJwt(String(imap.body.access_token))).toMatchObject({ aud: "https://outlook.office365.us", scp: "IMAP.AccessAsUser.All" });
    const global = await refresh("https://graph.microsoft.com/User.Read");
    expect(global.body.error).toBe("invalid_resource");
    expect(errorCode(global.body)).toBe(500011);
  });
});
