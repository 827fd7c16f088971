import { describe, expect, it } from "vitest";
import { parseSeed, SeedError } from "./seed";
import { SEED, getCode, redeemForm, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

// Admin responses are read loosely here; their shapes are asserted by the expectations themselves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${emu.http}/_emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: await res.json() };
}

describe("admin API", () => {
  it("returns the seeded state without signing keys", async () => {
    const { status, body } = await call("GET", "/state");
    expect(status).toBe(200);
    expect(body.tenants.map((t: { displayName: string }) => t.displayName)).toEqual(["Contoso", "Fabrikam", "Northwind (GCC High)", "Mailgrant Operations"]);
    expect(body.tenants[0].users).toHaveLength(3);
    expect(body.apps[0]).toMatchObject({ clientId: SEED.clientId, multiTenant: true, redirectUris: [SEED.redirectUri] });
    expect(body.apps.map((a: { displayName: string }) => a.displayName)).toEqual(["Mailgrant portal", "Contoso Helpdesk mail", "Northwind mail"]);
    expect(body.apps[1]).toMatchObject({ multiTenant: false, homeTenantId: SEED.contosoId, appPermissions: { "https://outlook.office365.com": ["IMAP.AccessAsApp"] } });
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

describe("seed validation", () => {
  it("names the failing field in one line", () => {
    expect(() => parseSeed({ tenants: [{ displayName: "A", domains: ["a.example"], users: [{ upn: "nope", displayName: "x" }] }] }, "x.json")).toThrow(
      new SeedError('invalid seed x.json: tenants[0].users[0].upn: must be a UPN like user@contoso.onmicrosoft.com'),
    );
  });
});
