import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { startConnect, type FlowDeps } from "./consent";
import { newBrowserId } from "./flow-state";
import { runConnectionTest, type TestRun } from "./connection-test";
import { capturedLogLines } from "@/lib/logger";

// "Test now" against the emulator's Microsoft Graph and its IMAP, POP and SMTP listeners, over
// TLS with the emulator's certificate (trusted by the workers, see test-support/global-setup.ts).

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
async function connected(purposes: string[], account = SEED.adeleId, mailbox?: { address: string; kind: "SHARED" }, extraScopes?: string[]) {
  n += 1;
  const s = await orgWithIntegration(database.prisma, keyring, `ctest-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes, ...(extraScopes ? { extraScopes } : {}) });
  const connectionId = await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account, ...(mailbox ? { mailbox } : {}) });
  const mailHost = { host: emu.mailHost, imapPort: emu.imapPort ?? 0, popPort: emu.popPort ?? 0, smtpPort: emu.smtpPort ?? 0 };
  const run = (opts: { sendTo?: string; onUpdate?: (r: TestRun) => void } = {}) =>
    runConnectionTest({ db: s.db, keyring, hostMap: hostMapFromBase(emu.httpsUrl), mailHost, stepTimeoutMs: 5000 }, s.org.id, connectionId, opts);
  return { ...s, run };
}

const statuses = (r: TestRun) => r.steps.map((s) => [s.id, s.status, s.code]);

describe("connection test: Graph", () => {
  it("runs only the Graph steps for a Graph integration, all green, reporting each step as it runs", async () => {
    const c = await connected(["graph-read"]);
    const updates: TestRun[] = [];
    const r = await c.run({ onUpdate: (u) => updates.push(u) });
    expect(statuses(r)).toEqual([["refresh-graph", "ok", undefined], ["graph-me", "ok", undefined], ["graph-inbox", "ok", undefined]]);
    expect(r.ok).toBe(true);
    expect(r.steps[0]!.detail).toContain("Audience https://graph.microsoft.com");
    expect(r.steps[1]!.detail).toContain("adele@contoso.onmicrosoft.com");
    expect(updates.some((u) => u.steps.some((s) => s.status === "running"))).toBe(true);
    expect(JSON.stringify(updates)).not.toMatch(/eyJ[A-Za-z0-9_-]{20,}\./);
  });

  it("a throttled Graph call is retried after Retry-After and succeeds", async () => {
    const c = await connected(["graph-read"]);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 429, retryAfterSeconds: 1, times: 1 })).status).toBe(201);
    const r = await c.run();
    expect(r.ok).toBe(true);
    expect(r.steps.map((s) => s.detail).join(" ")).toContain("throttled");
  });

  it("while Microsoft throttles, the step says so and when it retries (through onUpdate)", async () => {
    const c = await connected(["graph-read"]);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 429, retryAfterSeconds: 1, times: 1 })).status).toBe(201);
    const updates: TestRun[] = [];
    const r = await c.run({ onUpdate: (u) => updates.push(u) });
    expect(r.ok).toBe(true);
    const waiting = updates.flatMap((u) => u.steps).find((s) => s.waiting);
    expect(waiting).toMatchObject({ status: "running", waiting: { reason: "throttled", seconds: 1, attempt: 1, httpStatus: 429 } });
    expect(r.steps.every((s) => s.waiting === undefined)).toBe(true);
  });

  it("a Graph 503 is explained as Microsoft Graph unavailable, with its status and request ids", async () => {
    const { explainStep } = await import("./step-view");
    const c = await connected(["graph-read"]);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 503, retryAfterSeconds: 0, times: "untilCleared" })).status).toBe(201);
    try {
      const r = await c.run();
      const me = r.steps.find((s) => s.id === "graph-me")!;
      expect(me).toMatchObject({ status: "failed", class: "transient", httpStatus: 503, ids: { requestId: expect.any(String) } });
      const d = explainStep(me)!;
      expect(d.title).toMatch(/Microsoft Graph is unavailable/);
      expect(JSON.stringify(d)).not.toMatch(/do not have an explanation/);
    } finally {
      await admin(emu.http, "DELETE", "/faults");
    }
  });

  it("a tenant without Exchange Online fails the inbox step with MailboxNotEnabledForRESTAPI", async () => {
    const c = await connected(["graph-read"]);
    await admin(emu.http, "PATCH", `/tenants/${SEED.contosoId}`, { exchangeOnline: false });
    const r = await c.run();
    expect(r.steps.find((s) => s.id === "graph-inbox")).toMatchObject({ status: "failed", code: "graph:MailboxNotEnabledForRESTAPI" });
  });

  it("reads a shared mailbox through /users/{address} with the delegate's token, which needs Mail.Read.Shared", async () => {
    const shared = { address: "support@contoso.onmicrosoft.com", kind: "SHARED" as const };
    const without = await (await connected(["graph-read"], "c0a70500-0000-4000-8000-0000000000a2", shared)).run();
    expect(without.steps.find((s) => s.id === "graph-inbox")).toMatchObject({ status: "failed", code: "graph:ErrorAccessDenied" });
    const c = await connected(["graph-read"], "c0a70500-0000-4000-8000-0000000000a2", shared, ["https://graph.microsoft.com/Mail.Read.Shared"]);
    const r = await c.run();
    expect(r.ok).toBe(true);
  });

  it("a revoked grant fails the refresh step and skips the rest", async () => {
    const c = await connected(["graph-read"]);
    await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" });
    const r = await c.run();
    expect(statuses(r)).toEqual([["refresh-graph", "failed", "AADSTS50173"], ["graph-me", "skipped", undefined], ["graph-inbox", "skipped", undefined]]);
  });
});

describe("claims challenge", () => {
  it("turns the connection into needs re-consent and carries the claims into the next sign-in", async () => {
    const { pendingClaims } = await import("./connection-test");
    const c = await connected(["graph-read"]);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "graph", status: 401, claimsChallenge: true, times: 1 })).status).toBe(201);
    const r = await c.run();
    expect(r.steps.find((s) => s.id === "graph-me")).toMatchObject({ status: "failed", code: "graph_claims_challenge", class: "needs_reconsent", ids: { requestId: expect.any(String), clientRequestId: expect.any(String) } });
    const row = await c.db.connection.findFirstOrThrow({ where: { orgId: c.org.id } });
    expect(row.status).toBe("NEEDS_RECONSENT");
    const claims = pendingClaims(row.lastFailure);
    expect(JSON.parse(claims!)).toMatchObject({ access_token: { nbf: { essential: true } } });
    const flowDeps: FlowDeps = { db: c.db, keyring, hostMap: hostMapFromBase(emu.http), redirectUri: REDIRECT };
    const { url } = await startConnect(flowDeps, { integration: c.integration, mailbox: row.mailbox, browserId: newBrowserId(), forceConsent: true, claims: claims! });
    expect(new URL(url).searchParams.get("claims")).toBe(claims);
  });
});

describe("connection test: IMAP, POP and SMTP", () => {
  it("signs in to each protocol with XOAUTH2: all steps green, and a test message is sent over SMTP", async () => {
    const c = await connected(["imap", "pop", "smtp"]);
    const r = await c.run({ sendTo: "megan@contoso.onmicrosoft.com" });
    expect(statuses(r)).toEqual([["refresh-outlook", "ok", undefined], ["imap", "ok", undefined], ["pop", "ok", undefined], ["smtp", "ok", undefined]]);
    expect(r.steps.find((s) => s.id === "imap")?.detail).toMatch(/INBOX has \d+ message/);
    expect(r.steps.find((s) => s.id === "pop")?.detail).toMatch(/\d+ message/);
    const { body } = await admin(emu.http, "GET", "/outbox");
    expect(JSON.stringify(body)).toContain("Mailgrant test message");
  });

  it("SMTP AUTH disabled for the mailbox fails the SMTP step with 5.7.139 and its explanation", async () => {
    const c = await connected(["imap", "smtp"]);
    await admin(emu.http, "PATCH", "/users/adele@contoso.onmicrosoft.com", { smtpAuthDisabled: true });
    const r = await c.run();
    expect(statuses(r)).toEqual([["refresh-outlook", "ok", undefined], ["imap", "ok", undefined], ["smtp", "failed", "smtp_auth_disabled"]]);
    expect(r.steps.at(-1)?.detail).toContain("5.7.139");
    expect(r.steps.at(-1)).toMatchObject({ class: "misconfigured", reply: expect.stringMatching(/^535 5\.7\.139 /) });
  });

  it("without Exchange Online no Exchange token is issued (650052) and the protocol steps are skipped", async () => {
    const c = await connected(["imap", "pop"]);
    await admin(emu.http, "PATCH", `/tenants/${SEED.contosoId}`, { exchangeOnline: false });
    const r = await c.run();
    // Without Exchange Online no Outlook token is issued at all (650052), so the protocol steps are skipped.
    expect(r.steps[0]).toMatchObject({ id: "refresh-outlook", status: "failed" });
    expect(r.steps.slice(1).every((s) => s.status === "skipped")).toBe(true);
  });

  it("a dropped connection fails only its step, within the timeout", async () => {
    const c = await connected(["imap", "pop"]);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "pop", drop: true, times: 1 })).status).toBe(201);
    const r = await c.run();
    expect(r.steps.find((s) => s.id === "imap")?.status).toBe("ok");
    expect(r.steps.find((s) => s.id === "pop")).toMatchObject({ status: "failed", class: "transient", detail: expect.stringContaining(`POP ${emu.mailHost}:${emu.popPort}`) });
  });
});

describe("no token leaks", () => {
  it("neither the streamed steps nor any log line of refreshes, failures and tests contains a token", async () => {
    const c = await connected(["graph-read", "imap", "pop", "smtp"]);
    const updates: TestRun[] = [];
    await c.run({ onUpdate: (u) => updates.push(u) });
    await admin(emu.http, "PATCH", "/users/adele@contoso.onmicrosoft.com", { smtpAuthDisabled: true });
    await c.run({ onUpdate: (u) => updates.push(u) });
    await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" });
    await c.run({ onUpdate: (u) => updates.push(u) });
    const logs = capturedLogLines().join("\n");
    expect(logs).toContain("token refresh failed"); // the capture works
    const jwt = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
    const refreshToken = /1\.A[A-Za-z0-9_-]{40,}/;
    for (const text of [logs, JSON.stringify(updates)]) {
      expect(text).not.toMatch(jwt);
      expect(text).not.toMatch(refreshToken);
    }
  });
});
