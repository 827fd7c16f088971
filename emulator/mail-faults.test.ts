import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, fault, xoauth2 } from "./mail-test-support";
import { startEmulator } from "./server";
import { HELPDESK, admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

describe("mail protocol faults", () => {
  it("drops a connection before TLS, then accepts the next one", async () => {
    await fault(emu, { endpoint: "imap", drop: true });
    await expect(LineClient.connectTls(emu.imapPort!)).rejects.toThrow();
    const c = await LineClient.connectTls(emu.imapPort!);
    expect(await c.line()).toMatch(/^\* OK /);
    c.close();
  });

  it("delays the greeting", async () => {
    await fault(emu, { endpoint: "pop", delayMs: 300 });
    const c = await LineClient.connectTls(emu.popPort!);
    expect(await c.line()).toMatch(/^\+OK The Microsoft Exchange POP3 service is ready/);
    // The delay fault fired for this connection (its one time is used up), which was still greeted.
    expect((await admin(emu.http, "GET", "/faults")).body).toEqual([]);
    c.close();
  });

  it("throttles IMAP: AUTHENTICATE succeeds, then Exchange's 'not connected'", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    await fault(emu, { endpoint: "imap", code: "throttle", upn: USERS.adele.upn });
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    expect(await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /^a1 /)).toEqual(["a1 OK AUTHENTICATE completed."]);
    expect(await c.command("a2 SELECT INBOX", /^a2 /)).toEqual(["a2 BAD User is authenticated but not connected."]);
    c.close();
  });

  it("throttles POP at AUTH and SMTP at DATA, matching the mailbox and the app", async () => {
    const popToken = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop);
    await fault(emu, { endpoint: "pop", code: "throttle", upn: USERS.megan.upn });
    await fault(emu, { endpoint: "pop", code: "throttle", upn: USERS.adele.upn });
    const c = await LineClient.connectTls(emu.popPort!);
    await c.line();
    await c.command("AUTH XOAUTH2", /./);
    expect(await c.command(xoauth2(USERS.adele.upn, popToken), /./)).toEqual(["-ERR Server Unavailable. 21"]);
    await c.waitClosed();
    expect((await admin(emu.http, "GET", "/faults")).body).toHaveLength(1);

    const smtpToken = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    await fault(emu, { endpoint: "smtp", code: "throttle", clientId: HELPDESK.clientId });
    await fault(emu, { endpoint: "smtp", code: "throttle", tenant: "contoso.onmicrosoft.com" });
    const s = await LineClient.connectPlain(emu.smtpPort!);
    await s.line();
    await s.command("EHLO x", /^250 /);
    await s.command("STARTTLS", /./);
    await s.tls();
    await s.command("EHLO x", /^250 /);
    expect(await s.command(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, smtpToken)}`, /./)).toEqual(["235 2.7.0 Authentication successful"]);
    await s.command("MAIL FROM:<adele@contoso.onmicrosoft.com>", /./);
    await s.command("RCPT TO:<x@example.com>", /./);
    await s.command("DATA", /./);
    s.send("Subject: hi");
    s.send("");
    s.send("body");
    expect(await s.command(".", /./)).toEqual(["432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=EMU01PR01CA0001.namprd01.prod.outlook.com]"]);
    s.close();
  });

  it("drops an SMTP connection at AUTH for a fault naming the mailbox", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    await fault(emu, { endpoint: "smtp", drop: true, upn: USERS.adele.upn });
    const s = await LineClient.connectPlain(emu.smtpPort!);
    expect(await s.line()).toMatch(/^220 /);
    await s.command("EHLO x", /^250 /);
    await s.command("STARTTLS", /./);
    await s.tls();
    await s.command("EHLO x", /^250 /);
    s.send(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`);
    await s.waitClosed();
  });

  it("validates mail fault bodies", async () => {
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "imap", code: 50173 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "token", code: "throttle" })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "smtp", code: "throttle", drop: true })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "pop", status: 429 })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "imap" })).status).toBe(400);
    expect((await admin(emu.http, "POST", "/faults", { endpoint: "smtp", code: "throttle", delayMs: 10, times: 2 })).body).toMatchObject({ code: "throttle", remaining: 2 });
  });
});

describe("mail listeners", () => {
  it("publishes their ports, and closes idle connections with the server's goodbye", async () => {
    const state = (await admin(emu.http, "GET", "/state")).body;
    expect(state.mail).toEqual({ host: "localhost", imapPort: emu.imapPort, popPort: emu.popPort, smtpPort: emu.smtpPort });
    const root = (await (await fetch(`${emu.http}/`)).json()) as { mail: unknown };
    expect(root.mail).toEqual(state.mail);

    const quick = await startEmulator({ tlsDir: await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-tls-")), mailIdleTimeoutMs: 200, popPort: null });
    try {
      expect(quick.popPort).toBeNull();
      const c = await LineClient.connectTls(quick.imapPort!);
      await c.line();
      expect(await c.line()).toBe("* BYE Connection is closed. 13");
      await c.waitClosed();
      const s = await LineClient.connectPlain(quick.smtpPort!);
      await s.line();
      expect(await s.line()).toBe("451 4.7.0 Timeout waiting for client input [EMU01PR01CA0001.namprd01.prod.outlook.com]");
      // The certificate is the emulator's own, for localhost.
      const socket = tls.connect({ host: "127.0.0.1", port: quick.imapPort!, servername: "localhost", rejectUnauthorized: false });
      await new Promise((resolve) => socket.once("secureConnect", resolve));
      expect(socket.getPeerCertificate().subject.CN).toBe("localhost");
      socket.destroy();
    } finally {
      await quick.close();
    }
  });
});
