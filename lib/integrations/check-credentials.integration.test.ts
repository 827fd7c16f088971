import { beforeAll, describe, expect, it } from "vitest";
import { admin, setupTestEmulator } from "@/emulator/test-support";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { checkCredentials, type CheckStep } from "./check-credentials";
import type { IntegrationWithSecrets } from "./integrations";

// The credentials check against the emulator, reached through the per-deployment host map the
// way demo mode reaches it (its plain-HTTP listener here: this process does not trust its cert).
const emu = setupTestEmulator();
let hostMap: ReturnType<typeof hostMapFromBase>;

const CONTOSO_APP = "c0a70500-0000-4000-8000-0000000000e1";
const CONTOSO_SECRET = "Hd7Q~Contoso.Helpdesk_Secret~00000001x";

beforeAll(() => {
  hostMap = hostMapFromBase(emu.http);
});

function integration(over: Partial<IntegrationWithSecrets> = {}): IntegrationWithSecrets {
  return {
    id: crypto.randomUUID(), orgId: crypto.randomUUID(), name: "Helpdesk", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: CONTOSO_APP,
    credentialType: "SECRET", secret: CONTOSO_SECRET, privateKeyPem: null, secretEncrypted: null, privateKeyEncrypted: null, secretExpiresAt: null, secretUpdatedAt: null,
    certificatePem: null, certificateThumbprint: null, certificateExpiresAt: null, purposes: ["graph-read", "imap"], extraScopes: [], authorizeEndpoint: null, tokenEndpoint: null,
    status: "UNCHECKED", lastCheckedAt: null, lastCheck: null, credentialsAlerted: null, configVersion: 1, createdById: null, createdAt: new Date(), updatedAt: new Date(), ...over,
  };
}

const byId = (r: Awaited<ReturnType<typeof checkCredentials>>) => Object.fromEntries(r.steps.map((s) => [s.id, s])) as Record<CheckStep["id"], CheckStep>;

async function fault(body: Record<string, unknown>) {
  expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", ...body })).status).toBe(201);
}

describe("check credentials", () => {
  it("passes every step for a correct Global app, and warns about a secret expiring soon", async () => {
    const soon = new Date(Date.now() + 10 * 86_400_000);
    const r = await checkCredentials(integration({ secretExpiresAt: soon }), { hostMap });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => [s.id, s.status])).toEqual([
      ["reachable", "ok"], ["tenant", "ok"], ["app", "ok"], ["credential", "ok"], ["expiry", "warning"], ["resource-graph", "ok"], ["resource-outlook", "ok"],
    ]);
    expect(byId(r).expiry.detail).toMatch(/Expires in (9|10) days/);
  });

  it("a Secret ID or wrong secret fails the credential step with AADSTS7000215", async () => {
    const r = await checkCredentials(integration({ secret: "Wrong~Secret.Value_000000000000000000000" }), { hostMap });
    expect(r.ok).toBe(false);
    expect(byId(r).credential).toMatchObject({ status: "failed", diagnosis: "AADSTS7000215" });
    expect(byId(r).tenant.status).toBe("ok");
    expect(byId(r)["resource-graph"].status).toBe("skipped");
    expect(r.error).toMatchObject({ kind: "oauth", error: "invalid_client", aadsts: 7000215 });
    expect(r.error?.traceId).toMatch(/[0-9a-f-]{36}/);
  });

  it("an unknown tenant fails at the tenant step (90002), an unknown app at the app step (700016)", async () => {
    const t = await checkCredentials(integration({ tenant: "nosuchtenant.onmicrosoft.com" }), { hostMap });
    expect(byId(t).tenant).toMatchObject({ status: "failed", diagnosis: "AADSTS90002" });
    const a = await checkCredentials(integration({ clientId: crypto.randomUUID() }), { hostMap });
    expect(byId(a).app).toMatchObject({ status: "failed", diagnosis: "AADSTS700016" });
  });

  it("a GCC High tenant checked on the Global cloud is not found (90002); on its own cloud it passes", async () => {
    const gcc = { tenant: "northwind.onmicrosoft.us", clientId: "a0b1d000-0000-4000-8000-0000000000e1", secret: "Nw5Q~Northwind.Gcc_High~Secret00000001x", purposes: ["graph-read"] };
    const wrong = await checkCredentials(integration({ ...gcc, cloud: "global" }), { hostMap });
    expect(byId(wrong).tenant).toMatchObject({ status: "failed", diagnosis: "AADSTS90002" });
    const right = await checkCredentials(integration({ ...gcc, cloud: "gcc-high" }), { hostMap });
    expect(right.ok).toBe(true);
  });

  it("a multi-tenant integration is checked in its home tenant, and one without a home tenant says to add it", async () => {
    const home = await checkCredentials(integration({ tenantMode: "organizations", tenant: "contoso.onmicrosoft.com" }), { hostMap });
    expect(home.ok).toBe(true);
    expect(home.tokenEndpoint).toContain("/login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token");
    const none = await checkCredentials(integration({ tenantMode: "organizations", tenant: null }), { hostMap });
    expect(none.ok).toBe(false);
    expect(byId(none).tenant).toMatchObject({ status: "failed", diagnosis: "AADSTS50059", detail: expect.stringMatching(/Add the home tenant/) });
    expect(byId(none).credential.status).toBe("skipped");
  });

  it("a tenant without Exchange Online passes Graph and fails at the Exchange step (650052)", async () => {
    expect((await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { exchangeOnline: false })).status).toBe(200);
    const r = await checkCredentials(integration(), { hostMap });
    expect(byId(r)["resource-graph"].status).toBe("ok");
    expect(byId(r)["resource-outlook"]).toMatchObject({ status: "failed", diagnosis: "AADSTS650052" });
    expect(byId(r).credential.status).toBe("ok");
  });

  it("an expired secret fails the expiry step with 7000222", async () => {
    await fault({ code: 7000222, clientId: CONTOSO_APP, grantType: "client_credentials" });
    const r = await checkCredentials(integration(), { hostMap });
    expect(byId(r).expiry).toMatchObject({ status: "failed", diagnosis: "AADSTS7000222" });
  });

  it("a silent endpoint times out and an unreachable host is reported as such", async () => {
    await fault({ code: 7000215, clientId: CONTOSO_APP, grantType: "client_credentials", drop: true });
    const dropped = await checkCredentials(integration(), { hostMap, timeoutMs: 1000 });
    expect(byId(dropped).reachable.status).toBe("failed");
    expect(["timeout", "unreachable"]).toContain(byId(dropped).reachable.diagnosis);
    await fault({ code: 7000215, clientId: CONTOSO_APP, grantType: "client_credentials", delayMs: 3000 });
    const slow = await checkCredentials(integration(), { hostMap, timeoutMs: 500 });
    expect(byId(slow).reachable).toMatchObject({ status: "failed", diagnosis: "timeout" });
    const closed = await checkCredentials(integration(), { hostMap: hostMapFromBase("http://127.0.0.1:9"), timeoutMs: 2000 });
    expect(byId(closed).reachable).toMatchObject({ status: "failed", diagnosis: "unreachable" });
  });

  it("never puts the secret into the result", async () => {
    const r = await checkCredentials(integration({ secret: `${CONTOSO_SECRET}x` }), { hostMap });
    expect(JSON.stringify(r)).not.toContain(CONTOSO_SECRET);
  });
});

describe("check credentials with a certificate (private_key_jwt)", () => {
  it("passes with the certificate uploaded to the app, and fails with 700027 for another key", async () => {
    const { generate } = await import("selfsigned");
    const { createHash, X509Certificate } = await import("node:crypto");
    const mk = () => generate([{ name: "commonName", value: "Mailgrant test" }], { keySize: 2048, algorithm: "sha256" });
    const uploaded = await mk();
    const other = await mk();
    expect((await admin(emu.http, "POST", `/apps/${CONTOSO_APP}/certificates`, { certificatePem: uploaded.cert })).status).toBe(201);
    const thumb = (pem: string) => createHash("sha1").update(new X509Certificate(pem).raw).digest("base64url");
    const cert = (pems: { cert: string; private: string }) => integration({ credentialType: "CERTIFICATE", secret: null, privateKeyPem: pems.private, certificatePem: pems.cert, certificateThumbprint: thumb(pems.cert) });
    const ok = await checkCredentials(cert(uploaded), { hostMap });
    expect(ok.ok).toBe(true);
    expect(byId(ok).credential.label).toBe("Certificate accepted");
    const bad = await checkCredentials(cert(other), { hostMap });
    expect(byId(bad).credential).toMatchObject({ status: "failed", diagnosis: "AADSTS700027" });
    expect(JSON.stringify(bad)).not.toContain(uploaded.private.slice(40, 80));
  });
});
