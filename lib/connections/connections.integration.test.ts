import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { disconnectConnection, displayStatus, getConnection, listConnections, readAccessToken, readRefreshToken, saveConnection, storeRotatedRefreshToken, type SaveConnectionInput } from "./connections";
import { consumeAuthorizationRequest, createAuthorizationRequest, FLOW_TTL_MS, getFlowForBrowser, newBrowserId } from "./flow-state";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

const setup = (slug: string) => orgWithIntegration(database.prisma, keyring, slug);

const refreshToken = () => `1.AXYZ${randomBytes(60).toString("base64url")}`;

function grant(orgId: string, integrationId: string, over: Partial<SaveConnectionInput> = {}): SaveConnectionInput {
  return {
    orgId, integrationId, mailbox: "Megan@Contoso.onmicrosoft.com", mailboxKind: "USER", tenantId: crypto.randomUUID(), objectId: crypto.randomUUID(), upn: "megan@contoso.onmicrosoft.com",
    displayName: "Megan Bowen", consentType: "USER", requestedScopes: ["openid", "https://graph.microsoft.com/Mail.Read"], grantedScopes: ["https://graph.microsoft.com/Mail.Read", "offline_access"],
    consentedConfigVersion: 1, refreshToken: refreshToken(), accessTokens: [{ resource: "graph", token: `eyJ.${randomBytes(40).toString("base64url")}`, scopes: ["Mail.Read"], expiresAt: new Date(Date.now() + 3600_000) }],
    connectedById: null, ...over,
  };
}

describe("grant store", () => {
  it("stores refresh and access tokens encrypted: no row, list or audit event contains them", async () => {
    const { db, org, integration, owner } = await setup("grant-enc");
    const input = grant(org.id, integration.id);
    const saved = await saveConnection(db, keyring, input, owner);
    const rows = JSON.stringify([await db.connection.findMany(), await db.connectionAccessToken.findMany(), await db.auditEvent.findMany({ where: { orgId: org.id } })]);
    expect(rows).not.toContain(input.refreshToken);
    expect(rows).not.toContain(input.accessTokens[0]!.token);
    const row = await db.connection.findUniqueOrThrow({ where: { id: saved.id } });
    expect(row.refreshTokenEncrypted).toMatch(/"kid":"k1"/);
    expect(JSON.stringify(await listConnections(db, org.id))).not.toContain("refreshTokenEncrypted");
    expect((await readRefreshToken(db, keyring, org.id, saved.id))?.token).toBe(input.refreshToken);
    expect((await readAccessToken(db, keyring, org.id, saved.id, "graph"))?.token).toBe(input.accessTokens[0]!.token);
    // The envelope is bound to its row: copied onto another connection it does not decrypt.
    const other = await saveConnection(db, keyring, grant(org.id, integration.id, { mailbox: "lee@contoso.onmicrosoft.com" }), owner);
    await db.connection.update({ where: { id: other.id }, data: { refreshTokenEncrypted: row.refreshTokenEncrypted } });
    await expect(readRefreshToken(db, keyring, org.id, other.id)).rejects.toThrow();
  });

  it("connecting the same mailbox again updates the connection in place (case-insensitive address)", async () => {
    const { db, org, integration, owner } = await setup("grant-upsert");
    const first = await saveConnection(db, keyring, grant(org.id, integration.id), owner);
    const again = grant(org.id, integration.id, { mailbox: "megan@contoso.onmicrosoft.com", consentType: "ADMIN" });
    const second = await saveConnection(db, keyring, again, owner);
    expect(second).toEqual({ id: first.id, updated: true });
    const list = await listConnections(db, org.id);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ mailbox: "megan@contoso.onmicrosoft.com", consentType: "ADMIN", refreshTokenVersion: 2 });
    expect((await readRefreshToken(db, keyring, org.id, first.id))?.token).toBe(again.refreshToken);
    const actions = (await db.auditEvent.findMany({ where: { orgId: org.id, targetType: "connection" }, orderBy: { createdAt: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["connection.created", "connection.reconsented"]);
  });

  it("compare-and-set: a rotated refresh token never replaces a newer one", async () => {
    const { db, org, integration, owner } = await setup("grant-cas");
    const saved = await saveConnection(db, keyring, grant(org.id, integration.id), owner);
    const read = (await readRefreshToken(db, keyring, org.id, saved.id))!;
    const newer = refreshToken();
    const older = refreshToken();
    expect(await storeRotatedRefreshToken(db, keyring, { orgId: org.id, id: saved.id, expectedVersion: read.version, refreshToken: newer })).toBe(true);
    // A second refresh that read the same old version loses: the newer token stays.
    expect(await storeRotatedRefreshToken(db, keyring, { orgId: org.id, id: saved.id, expectedVersion: read.version, refreshToken: older })).toBe(false);
    expect(await readRefreshToken(db, keyring, org.id, saved.id)).toEqual({ token: newer, version: read.version + 1 });
  });

  it("a member of another org can neither see nor touch the connections", async () => {
    const a = await setup("grant-iso-a");
    const b = await setup("grant-iso-b");
    const saved = await saveConnection(a.db, keyring, grant(a.org.id, a.integration.id), a.owner);
    expect(await listConnections(b.db, b.org.id)).toEqual([]);
    expect(await getConnection(b.db, b.org.id, saved.id)).toBeNull();
    expect(await readRefreshToken(b.db, keyring, b.org.id, saved.id)).toBeNull();
    expect(await readAccessToken(b.db, keyring, b.org.id, saved.id, "graph")).toBeNull();
    expect(await storeRotatedRefreshToken(b.db, keyring, { orgId: b.org.id, id: saved.id, expectedVersion: 1, refreshToken: refreshToken() })).toBe(false);
    await expect(disconnectConnection(b.db, b.org.id, b.owner, saved.id)).rejects.toThrow(/does not exist/);
    expect(await getConnection(a.db, a.org.id, saved.id)).toMatchObject({ id: saved.id, orgId: a.org.id });
  });

  it("disconnect deletes the grant and its cached tokens, and records who did it", async () => {
    const { db, org, integration, owner } = await setup("grant-del");
    const saved = await saveConnection(db, keyring, grant(org.id, integration.id), owner);
    await disconnectConnection(db, org.id, owner, saved.id);
    expect(await db.connection.findUnique({ where: { id: saved.id } })).toBeNull();
    expect(await db.connectionAccessToken.count({ where: { connectionId: saved.id } })).toBe(0);
    expect(await db.auditEvent.findFirst({ where: { orgId: org.id, action: "connection.disconnected" } })).toMatchObject({ actorId: owner.id, targetId: saved.id });
  });

  it("shows needs re-consent when the integration changed after the consent", async () => {
    const { db, org, integration, owner } = await setup("grant-version");
    const saved = await saveConnection(db, keyring, grant(org.id, integration.id), owner);
    expect(displayStatus((await getConnection(db, org.id, saved.id))!)).toBe("connected");
    await db.integration.update({ where: { id: integration.id }, data: { configVersion: 2 } });
    expect(displayStatus((await getConnection(db, org.id, saved.id))!)).toBe("needs_reconsent");
  });
});

describe("authorization state", () => {
  async function start(slug: string, now = new Date()) {
    const s = await setup(slug);
    const browserId = newBrowserId();
    const flow = await createAuthorizationRequest(s.db, keyring, { kind: "CONNECT", orgId: s.org.id, integrationId: s.integration.id, requestedScopes: ["openid"], configVersion: 1, browserId }, now);
    return { ...s, browserId, flow };
  }

  it("stores only the state's hash and an encrypted PKCE verifier", async () => {
    const { db, flow } = await start("flow-hash");
    const row = await db.authorizationRequest.findUniqueOrThrow({ where: { id: flow.id } });
    expect(JSON.stringify(row)).not.toContain(flow.state);
    expect(row.codeVerifierEncrypted).toMatch(/"kid":"k1"/);
  });

  it("is consumed once, by the browser that started it", async () => {
    const { db, flow, browserId } = await start("flow-once");
    expect(await consumeAuthorizationRequest(db, keyring, flow.state, newBrowserId())).toEqual({ ok: false, problem: "state_browser" });
    expect(await consumeAuthorizationRequest(db, keyring, flow.state, undefined)).toEqual({ ok: false, problem: "state_browser" });
    const ok = await consumeAuthorizationRequest(db, keyring, flow.state, browserId);
    expect(ok.ok && ok.flow.codeVerifier.length).toBeGreaterThanOrEqual(43);
    expect(await consumeAuthorizationRequest(db, keyring, flow.state, browserId)).toMatchObject({ ok: false, problem: "state_used", flowId: flow.id });
  });

  it("refuses a missing, tampered or expired state", async () => {
    const { db, flow, browserId } = await start("flow-bad", new Date(Date.now() - FLOW_TTL_MS - 1000));
    expect(await consumeAuthorizationRequest(db, keyring, null, browserId)).toEqual({ ok: false, problem: "state_missing" });
    expect(await consumeAuthorizationRequest(db, keyring, `${flow.state}x`, browserId)).toEqual({ ok: false, problem: "state_unknown" });
    expect(await consumeAuthorizationRequest(db, keyring, flow.state, browserId)).toMatchObject({ ok: false, problem: "state_expired" });
  });

  it("two racing callbacks: exactly one wins", async () => {
    const { db, flow, browserId } = await start("flow-race");
    const results = await Promise.all([1, 2, 3].map(() => consumeAuthorizationRequest(db, keyring, flow.state, browserId)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it("shows a flow's result only to its own browser", async () => {
    const { db, flow, browserId } = await start("flow-result");
    expect(await getFlowForBrowser(db, flow.id, browserId)).toMatchObject({ id: flow.id });
    expect(await getFlowForBrowser(db, flow.id, newBrowserId())).toBeNull();
    expect(await getFlowForBrowser(db, flow.id, undefined)).toBeNull();
  });
});

describe("key rotation", () => {
  it("moves refresh and access tokens to the newest key; they still decrypt; a second run changes nothing", async () => {
    const { reencryptConnections } = await import("./reencrypt-tokens");
    const { parseEnvelope } = await import("@/lib/crypto");
    const { db, org, integration, owner } = await setup("grant-rotate");
    const input = grant(org.id, integration.id);
    const saved = await saveConnection(db, keyring, input, owner);
    const misplaced = await saveConnection(db, keyring, grant(org.id, integration.id, { mailbox: "copied@contoso.onmicrosoft.com" }), owner);
    const source = await db.connection.findUniqueOrThrow({ where: { id: saved.id } });
    await db.connection.update({ where: { id: misplaced.id }, data: { refreshTokenEncrypted: source.refreshTokenEncrypted } });
    const rotated = parseKeyring(`k2:${randomBytes(32).toString("base64")},k1:${keyring.current.key.toString("base64")}`);
    // Other tests' rows share this database; the misplaced envelope is counted, not fatal.
    const first = await reencryptConnections(db, rotated);
    expect(first.reencrypted).toBeGreaterThanOrEqual(2);
    expect(first.unreadable).toBeGreaterThanOrEqual(1);
    const row = await db.connection.findUniqueOrThrow({ where: { id: saved.id } });
    expect(parseEnvelope(row.refreshTokenEncrypted!).kid).toBe("k2");
    const onlyNew = parseKeyring(`k2:${rotated.current.key.toString("base64")}`);
    expect((await readRefreshToken(db, onlyNew, org.id, saved.id))?.token).toBe(input.refreshToken);
    expect((await readAccessToken(db, onlyNew, org.id, saved.id, "graph"))?.token).toBe(input.accessTokens[0]!.token);
    expect((await reencryptConnections(db, rotated)).reencrypted).toBe(0);
  });
});
