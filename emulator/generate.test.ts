import { describe, expect, it } from "vitest";
import { RingBuffer } from "./collections";
import { EmulatorState, MAIL_LOG_CAPACITY, REFRESH_INACTIVITY_MS, REFRESH_TOKEN_RETENTION_MS } from "./state";
import { GLOBAL, admin, setupTestEmulator, token } from "./test-support";

const emu = setupTestEmulator();

interface Generated {
  seed: string;
  app: { clientId: string; secret: string; homeTenantId: string };
  tenants: { id: string; domain: string; apps: { clientId: string; secret: string }[]; users: { id: string; upn: string }[] }[];
  counts: { tenants: number; users: number; apps: number; mailboxes: number };
}

async function generate(body: Record<string, unknown>): Promise<Generated> {
  const res = await admin(emu.http, "POST", "/generate", body);
  expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(201);
  return res.body as unknown as Generated;
}

describe("POST /_emulator/generate", () => {
  it("is deterministic: the same seed gives the same ids, domains and secrets; another seed others", async () => {
    const first = await generate({ tenants: 3, usersPerTenant: 4, seed: "bench-1" });
    expect(first.counts).toEqual({ tenants: 3, users: 12, apps: 4, mailboxes: 12 });
    expect((await admin(emu.http, "POST", "/generate", { tenants: 3, usersPerTenant: 4, seed: "bench-1" })).status).toBe(409);
    await admin(emu.http, "POST", "/reset");
    const again = await generate({ tenants: 3, usersPerTenant: 4, seed: "bench-1" });
    expect(again).toEqual(first);
    const other = await generate({ tenants: 3, usersPerTenant: 4, seed: "bench-2" });
    expect(other.tenants[0]!.id).not.toBe(first.tenants[0]!.id);
    expect(other.app.clientId).not.toBe(first.app.clientId);
    // Both seeds live side by side, as real tenants and users of the emulator.
    const box = await admin(emu.http, "GET", `/mailboxes/${encodeURIComponent(first.tenants[2]!.users[3]!.upn)}`);
    expect(box.body).toMatchObject({ kind: "user", inbox: [expect.objectContaining({ subject: expect.any(String) })] });
  });

  it("validates the request", async () => {
    expect((await admin(emu.http, "POST", "/generate", { tenants: 0, usersPerTenant: 1, seed: "x" })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/generate", { tenants: 1, usersPerTenant: 1 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/generate", { tenants: 1000, usersPerTenant: 1000, seed: "x" })).status).toBe(400);
  });

  it("seeds 10,000 users and mints a grant for each, redeemable at the token endpoint", async () => {
    const gen = await generate({ tenants: 100, usersPerTenant: 100, seed: "ten-thousand", inboxCount: 0, appsPerTenant: 0 });
    expect(gen.counts.users).toBe(10_000);
    const res = await admin(emu.http, "POST", "/grants", {
      clientId: gen.app.clientId,
      tenants: gen.tenants.map((t) => t.id),
      scopes: "openid https://outlook.office.com/IMAP.AccessAsUser.All",
    });
    expect(res.status).toBe(201);
    const grants = res.body.grants as { upn: string; tenantId: string; refreshToken: string }[];
    expect(grants).toHaveLength(10_000);
    expect(new Set(grants.map((g) => g.refreshToken)).size).toBe(10_000);
    expect(res.body.scopes).toContain("offline_access");

    for (const g of [grants[0]!, grants[9_999]!]) {
      const redeemed = await token(
        emu.http,
        { grant_type: "refresh_token", client_id: gen.app.clientId, client_secret: gen.app.secret, refresh_token: g.refreshToken },
        { tenant: g.tenantId },
      );
      expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
      expect(String(redeemed.body.scope).split(" ")).toContain("https://outlook.office.com/IMAP.AccessAsUser.All");
      expect(redeemed.body.refresh_token).toEqual(expect.any(String));
    }
    // The consent was recorded too: the user's record covers the scope.
    const consents = await admin(emu.http, "GET", `/consents?clientId=${gen.app.clientId}&upn=${encodeURIComponent(grants[5]!.upn)}`);
    expect(consents.body).toMatchObject([{ scopes: expect.arrayContaining(["https://outlook.office.com/imap.accessasuser.all"]) }]);

    // Revoking a tenant's consents revokes the grants they back (100 minted + 1 rotated above), and only those.
    const revoked = await admin(emu.http, "DELETE", `/consents?clientId=${gen.app.clientId}&tenant=${gen.tenants[0]!.id}`);
    expect(revoked.body).toEqual({ revoked: 100, refreshTokensRevoked: 101 });
    const refresh = (g: { refreshToken: string; tenantId: string }) =>
      token(emu.http, { grant_type: "refresh_token", client_id: gen.app.clientId, client_secret: gen.app.secret, refresh_token: g.refreshToken }, { tenant: g.tenantId });
    expect((await refresh(grants[1]!)).body.error_codes).toEqual([50173]);
    expect((await refresh(grants[100]!)).status).toBe(200);
  });

  it("mints grants for named users of a single-tenant app, and refuses what a sign-in would refuse", async () => {
    const gen = await generate({ tenants: 2, usersPerTenant: 2, seed: "named" });
    const own = gen.tenants[0]!;
    const res = await admin(emu.http, "POST", "/grants", { clientId: own.apps[0]!.clientId, users: own.users.map((u) => u.upn), scopes: ["Mail.Read"], consent: false });
    expect(res.status).toBe(201);
    const [g] = res.body.grants as { refreshToken: string }[];
    const redeemed = await token(emu.http, { grant_type: "refresh_token", client_id: own.apps[0]!.clientId, client_secret: own.apps[0]!.secret, refresh_token: g!.refreshToken }, { tenant: own.domain });
    expect(redeemed.status).toBe(200);
    expect(await admin(emu.http, "GET", `/consents?clientId=${own.apps[0]!.clientId}`)).toMatchObject({ body: [] });

    const elsewhere = await admin(emu.http, "POST", "/grants", { clientId: own.apps[0]!.clientId, users: [gen.tenants[1]!.users[0]!.upn], scopes: "Mail.Read" });
    expect(elsewhere).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/^clientId: .*not available/) } } });
    const badScope = await admin(emu.http, "POST", "/grants", { clientId: gen.app.clientId, users: [own.users[0]!.upn], scopes: "https://graph.microsoft.us/Mail.Read" });
    expect(badScope.status).toBe(400);
    expect((await admin(emu.http, "POST", "/grants", { clientId: gen.app.clientId, scopes: "Mail.Read" })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/grants", { clientId: gen.app.clientId, users: ["nobody@nowhere.example"], scopes: "Mail.Read" })).status).toBe(400);
  });
});

describe("bounded state", () => {
  it("keeps the newest items of a ring buffer", () => {
    const ring = new RingBuffer<number>(5);
    for (let i = 0; i < 23; i++) ring.push(i);
    expect(ring.toArray()).toEqual([18, 19, 20, 21, 22]);
    expect(ring.length).toBe(5);
    expect(ring.dropped).toBe(18);
    expect(JSON.parse(JSON.stringify(ring))).toEqual([18, 19, 20, 21, 22]);
  });

  it("bounds the mail log", () => {
    const state = new EmulatorState();
    for (let i = 0; i < MAIL_LOG_CAPACITY + 50; i++) state.logMailAuth({ protocol: "imap", user: `u${i}`, ok: true });
    const log = state.mailAuthLog.toArray();
    expect(log).toHaveLength(MAIL_LOG_CAPACITY);
    expect(log.at(-1)?.user).toBe(`u${MAIL_LOG_CAPACITY + 49}`);
    expect(log[0]?.user).toBe("u50");
  });

  it("forgets refresh tokens once revoked or idle past the limit for the retention time, not before", () => {
    const state = new EmulatorState();
    const base = { userId: "u", clientId: "c", tenantId: "t", scopes: [] };
    const revoked = state.addRefreshToken({ ...base, token: "revoked" });
    state.addRefreshToken({ ...base, token: "idle" });
    state.revokeRefreshToken(revoked);
    state.advanceClock(REFRESH_TOKEN_RETENTION_MS - 1000);
    expect(state.refreshTokens.has("revoked")).toBe(true); // still answers 50173
    state.advanceClock(2000);
    expect(state.refreshTokens.has("revoked")).toBe(false);
    expect(state.refreshTokens.has("idle")).toBe(true);

    const later = new EmulatorState();
    later.addRefreshToken({ ...base, token: "idle" });
    later.advanceClock(REFRESH_INACTIVITY_MS + 1000); // idle past 90 days: still answers 700082 for a while
    expect(later.refreshTokens.has("idle")).toBe(true);
    later.advanceClock(REFRESH_TOKEN_RETENTION_MS);
    expect(later.refreshTokens.has("idle")).toBe(false);
  });
});

// Guard against the generator answering under another cloud's login host by mistake.
it("generated tenants answer discovery under their cloud", async () => {
  const gen = await generate({ tenants: 1, usersPerTenant: 1, seed: "disco" });
  const res = await fetch(`${emu.http}/${GLOBAL}/${gen.tenants[0]!.domain}/v2.0/.well-known/openid-configuration`);
  expect(res.status).toBe(200);
});
