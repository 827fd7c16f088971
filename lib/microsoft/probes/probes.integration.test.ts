import net from "node:net";
import { beforeAll, describe, expect, it } from "vitest";
import { admin, setupTestEmulator } from "@/emulator/test-support";
import { OUTLOOK_SCOPES, USERS, delegatedToken, fault } from "@/emulator/mail-test-support";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { probeGraphInbox, probeGraphMe, probeGraphSend } from "./graph";
import { probeImap } from "./imap";
import { probePop } from "./pop";
import { probeSmtp } from "./smtp";

// Each probe against the emulator's Graph and its IMAP, POP and SMTP listeners, over TLS with the
// emulator's certificate (trusted by the workers, see lib/testing/global-setup.ts).

const emu = setupTestEmulator();
const TIMEOUT = 5000;
const OUTLOOK = `${OUTLOOK_SCOPES.imap} ${OUTLOOK_SCOPES.pop} ${OUTLOOK_SCOPES.smtp}`;
const GRAPH = "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/Mail.Send";

let graphBase: string;
beforeAll(() => {
  graphBase = hostMapFromBase(emu.httpsUrl)(new URL("https://graph.microsoft.com/v1.0")).href;
});

const outlookToken = () => delegatedToken(emu, USERS.adele.id, OUTLOOK);
const graphToken = () => delegatedToken(emu, USERS.adele.id, GRAPH);
const imap = async (accessToken?: string) => probeImap({ host: emu.mailHost, port: emu.imapPort!, user: USERS.adele.upn, accessToken: accessToken ?? (await outlookToken()), timeoutMs: TIMEOUT });
const pop = async (accessToken?: string) => probePop({ host: emu.mailHost, port: emu.popPort!, user: USERS.adele.upn, accessToken: accessToken ?? (await outlookToken()), timeoutMs: TIMEOUT });
const smtp = async (extra: { sendTo?: string; accessToken?: string } = {}) =>
  probeSmtp({ host: emu.mailHost, port: emu.smtpPort!, user: USERS.adele.upn, accessToken: extra.accessToken ?? (await outlookToken()), timeoutMs: TIMEOUT, ...(extra.sendTo ? { sendTo: extra.sendTo } : {}) });

/** A port nobody listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe("IMAP probe", () => {
  it("signs in with XOAUTH2 and counts INBOX", async () => {
    const r = await imap();
    expect(r).toMatchObject({ ok: true, at: { protocol: "imap", port: emu.imapPort }, details: { exists: expect.any(Number) } });
  });

  it("a token without the IMAP scope: imap_auth_failed with the server's tagged reply", async () => {
    const r = await imap(await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp));
    expect(r).toMatchObject({ ok: false, code: "imap_auth_failed", class: "misconfigured", reply: expect.stringMatching(/NO AUTHENTICATE failed\.$/) });
  });

  it("signed in but the back end is not connected (Exchange's BAD): imap_not_connected", async () => {
    const token = await outlookToken();
    await fault(emu, { endpoint: "imap", code: "throttle" });
    const r = await imap(token);
    expect(r).toMatchObject({ ok: false, code: "imap_not_connected", reply: expect.stringContaining("BAD User is authenticated but not connected.") });
  });

  it("a refused connection names protocol, host and port", async () => {
    const port = await closedPort();
    const r = await probeImap({ host: "127.0.0.1", port, user: USERS.adele.upn, accessToken: "x", timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "server_unreachable", class: "transient", detail: expect.stringContaining(`IMAP 127.0.0.1:${port}`) });
  });
});

describe("POP probe", () => {
  it("signs in with XOAUTH2 (payload after '+ ') and counts messages", async () => {
    const r = await pop();
    expect(r).toMatchObject({ ok: true, details: { messages: expect.any(Number) } });
  });

  it("a refused token: pop_auth_failed with the server's exact -ERR line", async () => {
    const r = await pop(await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp));
    expect(r).toMatchObject({ ok: false, code: "pop_auth_failed", reply: "-ERR Authentication failure: unknown user name or bad password." });
  });

  it("a connection dropped on connect: connection_lost, naming the endpoint", async () => {
    const token = await outlookToken();
    await fault(emu, { endpoint: "pop", drop: true });
    const r = await pop(token);
    expect(r).toMatchObject({ ok: false, class: "transient", detail: expect.stringContaining(`POP ${emu.mailHost}:${emu.popPort}`) });
  });

  it("a server that greets too late: server_timeout within the probe's own timeout", async () => {
    const token = await outlookToken();
    await fault(emu, { endpoint: "pop", delayMs: 3000 });
    const r = await probePop({ host: emu.mailHost, port: emu.popPort!, user: USERS.adele.upn, accessToken: token, timeoutMs: 500 });
    expect(r).toMatchObject({ ok: false, code: "server_timeout", detail: expect.stringContaining("POP ") });
  });
});

describe("SMTP probe", () => {
  it("signs in after STARTTLS and sends a message", async () => {
    const r = await smtp({ sendTo: USERS.megan.upn });
    expect(r).toMatchObject({ ok: true, details: { sentTo: USERS.megan.upn } });
    expect(JSON.stringify((await admin(emu.http, "GET", "/outbox")).body)).toContain("Mailgrant test message");
  });

  it("SMTP AUTH disabled: 535 5.7.139 → smtp_auth_disabled, with the exact reply", async () => {
    await admin(emu.http, "PATCH", `/users/${USERS.adele.upn}`, { smtpAuthDisabled: true });
    const r = await smtp();
    expect(r).toMatchObject({ ok: false, code: "smtp_auth_disabled", class: "misconfigured", reply: expect.stringMatching(/^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox\./) });
  });

  it("a token without SMTP.Send: 535 5.7.3 → smtp_auth_failed", async () => {
    const r = await smtp({ accessToken: await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap) });
    expect(r).toMatchObject({ ok: false, code: "smtp_auth_failed", reply: expect.stringMatching(/^535 5\.7\.3 Authentication unsuccessful \[/) });
  });

  it("a throttled submission (432 4.3.2) is temporary", async () => {
    const token = await outlookToken();
    await fault(emu, { endpoint: "smtp", code: "throttle", upn: USERS.adele.upn });
    const r = await smtp({ sendTo: USERS.megan.upn, accessToken: token });
    expect(r).toMatchObject({ ok: false, code: "smtp_temporary", class: "transient", reply: expect.stringMatching(/^432 4\.3\.2 /) });
  });
});

describe("Graph probes", () => {
  it("/me, one inbox message and sendMail", async () => {
    const token = await graphToken();
    const input = { graphBase, accessToken: token, timeoutMs: TIMEOUT };
    expect(await probeGraphMe(input)).toMatchObject({ ok: true, details: { userPrincipalName: USERS.adele.upn } });
    expect(await probeGraphInbox(input)).toMatchObject({ ok: true, details: { empty: false } });
    expect(await probeGraphSend({ ...input, to: USERS.megan.upn })).toMatchObject({ ok: true });
  });

  it("another user's mailbox without Mail.Read.Shared: graph:ErrorAccessDenied with Graph's request id", async () => {
    const r = await probeGraphInbox({ graphBase, accessToken: await graphToken(), mailboxPath: `/users/${USERS.megan.upn}`, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "graph:ErrorAccessDenied", class: "misconfigured", reply: expect.stringContaining("403 ErrorAccessDenied") });
  });

  it("throttled beyond the retries: graph_throttled with Retry-After", async () => {
    const token = await graphToken();
    await fault(emu, { endpoint: "graph", status: 429, retryAfterSeconds: 0, times: 10 });
    const r = await probeGraphMe({ graphBase, accessToken: token, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "graph_throttled", class: "transient" });
  });

  it("a claims challenge carries the decoded claims", async () => {
    const token = await graphToken();
    await fault(emu, { endpoint: "graph", status: 401, claimsChallenge: true });
    const r = await probeGraphMe({ graphBase, accessToken: token, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "graph_claims_challenge", class: "needs_reconsent" });
    expect(r.ok ? undefined : JSON.parse(r.claims!)).toMatchObject({ access_token: expect.any(Object) });
  });

  it("a Graph host that refuses connections: server_unreachable naming host and port", async () => {
    const port = await closedPort();
    const r = await probeGraphMe({ graphBase: `https://127.0.0.1:${port}/v1.0`, accessToken: "x", timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "server_unreachable", detail: expect.stringContaining(`GRAPH 127.0.0.1:${port}`) });
  });
});
