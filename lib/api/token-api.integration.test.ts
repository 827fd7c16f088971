import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import { savedConnection } from "@/test-support/connection-fixtures";
import { call, newKey } from "@/test-support/api-fixtures";

// The token API through its real route handlers, against the emulator: who gets in, what a key
// reaches, what each failure answers, and that any number of concurrent calls cause one refresh.

const emu = setupTestEmulator({ resetEachTest: false });
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const state = vi.hoisted(() => ({ database: null as unknown, hostMap: undefined as unknown, limits: { MAILGRANT_API_RATE_PER_KEY: 1_000_000, MAILGRANT_API_RATE_PER_CONNECTION: 1_000_000 } }));
vi.mock("server-only", () => ({}));
vi.mock("@/lib/db", () => ({ database: async () => state.database, db: async () => (state.database as Database).prisma }));
vi.mock("@/lib/deployment", () => ({ appKeyring: () => keyring, publicUrl: () => "http://localhost:3000", deploymentHostMap: () => state.hostMap, mailHostSettings: () => undefined }));
vi.mock("@/lib/env", async (original) => ({ ...(await original<typeof import("@/lib/env")>()), env: () => state.limits }));

const tokenRoute = (await import("@/app/api/v1/connections/[id]/token/route")).POST;
const listRoute = (await import("@/app/api/v1/connections/route")).GET;
const oneRoute = (await import("@/app/api/v1/connections/[id]/route")).GET;
const { tokenSchema, connectionListSchema, connectionDetailSchema, errorSchema } = await import("./schemas");
const { revokeApiKey } = await import("@/lib/api-keys/keys");
const { stopApiProcess } = await import("./handler");
const { metrics } = await import("@/lib/metrics/metrics");
const counted = async (operation: string, code: string) => (await metrics().apiRequests.get()).values.find((v) => v.labels.operation === operation && v.labels.code === code)?.value ?? 0;

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
  state.database = database;
  state.hostMap = hostMapFromBase(emu.http);
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
});
afterAll(async () => {
  await stopApiProcess();
  await database.close();
});
beforeEach(async () => {
  await admin(emu.http, "DELETE", "/faults");
});

let n = 0;
/** An org with a real connection for Adele through the emulator's consent flow. */
async function connectedOrg(purposes = ["graph-read", "imap"]) {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `api-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes });
  const id = await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
  return { ...s, id };
}
const expire = (id: string) => database.prisma.connectionAccessToken.updateMany({ where: { connectionId: id }, data: { expiresAt: new Date(Date.now() - 1000) } });
const refreshTokensIssued = async () => ((await admin(emu.http, "GET", "/state")).body.refreshTokens as unknown[]).length;
const token = (key: string | null, id: string, body: unknown = { resource: "graph" }, extra: { ip?: string; authorization?: string } = {}) => call(tokenRoute, { key, params: { id }, body, ...extra });

describe("token API: keys", () => {
  it("refuses a call without a key, with a malformed or unknown key, naming which, with no-store and WWW-Authenticate", async () => {
    const s = await connectedOrg();
    const unknown = `mgk_${"A".repeat(48)}`;
    const refusedBefore = await counted("token", "invalid_key");
    for (const [auth, words] of [[undefined, /needs an API key/], ["Basic dXNlcjpwYXNz", /needs an API key/], ["Bearer not-a-key", /not a Mailgrant API key/], [`Bearer ${unknown}`, /not known/]] as const) {
      const r = await call(tokenRoute, { params: { id: s.id }, body: { resource: "graph" }, ...(auth ? { authorization: auth } : {}) });
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: "invalid_key", message: expect.stringMatching(words) });
      expect(r.headers.get("cache-control")).toBe("no-store");
      expect(r.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(errorSchema.safeParse(r.body).success).toBe(true);
    }
    expect(await counted("token", "invalid_key")).toBe(refusedBefore + 4);
  });

  it("a revoked key is refused on its next call; an expired one too", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    expect((await token(key, s.id)).status).toBe(200);
    const row = await s.db.apiKey.findFirstOrThrow({ where: { orgId: s.org.id } });
    await revokeApiKey(s.db, s.org.id, s.owner, row.id);
    const revoked = await token(key, s.id);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error?.message).toMatch(/revoked/);

    const other = await newKey(s.db, s, { name: "Short-lived" });
    expect((await token(other, s.id)).status).toBe(200);
    await s.db.apiKey.updateMany({ where: { orgId: s.org.id, name: "Short-lived" }, data: { expiresAt: new Date(Date.now() - 1) } });
    const expired = await token(other, s.id);
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toMatch(/expired/);
  });
});

describe("token API: reach", () => {
  it("a key of one org never reaches another org's connection: the same 404 as an id that exists nowhere", async () => {
    const a = await connectedOrg();
    const b = await connectedOrg();
    const keyA = await newKey(a.db, a);
    const elsewhere = await token(keyA, b.id);
    const nowhere = await token(keyA, randomUUID());
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body).toEqual(nowhere.body);
    expect((await call(oneRoute, { key: keyA, params: { id: b.id } })).status).toBe(404);
    const list = await call(listRoute, { key: keyA });
    expect(list.status).toBe(200);
    expect((list.body.data as { id: string }[]).map((c) => c.id)).toEqual([a.id]);
  });

  it("a key limited to some connections or integrations reaches only those", async () => {
    const s = await connectedOrg();
    const other = await savedConnection(s.db, keyring, s);
    const onlyOther = await newKey(s.db, s, { reach: "CONNECTIONS", connectionIds: [other] });
    expect((await token(onlyOther, s.id)).status).toBe(404);
    expect((await call(listRoute, { key: onlyOther })).body.data).toMatchObject([{ id: other }]);
    const viaIntegration = await newKey(s.db, s, { reach: "INTEGRATIONS", integrationIds: [s.integration.id] });
    expect(((await call(listRoute, { key: viaIntegration })).body.data as unknown[]).length).toBe(2);
    const second = await orgWithIntegration(s.db, keyring, `api-second-${randomBytes(2).toString("hex")}`);
    const elsewhere = await savedConnection(s.db, keyring, second);
    expect((await token(viaIntegration, elsewhere)).status).toBe(404);
    // …and within its reach the token call answers: the reach lists are matched, not only refused.
    expect((await token(viaIntegration, s.id)).status).toBe(200);
    const onlyMine = await newKey(s.db, s, { reach: "CONNECTIONS", connectionIds: [s.id] });
    expect((await token(onlyMine, s.id)).status).toBe(200);
    expect((await token(onlyMine, other)).status).toBe(404);
  });

  it("a key without a resource gets 403 for it; bad bodies get 400 naming the field and change nothing", async () => {
    const s = await connectedOrg();
    const graphOnly = await newKey(s.db, s, { resources: ["graph"] });
    const refused = await token(graphOnly, s.id, { resource: "outlook" });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: "resource_not_allowed", message: expect.stringMatching(/Outlook/) });
    for (const [body, field] of [[{ resource: "exchange" }, "resource"], [{}, "resource"], [{ resource: "graph", format: "sasl" }, "format"]] as const) {
      const r = await token(graphOnly, s.id, body);
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: "invalid_request", field });
    }
    const extra = await token(graphOnly, s.id, { resource: "graph", refresh_token: true });
    expect(extra.body.error).toMatchObject({ code: "invalid_request", message: expect.stringMatching(/refresh_token/) });
    expect((await token(graphOnly, s.id, "{not json")).body.error?.message).toMatch(/not valid JSON/);
    expect((await token(graphOnly, "not-a-uuid")).status).toBe(404);
  });
});

describe("token API: tokens", () => {
  it("hands out a cached token with at least 5 minutes left, the XOAUTH2 string on request, and the token works at Graph", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    const r = await token(key, s.id, { resource: "graph" });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const t = tokenSchema.parse(r.body);
    expect(t).toMatchObject({ token_type: "Bearer", mailbox: "adele@contoso.onmicrosoft.com", resource: "graph" });
    expect(Date.parse(t.expires_at) - Date.now()).toBeGreaterThan(5 * 60_000);
    expect(t.xoauth2).toBeUndefined();
    const me = await fetch(`${emu.http}/graph.microsoft.com/v1.0/me`, { headers: { authorization: `Bearer ${t.access_token}` } });
    expect(me.status).toBe(200);

    const x = tokenSchema.parse((await token(key, s.id, { resource: "outlook", format: "xoauth2" })).body);
    expect(x.resource).toBe("outlook");
    expect(Buffer.from(x.xoauth2!, "base64").toString()).toBe(`user=adele@contoso.onmicrosoft.com\x01auth=Bearer ${x.access_token}\x01\x01`);
    // Counted in the metrics, which never carry a token.
    expect(await counted("token", "ok")).toBeGreaterThanOrEqual(2);
    const exposition = await metrics().registry.metrics();
    expect(exposition).not.toContain(t.access_token);
    expect(exposition).not.toContain(x.access_token);
  });

  it("200 concurrent calls for a connection whose token just expired cause exactly one refresh, and all get that token", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    await expire(s.id);
    const before = await refreshTokensIssued();
    const answers = await Promise.all(Array.from({ length: 200 }, () => token(key, s.id)));
    expect(answers.filter((a) => a.status !== 200).map((a) => a.body)).toEqual([]);
    expect(await refreshTokensIssued()).toBe(before + 1);
    expect(new Set(answers.map((a) => a.body.access_token)).size).toBe(1);
    expect(await s.db.connectionEvent.count({ where: { connectionId: s.id, kind: "refreshed" } })).toBe(1);
  });

  it("a token handed out keeps the grant's inactivity clock running from now", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    const longAgo = new Date(Date.now() - 80 * 86_400_000);
    await s.db.connection.update({ where: { id: s.id }, data: { refreshTokenLastUsedAt: longAgo } });
    await expire(s.id);
    expect((await token(key, s.id)).status).toBe(200);
    const after = await s.db.connection.findUniqueOrThrow({ where: { id: s.id } });
    expect(after.refreshTokenLastUsedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a grant Microsoft refused answers 409 needs_reconsent with the diagnosis and the mailbox page; later calls too, without asking Microsoft", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    await expire(s.id);
    expect((await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" })).status).toBe(200);
    const r = await token(key, s.id);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: "needs_reconsent", diagnosis: { code: "AADSTS50173" }, mailbox_url: `http://localhost:3000/orgs/${s.org.slug}/mailboxes/${s.id}` });
    const before = await refreshTokensIssued();
    const again = await token(key, s.id);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe("needs_reconsent");
    expect(await refreshTokensIssued()).toBe(before);
    const detail = await call(oneRoute, { key, params: { id: s.id } });
    expect(connectionDetailSchema.parse(detail.body)).toMatchObject({ status: "needs_reconsent" });
  });

  it("Microsoft unavailable answers 503 with Retry-After; a connection whose integration lacks the resource answers 409", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s);
    await expire(s.id);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 503, retryAfterSeconds: 30, times: "untilCleared" })).status).toBeLessThan(300);
    const r = await token(key, s.id);
    expect(r.status).toBe(503);
    expect(r.headers.get("retry-after")).toBe("30");
    expect(r.body.error).toMatchObject({ code: "microsoft_unavailable", retry_after: 30 });
    await admin(emu.http, "DELETE", "/faults");
    expect((await token(key, s.id)).status).toBe(200);

    const graphOnly = await connectedOrg(["graph-read"]);
    const k2 = await newKey(graphOnly.db, graphOnly);
    const none = await token(k2, graphOnly.id, { resource: "outlook" });
    expect(none.status).toBe(409);
    expect(none.body.error?.code).toBe("resource_not_configured");
  });
});

describe("token API: listing", () => {
  it("pages by mailbox with a cursor, finds one mailbox, and refuses a bad cursor or limit by name", async () => {
    const s = await connectedOrg();
    for (const m of ["b@contoso.test", "c@contoso.test"]) await savedConnection(s.db, keyring, s, { mailbox: m });
    const key = await newKey(s.db, s);
    const first = connectionListSchema.parse((await call(listRoute, { key, query: "limit=2" })).body);
    expect(first.data.map((c) => c.mailbox)).toEqual(["adele@contoso.onmicrosoft.com", "b@contoso.test"]);
    const second = connectionListSchema.parse((await call(listRoute, { key, query: `limit=2&cursor=${first.next_cursor}` })).body);
    expect(second).toMatchObject({ data: [{ mailbox: "c@contoso.test" }], next_cursor: null });
    expect((await call(listRoute, { key, query: "mailbox=B@Contoso.test" })).body.data).toMatchObject([{ mailbox: "b@contoso.test", kind: "user", resources: ["graph", "outlook"] }]);
    expect((await call(listRoute, { key, query: "cursor=garbage" })).body.error).toMatchObject({ code: "invalid_request", field: "cursor" });
    expect((await call(listRoute, { key, query: "limit=500" })).body.error).toMatchObject({ code: "invalid_request", field: "limit" });
    expect((await call(listRoute, { key, query: "sort=mailbox" })).body.error?.message).toMatch(/sort/);
  });
});
