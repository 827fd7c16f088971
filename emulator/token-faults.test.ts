import { describe, expect, it } from "vitest";
import { GLOBAL, HELPDESK, SEED, admin, errorCode, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

const appOnly = {
  grant_type: "client_credentials",
  client_id: HELPDESK.clientId,
  client_secret: HELPDESK.secret,
  scope: "https://graph.microsoft.com/.default",
};
const tokenUrl = () => `${emu.http}/${GLOBAL}/${SEED.contosoId}/oauth2/v2.0/token`;

describe("token endpoint network faults", () => {
  it("answers after delayMs, normally or with the fault's code", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", delayMs: 300, grantType: "client_credentials" })).status).toBe(201);
    const slow = await token(emu.http, appOnly, { tenant: SEED.contosoId });
    expect(slow.status).toBe(200);
    // The delay fault fired for this request (its one time is used up), which still got its answer.
    expect((await admin(emu.http, "GET", "/faults")).body).toEqual([]);

    await admin(emu.http, "POST", "/faults", { endpoint: "token", delayMs: 200, code: 90002 });
    const slowError = await token(emu.http, appOnly, { tenant: SEED.contosoId });
    expect(errorCode(slowError.body)).toBe(90002);
    expect((await admin(emu.http, "GET", "/faults")).body).toEqual([]);
  });

  it("lets a client time out", async () => {
    await admin(emu.http, "POST", "/faults", { endpoint: "token", delayMs: 2000 });
    const attempt = fetch(tokenUrl(), { method: "POST", body: new URLSearchParams(appOnly), signal: AbortSignal.timeout(100) });
    await expect(attempt).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("drops the connection without an answer, then recovers", async () => {
    await admin(emu.http, "POST", "/faults", { endpoint: "token", drop: true, clientId: HELPDESK.clientId });
    await expect(fetch(tokenUrl(), { method: "POST", body: new URLSearchParams(appOnly) })).rejects.toThrow(TypeError);
    expect((await token(emu.http, appOnly, { tenant: SEED.contosoId })).status).toBe(200);
  });

  it("refuses network options on the authorize endpoint and faults without an effect", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "authorize", delayMs: 100 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token" })).status).toBe(400);
  });
});

/** code → [error, HTTP status, a piece of the message] as Microsoft sends them. */
const INJECTABLE: Record<number, [string, number, string]> = {
  90002: ["invalid_request", 400, `Tenant '${SEED.contosoId}' not found.`],
  700016: ["unauthorized_client", 400, `Application with identifier '${HELPDESK.clientId}' was not found in the directory 'Contoso'.`],
  7000215: ["invalid_client", 401, "Invalid client secret provided."],
  7000222: ["invalid_client", 401, `The provided client secret keys for app '${HELPDESK.clientId}' are expired.`],
  7000218: ["invalid_client", 401, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."],
  50194: ["invalid_request", 400, `Application '${HELPDESK.clientId}'(Contoso Helpdesk mail) is not configured as a multi-tenant application.`],
  700024: ["invalid_client", 400, "Client assertion is not within its valid time range."],
  700027: ["invalid_client", 401, "The certificate with identifier used to sign the client assertion is not registered on application."],
  500011: ["invalid_resource", 400, "The resource principal named https://graph.microsoft.com was not found in the tenant named Contoso."],
  650052: ["invalid_client", 400, `that your organization '${SEED.contosoId}' lacks a service principal for.`],
  53003: ["invalid_grant", 400, "Access has been blocked by Conditional Access policies."],
  90094: ["invalid_grant", 400, "Admin consent is required for the permissions requested by this application."],
  65001: ["invalid_grant", 400, `The user or administrator has not consented to use the application with ID '${HELPDESK.clientId}' named 'Contoso Helpdesk mail'.`],
};

describe("injectable token errors", () => {
  it.each(Object.entries(INJECTABLE))("AADSTS%s has Microsoft's error, status and message", async (code, [error, status, text]) => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", code: Number(code), grantType: "client_credentials" })).status).toBe(201);
    const res = await token(emu.http, appOnly, { tenant: SEED.contosoId });
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    expect(res.body.error_codes).toEqual([Number(code)]);
    expect(String(res.body.error_description)).toContain(`AADSTS${code}: `);
    expect(String(res.body.error_description)).toContain(text);
  });
});
