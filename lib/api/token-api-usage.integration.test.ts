import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import { call, newKey } from "@/test-support/api-fixtures";

// The token API's limits and records: rate limits per key and per connection (on PostgreSQL the
// shared store, in the PostgreSQL pass), use counted in the audit log per key, connection and
// hour without the token, and "check now" recorded as an API check.

const emu = setupTestEmulator({ resetEachTest: false });
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const state = vi.hoisted(() => ({ database: null as unknown, hostMap: undefined as unknown, limits: { MAILGRANT_API_RATE_PER_KEY: 8, MAILGRANT_API_RATE_PER_CONNECTION: 5 } }));
vi.mock("server-only", () => ({}));
vi.mock("@/lib/db", () => ({ database: async () => state.database, db: async () => (state.database as Database).prisma }));
vi.mock("@/lib/deployment", () => ({ appKeyring: () => keyring, publicUrl: () => "http://localhost:3000", deploymentHostMap: () => state.hostMap, mailHostSettings: () => undefined }));
vi.mock("@/lib/env", async (original) => ({ ...(await original<typeof import("@/lib/env")>()), env: () => state.limits }));

const tokenRoute = (await import("@/app/api/v1/connections/[id]/token/route")).POST;
const listRoute = (await import("@/app/api/v1/connections/route")).GET;
const checkRoute = (await import("@/app/api/v1/connections/[id]/check/route")).POST;
const { checkResultSchema } = await import("./schemas");
const { stopApiProcess } = await import("./handler");
const { TOKENS_ISSUED } = await import("@/lib/api-keys/usage");

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
  state.database = database;
  // HTTPS: the Graph client sends its Authorization header only to https hosts (as at Microsoft).
  state.hostMap = hostMapFromBase(emu.httpsUrl);
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
});
afterAll(async () => {
  await stopApiProcess();
  await database.close();
});

let n = 0;
async function connectedOrg() {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `api-use-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["graph-read"] });
  const id = await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
  return { ...s, id };
}
const token = (key: string, id: string, ip = "203.0.113.7") => call(tokenRoute, { key, params: { id }, body: { resource: "graph" }, ip });
/** The counted uses reach the database (the route's recorder writes every few seconds otherwise). */
const flush = async () => (globalThis as unknown as { __mailgrantApiUsage?: { flush(): Promise<void> } }).__mailgrantApiUsage?.flush();

describe("token API: rate limits", () => {
  it("a connection's limit holds across keys, a key's limit across connections, both with Retry-After", async () => {
    const s = await connectedOrg();
    const [k1, k2] = [await newKey(s.db, s, { name: "one" }), await newKey(s.db, s, { name: "two" })];
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await token(k1, s.id)).status, (await token(k2, s.id)).status);
    // 5 per connection per minute: the sixth call, whichever key makes it, is refused.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const refused = await token(k1, s.id);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "rate_limited", message: expect.stringMatching(/connection/) });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);

    // k1 has made 4 calls; listing counts against the key too: 8 per minute.
    const more = [];
    for (let i = 0; i < 5; i += 1) more.push((await call(listRoute, { key: k1 })).status);
    expect(more).toEqual([200, 200, 200, 200, 429]);
    expect((await call(listRoute, { key: k1 })).body.error?.message).toMatch(/API key/);
    // On PostgreSQL the counts are in the shared table, where every web process sees them.
    if (database.kind === "postgres") expect(await s.db.rateLimit.count({ where: { key: { startsWith: "api_conn:" } } })).toBeGreaterThan(0);
  });

  it("an address sending bad keys is refused before any lookup once it has sent too many", async () => {
    const statuses = [];
    for (let i = 0; i < 32; i += 1) statuses.push((await call(listRoute, { key: `mgk_${"B".repeat(48)}`, ip: "198.51.100.9" })).status);
    expect(statuses.slice(0, 30).every((st) => st === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    expect((await call(listRoute, { key: `mgk_${"B".repeat(48)}`, ip: "198.51.100.10" })).status).toBe(401);
  });
});

describe("token API: audit", () => {
  it("tokens handed out are one audit row per key, connection and hour, with counts, addresses and the key; never the token", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s, { name: "Counted" });
    const handed: string[] = [];
    for (const ip of ["203.0.113.1", "203.0.113.2", "203.0.113.1"]) handed.push(String((await token(key, s.id, ip)).body.access_token));
    await flush();
    await token(key, s.id, "203.0.113.3");
    await flush();
    const rows = await s.db.auditEvent.findMany({ where: { orgId: s.org.id, action: TOKENS_ISSUED } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ targetType: "connection", targetId: s.id, actorId: null, actorEmail: expect.stringMatching(/^API key "Counted" \(mgk_/), ip: "203.0.113.3" });
    expect(rows[0]!.data).toMatchObject({ count: 4, resources: { graph: 4 }, ips: ["203.0.113.1", "203.0.113.2", "203.0.113.3"], apiKeyName: "Counted" });
    const everything = JSON.stringify(await s.db.auditEvent.findMany({ where: { orgId: s.org.id } }));
    for (const t of new Set(handed)) expect(everything).not.toContain(t);
    const k = await s.db.apiKey.findFirstOrThrow({ where: { orgId: s.org.id, name: "Counted" } });
    expect(k).toMatchObject({ lastUsedIp: "203.0.113.3" });
    expect(k.lastUsedAt).not.toBeNull();
  });

  it("check now runs the test, answers its steps, records an API check and audits it as the key", async () => {
    const s = await connectedOrg();
    const key = await newKey(s.db, s, { name: "Checker" });
    const r = await call(checkRoute, { key, params: { id: s.id }, method: "POST" });
    expect(r.status).toBe(200);
    const result = checkResultSchema.parse(r.body);
    expect(result.steps.filter((st) => st.status === "failed")).toEqual([]);
    expect(result).toMatchObject({ ok: true, health: "healthy" });
    expect(result.steps.map((st) => [st.id, st.status])).toContainEqual(["graph-me", "ok"]);
    expect(await s.db.check.findFirst({ where: { connectionId: s.id }, select: { trigger: true } })).toEqual({ trigger: "API" });
    const audit = await s.db.auditEvent.findFirstOrThrow({ where: { orgId: s.org.id, action: "connection.tested" } });
    expect(audit).toMatchObject({ targetId: s.id, actorEmail: expect.stringMatching(/^API key "Checker"/) });
  });
});
