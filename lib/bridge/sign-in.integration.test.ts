import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import { newKey } from "@/test-support/api-fixtures";
import { createBridgeCredential, listBridgeCredentials, revokeBridgeCredential } from "./credentials";
import { bridgeSignIn, recordBridgeSession, revokedGrants, signInFailures } from "./sign-in";
import { VerifiedCache } from "./password";
import { connectionTimeline } from "@/lib/connections/timeline";

// Bridge credentials and sign-in against the database: what an admin may create, who gets in with
// what, and what a session leaves on the mailbox's timeline.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

let n = 0;
async function setup(purposes = ["graph-read", "imap", "smtp"]) {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `bridge-${n}-${randomBytes(2).toString("hex")}`, { purposes });
  const mailbox = `printer-${n}-${randomBytes(2).toString("hex")}@contoso.test`;
  const id = await savedConnection(s.db, keyring, s, { mailbox });
  const deps = { db: s.db, portalUrl: "https://portal.example.com", cache: new VerifiedCache(), failures: signInFailures() };
  return { ...s, id, mailbox, deps };
}
const input = (connectionId: string, over: Partial<Parameters<typeof createBridgeCredential>[3]> = {}) => ({ connectionId, name: "Office printer", username: "mailbox" as const, protocols: ["smtp" as const], allowedIps: [], ...over });

describe("bridge credentials", () => {
  it("are made with a generated password shown once and stored as a scrypt hash, audited; refused input names the field and makes nothing", async () => {
    const s = await setup();
    const { password, view } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id));
    expect(password).toMatch(/^[0-9A-Za-z]{24}$/);
    expect(view.username).toBe(s.mailbox);
    const row = await s.db.bridgeCredential.findUniqueOrThrow({ where: { id: view.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(row.passwordHash).not.toContain(password);
    expect(await s.db.auditEvent.count({ where: { orgId: s.org.id, action: "bridge_credential.created" } })).toBe(1);

    await expect(createBridgeCredential(s.db, s.org.id, s.owner, input(s.id, { protocols: ["pop"] }))).rejects.toMatchObject({ field: "protocols", message: expect.stringMatching(/POP3/) });
    await expect(createBridgeCredential(s.db, s.org.id, s.owner, input(s.id, { protocols: [] }))).rejects.toMatchObject({ field: "protocols" });
    await expect(createBridgeCredential(s.db, s.org.id, s.owner, input(s.id, { username: "generated", allowedIps: ["10.0.0.0/33"] }))).rejects.toMatchObject({ field: "allowedIps" });
    await expect(createBridgeCredential(s.db, s.org.id, s.owner, input(s.id))).rejects.toMatchObject({ field: "username", message: expect.stringMatching(/generated/) });
    const other = await setup();
    await expect(createBridgeCredential(s.db, s.org.id, s.owner, input(other.id))).rejects.toMatchObject({ code: "not_found" });
    expect(await listBridgeCredentials(s.db, s.org.id, s.id)).toHaveLength(1);

    const generated = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id, { username: "generated", name: "Scanner" }));
    expect(generated.view.username).toMatch(/^bridge-[0-9a-z]{8}$/);
  });
});

describe("bridge sign-in", () => {
  it("lets the right password in for an allowed protocol and address, and refuses everything else with a hint", async () => {
    const s = await setup();
    const { password } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id, { protocols: ["smtp", "imap"], allowedIps: ["192.0.2.0/24"] }));
    const ok = await bridgeSignIn(s.deps, { username: s.mailbox.toUpperCase(), password, protocol: "smtp", ip: "192.0.2.7" });
    expect(ok).toMatchObject({ ok: true, grant: { orgId: s.org.id, connectionId: s.id, mailbox: s.mailbox, cloud: "global", via: { kind: "credential", name: "Office printer" } } });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password: "wrong-password-000000000", protocol: "smtp", ip: "192.0.2.7" })).toMatchObject({ ok: false, reason: "bad_password", hint: expect.stringMatching(/^Mailgrant: wrong username or password/) });
    expect(await bridgeSignIn(s.deps, { username: "nobody@contoso.test", password, protocol: "smtp", ip: "192.0.2.7" })).toMatchObject({ ok: false, reason: "unknown" });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "pop", ip: "192.0.2.7" })).toMatchObject({ ok: false, reason: "protocol" });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "imap", ip: "198.51.100.1" })).toMatchObject({ ok: false, reason: "ip" });
    // Refusals with a known username are audited in aggregate: one row for the hour.
    const failedRows = await s.db.auditEvent.findMany({ where: { orgId: s.org.id, action: "bridge.sign_in_failed" } });
    expect(failedRows).toHaveLength(1);
    expect(failedRows[0]!.data).toMatchObject({ count: 2 });
  });

  it("a revoked credential is refused at the next sign-in, even while its password is remembered; open grants show as revoked", async () => {
    const s = await setup();
    const { password, view } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id));
    const first = await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "smtp", ip: null });
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(await revokedGrants(s.db, [first.grant])).toEqual(new Set());
    await revokeBridgeCredential(s.db, s.org.id, s.owner, view.id);
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "smtp", ip: null })).toMatchObject({ ok: false, reason: "revoked" });
    expect(await revokedGrants(s.db, [first.grant])).toEqual(new Set([view.id]));
  });

  it("a mailbox that needs re-consent is refused with the mailbox page", async () => {
    const s = await setup();
    const { password } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id));
    await s.db.connection.update({ where: { id: s.id }, data: { status: "NEEDS_RECONSENT" } });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "smtp", ip: null })).toEqual({ ok: false, reason: "needs_reconsent", hint: `Mailgrant: this mailbox needs re-consent, see https://portal.example.com/orgs/${s.org.slug}/mailboxes/${s.id}` });
  });

  it("an API key with the Outlook resource signs in as the password, with the mailbox address as the username", async () => {
    const s = await setup();
    const key = await newKey(s.db, s, { resources: ["outlook"] });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password: key, protocol: "imap", ip: null })).toMatchObject({ ok: true, grant: { connectionId: s.id, via: { kind: "api_key" } } });
    const graphOnly = await newKey(s.db, s, { resources: ["graph"], name: "graph only" });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password: graphOnly, protocol: "imap", ip: null })).toMatchObject({ ok: false, reason: "protocol" });
    const other = await setup();
    expect(await bridgeSignIn(other.deps, { username: other.mailbox, password: key, protocol: "imap", ip: null })).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("too many failures for one username are refused before any password check", async () => {
    const s = await setup();
    const { password } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id));
    for (let i = 0; i < 10; i += 1) await bridgeSignIn(s.deps, { username: s.mailbox, password: `guess-${i}`, protocol: "smtp", ip: `203.0.113.${i}` });
    expect(await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "smtp", ip: "203.0.113.99" })).toMatchObject({ ok: false, reason: "rate_limited" });
  });

  it("a session is one timeline entry with protocol, address, bytes and outcome", async () => {
    const s = await setup();
    const { password } = await createBridgeCredential(s.db, s.org.id, s.owner, input(s.id));
    const r = await bridgeSignIn(s.deps, { username: s.mailbox, password, protocol: "smtp", ip: "192.0.2.7" });
    if (!r.ok) throw new Error(r.hint);
    const startedAt = new Date(Date.now() - 2_000);
    await recordBridgeSession(s.db, r.grant, { protocol: "smtp", clientIp: "192.0.2.7", startedAt, endedAt: new Date(), bytesFromClient: 12_800, bytesToClient: 640, outcome: "ok" });
    await recordBridgeSession(s.db, r.grant, { protocol: "smtp", clientIp: "192.0.2.7", startedAt: new Date(), endedAt: new Date(), bytesFromClient: 60, bytesToClient: 300, outcome: "refused_upstream", code: "535 5.7.139", reply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant." });
    const page = await connectionTimeline(s.db, s.org.id, s.id, { kind: "bridge" });
    expect(page.entries.map((e) => (e.type === "event" ? [e.label, e.problem, e.detail] : null))).toEqual([
      ["Mail bridge session", true, expect.stringMatching(/^SMTP from 192\.0\.2\.7 · 60 B from the client, 300 B to it · 0\.0 s · signed in with "Office printer" \(.+\) · Microsoft refused the sign-in: 535 5\.7\.139/)],
      ["Mail bridge session", false, expect.stringMatching(/^SMTP from 192\.0\.2\.7 · 12\.5 KB from the client, 640 B to it · 2\.\d s · signed in with "Office printer"/)],
    ]);
  });
});
