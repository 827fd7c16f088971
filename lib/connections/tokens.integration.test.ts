import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { readRefreshToken } from "./connections";
import { getAccessToken, type TokenDeps } from "./tokens";

// The token lifecycle against the emulator: one refresh for any number of concurrent callers,
// compare-and-set of the rotated refresh token, and what each kind of failure does to the status.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });
beforeEach(async () => {
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
});

let n = 0;
/** A real connection for Adele through the consent flow, with its cached tokens expired. */
async function connected() {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `tokens-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret });
  const id = await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
  await s.db.connectionAccessToken.updateMany({ where: { connectionId: id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  const deps: TokenDeps = { db: s.db, keyring, hostMap: hostMapFromBase(emu.http), sleep: async () => {} };
  return { ...s, id, deps };
}

async function refreshTokensIssued(): Promise<number> {
  const { body } = await admin(emu.http, "GET", "/state");
  return (body.refreshTokens as unknown[]).length;
}

describe("access tokens", () => {
  it("50 concurrent requests in separate 'processes' for an expired connection cause exactly one token call", async () => {
    const c = await connected();
    const before = await refreshTokensIssued();
    const results = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(c.deps, c.org.id, c.id, "graph", { shareInProcess: false })));
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(await refreshTokensIssued()).toBe(before + 1);
    const tokens = new Set(results.map((r) => (r.ok ? r.value.token : "")));
    expect(tokens.size).toBe(1);
    expect(results.filter((r) => r.ok && !r.value.fromCache)).toHaveLength(1);
    expect(await c.db.connectionEvent.count({ where: { connectionId: c.id, kind: "refreshed" } })).toBe(1);
  });

  it("50 separate 'processes' waiting for a refresher whose grant was revoked get its answer instead of asking Microsoft again", async () => {
    const c = await connected();
    expect((await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" })).status).toBe(200);
    const results = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(c.deps, c.org.id, c.id, "graph", { shareInProcess: false })));
    expect(results.filter((r) => r.ok || r.classification !== "needs_reconsent" || r.failure.code !== "AADSTS50173")).toEqual([]);
    // Each refresh that reaches Microsoft records its failure: one event, one token call.
    expect(await c.db.connectionEvent.count({ where: { connectionId: c.id, kind: "refresh_failed" } })).toBe(1);
    expect((await c.db.connection.findUniqueOrThrow({ where: { id: c.id } })).refreshLeaseUntil).toBeNull();
  });

  it("50 concurrent requests in one process share one refresh; later calls use the cache", async () => {
    const c = await connected();
    const before = await refreshTokensIssued();
    const results = await Promise.all(Array.from({ length: 50 }, () => getAccessToken(c.deps, c.org.id, c.id, "outlook")));
    expect(await refreshTokensIssued()).toBe(before + 1);
    expect(results.every((r) => r.ok)).toBe(true);
    const again = await getAccessToken(c.deps, c.org.id, c.id, "outlook");
    expect(again.ok && again.value.fromCache).toBe(true);
    expect(await refreshTokensIssued()).toBe(before + 1);
  });

  it("stores the rotated refresh token with compare-and-set and records the use", async () => {
    const c = await connected();
    const old = await readRefreshToken(c.db, keyring, c.org.id, c.id);
    expect((await getAccessToken(c.deps, c.org.id, c.id, "graph")).ok).toBe(true);
    const now = await readRefreshToken(c.db, keyring, c.org.id, c.id);
    expect(now?.version).toBe(old!.version + 1);
    expect(now?.token).not.toBe(old?.token);
    const row = await c.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    // One refresh, one moment: the refresh, the use of the old token and the new token's issue.
    expect(row.lastRefreshedAt).toBeInstanceOf(Date);
    expect(row).toMatchObject({ refreshTokenLastUsedAt: row.lastRefreshedAt, refreshTokenIssuedAt: row.lastRefreshedAt, refreshLeaseUntil: null, refreshLeaseOwner: null });
  });

  it("a crash between receiving and storing a rotated refresh token loses nothing", async () => {
    const c = await connected();
    // A refresher that got Microsoft's answer and died before storing it: the rotated token is lost.
    const stored = await readRefreshToken(c.db, keyring, c.org.id, c.id);
    const { refreshAccessToken, tenantIssuer } = await import("@/lib/microsoft/oauth-client");
    const base = `${emu.http}/login.microsoftonline.com/contoso.onmicrosoft.com`;
    const lost = await refreshAccessToken({ tokenEndpoint: `${base}/oauth2/v2.0/token`, issuer: await tenantIssuer(base, SEED.contosoId), clientId: HELPDESK.clientId, credential: { kind: "secret", secret: HELPDESK.secret }, refreshToken: stored!.token, scope: "https://graph.microsoft.com/Mail.Read offline_access" });
    expect(lost.ok).toBe(true);
    // A lease left behind by the dead refresher runs out; the previous refresh token still works.
    await c.db.connection.update({ where: { id: c.id }, data: { refreshLeaseUntil: new Date(Date.now() - 1), refreshLeaseOwner: "crashed" } });
    const r = await getAccessToken(c.deps, c.org.id, c.id, "graph");
    expect(r.ok).toBe(true);
    expect((await readRefreshToken(c.db, keyring, c.org.id, c.id))?.version).toBe(stored!.version + 1);
  });

  it("a transient failure is retried and never changes the status", async () => {
    const c = await connected();
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", drop: true, grantType: "refresh_token", times: 3 })).status).toBe(201);
    const r = await getAccessToken({ ...c.deps, maxAttempts: 3 }, c.org.id, c.id, "graph");
    expect(r).toMatchObject({ ok: false, classification: "transient" });
    const row = await c.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe("CONNECTED");
    expect(row.lastFailure).toMatchObject({ classification: "transient" });
    // With attempts left, the retry succeeds.
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", drop: true, grantType: "refresh_token", times: 1 })).status).toBe(201);
    expect((await getAccessToken({ ...c.deps, maxAttempts: 3 }, c.org.id, c.id, "graph")).ok).toBe(true);
    expect((await c.db.connection.findUniqueOrThrow({ where: { id: c.id } })).lastFailure).toBeNull();
  });

  it("a revoked grant (50173) turns the connection into needs re-consent, with the reason", async () => {
    const c = await connected();
    expect((await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" })).status).toBe(200);
    const r = await getAccessToken(c.deps, c.org.id, c.id, "graph");
    expect(r).toMatchObject({ ok: false, classification: "needs_reconsent", failure: { code: "AADSTS50173" } });
    const row = await c.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe("NEEDS_RECONSENT");
    expect(row.statusReason).toContain("AADSTS50173");
    const events = await c.db.connectionEvent.findMany({ where: { connectionId: c.id } });
    expect(events).toEqual([expect.objectContaining({ kind: "refresh_failed", classification: "needs_reconsent", code: "AADSTS50173" })]);
    expect(JSON.stringify([row, events])).not.toMatch(/1\.A[A-Za-z0-9_-]{40}/);
  });

  it("a throttled refresh waits the Retry-After Microsoft sent (429 and 503), then succeeds", async () => {
    const c = await connected();
    const slept: number[] = [];
    const deps: TokenDeps = { ...c.deps, maxAttempts: 3, sleep: async (ms) => { slept.push(ms); } };
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 429, retryAfterSeconds: 3, grantType: "refresh_token", times: 1 })).status).toBe(201);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 503, retryAfterSeconds: 2, grantType: "refresh_token", times: 1 })).status).toBe(201);
    const r = await getAccessToken(deps, c.org.id, c.id, "graph");
    expect(r.ok).toBe(true);
    // Both throttles were matched (in either order), and each wait was the one asked for.
    expect([...slept].sort()).toEqual([2000, 3000]);
    expect((await c.db.connection.findUniqueOrThrow({ where: { id: c.id } })).lastFailure).toBeNull();
  });

  it("a Retry-After too long to wait inside a request comes back as retryAfterSeconds, without sleeping or changing the status", async () => {
    const c = await connected();
    const slept: number[] = [];
    const deps: TokenDeps = { ...c.deps, maxAttempts: 3, sleep: async (ms) => { slept.push(ms); } };
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 429, retryAfterSeconds: 120, grantType: "refresh_token", times: 1 })).status).toBe(201);
    const r = await getAccessToken(deps, c.org.id, c.id, "graph");
    expect(r).toMatchObject({ ok: false, classification: "transient", failure: { code: "temporarily_unavailable", httpStatus: 429, retryAfterSeconds: 120 } });
    expect(slept).toEqual([]);
    const row = await c.db.connection.findUniqueOrThrow({ where: { id: c.id } });
    expect(row.status).toBe("CONNECTED");
    expect(row.lastFailure).toMatchObject({ classification: "transient", retryAfterSeconds: 120 });
    // The fault was used once: one token call, no retry behind Microsoft's back.
    const { body } = await admin(emu.http, "GET", "/faults");
    expect(JSON.stringify(body)).not.toContain('"retryAfterSeconds":120');
  });
});
