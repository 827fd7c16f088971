import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { HELPDESK, NORTHWIND_MAIL, SEED, USGOV, admin, errorCode, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

const helpdesk = (scope: string, extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: HELPDESK.clientId,
  client_secret: HELPDESK.secret,
  scope,
  ...extra,
});

describe("client credentials", () => {
  it("mints an app-only Graph token with the app's roles", async () => {
    const res = await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: "contoso.onmicrosoft.com" });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(["access_token", "expires_in", "ext_expires_in", "token_type"]);
    expect(res.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    const claims = decodeJwt(String(res.body.access_token));
    expect(claims).toMatchObject({
      aud: "https://graph.microsoft.com",
      iss: `https://sts.windows.net/${SEED.contosoId}/`,
      tid: SEED.contosoId,
      appid: HELPDESK.clientId,
      appidacr: "1",
      idtyp: "app",
      roles: ["Mail.Read"],
      ver: "1.0",
    });
    expect(claims.oid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(claims.sub).toBe(claims.oid);
    expect(claims).not.toHaveProperty("upn");
    expect(claims).not.toHaveProperty("scp");
    // The service principal id is stable for the app in that tenant.
    const again = decodeJwt(String((await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: SEED.contosoId })).body.access_token));
    expect(again.oid).toBe(claims.oid);
  });

  it("mints an Outlook app-only token for IMAP, accepting client_secret_basic and the ps.outlook.com alias", async () => {
    const form = { grant_type: "client_credentials", scope: "https://outlook.office365.com/.default" };
    const res = await token(emu.http, form, { tenant: SEED.contosoId, basic: { id: HELPDESK.clientId, secret: HELPDESK.secret } });
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body.access_token))).toMatchObject({ aud: "https://outlook.office365.com", roles: ["IMAP.AccessAsApp"] });
    const ps = await token(emu.http, helpdesk("https://ps.outlook.com/.default"), { tenant: SEED.contosoId });
    expect(decodeJwt(String(ps.body.access_token))).toMatchObject({ aud: "https://ps.outlook.com", roles: ["IMAP.AccessAsApp"] });
  });

  it("omits roles when the app holds no application permission on the resource", async () => {
    const res = await token(
      emu.http,
      { grant_type: "client_credentials", client_id: SEED.clientId, client_secret: SEED.secret, scope: "https://graph.microsoft.com/.default" },
      { tenant: SEED.fabrikamId },
    );
    expect(res.status).toBe(200);
    expect(decodeJwt(String(res.body.access_token))).not.toHaveProperty("roles");
  });

  it("works for a GCC High tenant on the US Gov login host", async () => {
    const form = { grant_type: "client_credentials", client_id: NORTHWIND_MAIL.clientId, client_secret: NORTHWIND_MAIL.secret };
    const graph = await token(emu.http, { ...form, scope: "https://graph.microsoft.us/.default" }, { host: USGOV, tenant: "northwind.onmicrosoft.us" });
    expect(graph.status).toBe(200);
    expect(decodeJwt(String(graph.body.access_token))).toMatchObject({
      aud: "https://graph.microsoft.us",
      iss: `https://sts.windows.net/${SEED.northwindId}/`,
      tid: SEED.northwindId,
      roles: ["Mail.Read"],
      idtyp: "app",
    });
    const imap = await token(emu.http, { ...form, scope: "https://outlook.office365.us/.default" }, { host: USGOV, tenant: SEED.northwindId });
    expect(decodeJwt(String(imap.body.access_token))).toMatchObject({ aud: "https://outlook.office365.us", roles: ["IMAP.AccessAsApp"] });

    const global = await token(emu.http, { ...form, scope: "https://graph.microsoft.com/.default" }, { host: USGOV, tenant: SEED.northwindId });
    expect(global.status).toBe(400);
    expect(global.body.error).toBe("invalid_resource");
    expect(errorCode(global.body)).toBe(500011);
    expect(String(global.body.error_description)).toContain(
      "AADSTS500011: The resource principal named https://graph.microsoft.com was not found in the tenant named Northwind (GCC High).",
    );
  });

  it("serves DoD resources to a DoD tenant, including outlook.office365.us", async () => {
    const t = await admin(emu.http, "POST", "/tenants", { displayName: "Dod Agency", domain: "dodagency.onmicrosoft.us", cloud: "usgov", subcloud: "dod" });
    expect(t.body).toMatchObject({ subcloud: "dod", exchangeOnline: true });
    const app = await admin(emu.http, "POST", `/tenants/${String(t.body.id)}/apps`, { displayName: "Dod mail", appPermissions: { "https://outlook-dod.office365.us": ["IMAP.AccessAsApp"] } });
    const secret = (app.body.secrets as { value: string }[])[0]!.value;
    const ask = (scope: string) =>
      token(emu.http, { grant_type: "client_credentials", client_id: String(app.body.clientId), client_secret: secret, scope }, { host: USGOV, tenant: "dodagency.onmicrosoft.us" });
    expect(decodeJwt(String((await ask("https://dod-graph.microsoft.us/.default")).body.access_token)).aud).toBe("https://dod-graph.microsoft.us");
    for (const uri of ["https://outlook-dod.office365.us", "https://outlook.office365.us"]) {
      const res = await ask(`${uri}/.default`);
      expect(decodeJwt(String(res.body.access_token))).toMatchObject({ aud: uri, roles: ["IMAP.AccessAsApp"] });
    }
    expect(errorCode((await ask("https://graph.microsoft.us/.default")).body)).toBe(500011);
  });

  it("answers 650052 for Outlook in a tenant without Exchange Online", async () => {
    const patched = await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { exchangeOnline: false });
    expect(patched.body.exchangeOnline).toBe(false);
    const res = await token(emu.http, helpdesk("https://outlook.office365.com/.default"), { tenant: SEED.contosoId });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_client");
    expect(errorCode(res.body)).toBe(650052);
    expect(String(res.body.error_description)).toContain(`'00000002-0000-0ff1-ce00-000000000000'(Office 365 Exchange Online) that your organization '${SEED.contosoId}'`);
    expect((await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: SEED.contosoId })).status).toBe(200);
  });

  it("needs exactly one {resource}/.default", async () => {
    const named = await token(emu.http, helpdesk("https://graph.microsoft.com/Mail.Read"), { tenant: SEED.contosoId });
    expect(named.body.error).toBe("invalid_scope");
    expect(errorCode(named.body)).toBe(70011);
    const mixed = await token(emu.http, helpdesk("https://graph.microsoft.com/.default Mail.Read"), { tenant: SEED.contosoId });
    expect(errorCode(mixed.body)).toBe(70011);
    const two = await token(emu.http, helpdesk("https://graph.microsoft.com/.default https://outlook.office365.com/.default"), { tenant: SEED.contosoId });
    expect(two.body.error).toBe("invalid_scope");
    expect(errorCode(two.body)).toBe(700022);
    expect(String(two.body.error_description)).toContain("contains more than one resource");
    const none = await token(emu.http, { grant_type: "client_credentials", client_id: HELPDESK.clientId, client_secret: HELPDESK.secret }, { tenant: SEED.contosoId });
    expect(errorCode(none.body)).toBe(900144);
    const unknown = await token(emu.http, helpdesk("api://nope/.default"), { tenant: SEED.contosoId });
    expect(errorCode(unknown.body)).toBe(500011);
  });

  it("needs a tenant: 50194 for a single-tenant app via an alias, 50059 for a multi-tenant one", async () => {
    const single = await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: "organizations" });
    expect(errorCode(single.body)).toBe(50194);
    const multi = await token(
      emu.http,
      { grant_type: "client_credentials", client_id: SEED.clientId, client_secret: SEED.secret, scope: "https://graph.microsoft.com/.default" },
      { tenant: "common" },
    );
    expect(multi.body.error).toBe("invalid_request");
    expect(errorCode(multi.body)).toBe(50059);
  });

  it("rejects a single-tenant app in another tenant (700016) and an expired secret (7000222)", async () => {
    const elsewhere = await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: SEED.fabrikamId });
    expect(elsewhere.body.error).toBe("unauthorized_client");
    expect(errorCode(elsewhere.body)).toBe(700016);
    const expired = await token(emu.http, helpdesk("https://graph.microsoft.com/.default", { client_secret: HELPDESK.expiredSecret }), { tenant: SEED.contosoId });
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe("invalid_client");
    expect(errorCode(expired.body)).toBe(7000222);
  });

  it("injects faults filtered by grantType client_credentials", async () => {
    await admin(emu.http, "POST", "/faults", { endpoint: "token", code: 53003, grantType: "client_credentials", clientId: HELPDESK.clientId });
    const blocked = await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: SEED.contosoId });
    expect(errorCode(blocked.body)).toBe(53003);
    expect(blocked.body.suberror).toBe("message_only");
    expect((await token(emu.http, helpdesk("https://graph.microsoft.com/.default"), { tenant: SEED.contosoId })).status).toBe(200);
  });
});
