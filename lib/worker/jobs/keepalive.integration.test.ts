import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { inactivityDeadline } from "@/lib/connections/inactivity";
import type { TokenDeps } from "@/lib/connections/tokens";
import { KEEPALIVE_RETRY_AFTER_MS, keepAliveResource, keepAliveSweep } from "./keepalive";

// The keep-alive against the emulator: an idle grant is refreshed (its 90-day clock restarts)
// long before Microsoft would drop it, a recently used one is left alone, and a transient fault
// never costs the grant its status.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const DAY = 86_400_000;

let database: Database;
let deps: TokenDeps;
beforeAll(async () => {
  database = await openTestDb();
  deps = { db: database.prisma, keyring, hostMap: hostMapFromBase(emu.http), sleep: async () => {} };
});
afterAll(async () => { await database.close(); });
beforeEach(async () => {
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
});

let n = 0;
/** A real connection through the consent flow whose refresh token was last used `idleDays` ago. */
async function connectedIdle(idleDays: number, over: { purposes?: string[]; keepAliveDays?: number } = {}) {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `keepalive-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, ...(over.purposes ? { purposes: over.purposes } : {}) });
  if (over.keepAliveDays) await s.db.org.update({ where: { id: s.org.id }, data: { keepAliveDays: over.keepAliveDays } });
  const id = await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
  const lastUsed = new Date(Date.now() - idleDays * DAY);
  await s.db.connection.update({ where: { id }, data: { refreshTokenLastUsedAt: lastUsed } });
  return { ...s, id, lastUsed };
}

const row = (id: string) => database.prisma.connection.findUniqueOrThrow({ where: { id } });

describe("keep-alive", () => {
  it("refreshes a grant idle for 8 days (its deadline moves ~90 days out) and leaves one used yesterday", async () => {
    const idle = await connectedIdle(8);
    const fresh = await connectedIdle(1);
    const before = Date.now();
    const r = await keepAliveSweep(deps);
    expect(r).toEqual({ considered: 1, refreshed: 1, failed: 0 });

    const idleRow = await row(idle.id);
    expect(idleRow.status).toBe("CONNECTED");
    expect(idleRow.refreshTokenLastUsedAt!.getTime()).toBeGreaterThanOrEqual(before);
    expect(inactivityDeadline(idleRow.refreshTokenLastUsedAt)!.getTime() - before).toBeGreaterThanOrEqual(90 * DAY);
    expect(await database.prisma.connectionEvent.count({ where: { connectionId: idle.id, kind: "refreshed", resource: "graph" } })).toBeGreaterThanOrEqual(1);

    expect((await row(fresh.id)).refreshTokenLastUsedAt).toEqual(fresh.lastUsed);
    // Nothing is due any more.
    expect(await keepAliveSweep(deps)).toEqual({ considered: 0, refreshed: 0, failed: 0 });
  });

  it("uses each org's keep-alive age, the integration's resource, and takes the oldest first up to the limit", async () => {
    const patient = await connectedIdle(8, { keepAliveDays: 30 });
    const imapOnly = await connectedIdle(20, { purposes: ["imap"] });
    const older = await connectedIdle(40);
    const r = await keepAliveSweep(deps, { limit: 1 });
    expect(r).toEqual({ considered: 1, refreshed: 1, failed: 0 });
    expect((await row(older.id)).refreshTokenLastUsedAt!.getTime()).toBeGreaterThan(older.lastUsed.getTime());
    expect((await row(imapOnly.id)).refreshTokenLastUsedAt).toEqual(imapOnly.lastUsed);

    expect(await keepAliveSweep(deps)).toEqual({ considered: 1, refreshed: 1, failed: 0 });
    const outlook = await database.prisma.connectionEvent.findFirst({ where: { connectionId: imapOnly.id, kind: "refreshed" }, orderBy: { createdAt: "desc" } });
    expect(outlook?.resource).toBe("outlook");
    // 8 days idle in an org that keeps alive after 30: not yet.
    expect((await row(patient.id)).refreshTokenLastUsedAt).toEqual(patient.lastUsed);
    expect(keepAliveResource(["graph-read", "smtp"])).toBe("graph");
  });

  it("a transient token fault leaves the grant CONNECTED; it is tried again an hour later and then refreshed", async () => {
    const c = await connectedIdle(10);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", drop: true, grantType: "refresh_token", times: 3 })).status).toBe(201);
    const r = await keepAliveSweep({ ...deps, maxAttempts: 3 });
    expect(r).toEqual({ considered: 1, refreshed: 0, failed: 1 });
    const failed = await row(c.id);
    expect(failed.status).toBe("CONNECTED");
    expect(failed.refreshTokenLastUsedAt).toEqual(c.lastUsed);
    expect(failed.lastFailure).toMatchObject({ classification: "transient" });

    // Not retried at once (a failing grant would crowd out the rest of the queue)…
    expect(await keepAliveSweep(deps)).toEqual({ considered: 0, refreshed: 0, failed: 0 });
    // …but once the pause has passed.
    const later = new Date(Date.now() + KEEPALIVE_RETRY_AFTER_MS + 60_000);
    expect(await keepAliveSweep(deps, { now: later })).toEqual({ considered: 1, refreshed: 1, failed: 0 });
    const recovered = await row(c.id);
    expect(recovered).toMatchObject({ status: "CONNECTED", lastFailure: null, refreshFailingSince: null });
  });

  it("a throttled token endpoint with a long Retry-After fails the keep-alive without sleeping and without touching the status", async () => {
    const c = await connectedIdle(9);
    const slept: number[] = [];
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", status: 429, retryAfterSeconds: 300, grantType: "refresh_token", times: 1 })).status).toBe(201);
    const r = await keepAliveSweep({ ...deps, sleep: async (ms) => { slept.push(ms); } });
    expect(r).toEqual({ considered: 1, refreshed: 0, failed: 1 });
    expect(slept).toEqual([]);
    expect(await row(c.id)).toMatchObject({ status: "CONNECTED", lastFailure: expect.objectContaining({ classification: "transient", retryAfterSeconds: 300 }) });
  });
});
