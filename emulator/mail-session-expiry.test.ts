import { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, xoauth2 } from "./mail-test-support";
import { admin, setupTestEmulator } from "./test-support";
import { TOKEN_LIFETIME_SECONDS } from "./tokens";

const emu = setupTestEmulator();
const DIAG = /\[EMU01PR01CA0001\.namprd01\.prod\.outlook\.com \S+Z [0-9A-F]{16}\]$/;

const advance = (seconds: number) => admin(emu.http, "POST", "/clock", { advanceSeconds: seconds });

describe("mail sessions end when their access token expires", () => {
  it("IMAP: works until exp, then answers the next command with BYE AccessTokenExpired and closes", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    expect(await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /^a1 /)).toEqual(["a1 OK AUTHENTICATE completed."]);
    await c.command("a2 SELECT INBOX", /^a2 /);
    await advance(TOKEN_LIFETIME_SECONDS - 60);
    expect(await c.command("a3 NOOP", /^a3 /)).toEqual(["a3 OK NOOP completed."]);
    await advance(120);
    expect(await c.command('a4 LIST "" "*"', /^\* BYE|^a4 /)).toEqual(["* BYE Session invalidated - AccessTokenExpired"]);
    await c.waitClosed();
  });

  it("IMAP: imapflow sees the BYE as the end of the connection", async () => {
    const client = new ImapFlow({
      host: "127.0.0.1",
      port: emu.imapPort!,
      secure: true,
      auth: { user: USERS.adele.upn, accessToken: await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap) },
      logger: false,
      tls: { rejectUnauthorized: false },
    });
    client.on("error", () => {});
    const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
    await client.connect();
    await client.mailboxOpen("INBOX");
    await advance(TOKEN_LIFETIME_SECONDS + 1);
    await expect(client.fetchAll("1:*", { envelope: true })).rejects.toThrow();
    await closed;
    expect(client.usable).toBe(false);
  });

  it("IMAP: a session idling past exp gets the BYE when it says DONE", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /^a1 /);
    await c.command("a2 SELECT INBOX", /^a2 /);
    expect(await c.command("a3 IDLE", /^\+/)).toEqual(["+ IDLE accepted, awaiting DONE command."]);
    await advance(2 * 3600);
    expect(await c.command("DONE", /^\* BYE|^a3 /)).toEqual(["* BYE Session invalidated - AccessTokenExpired"]);
    await c.waitClosed();
  });

  it("IMAP: a session that is not signed in has no token to outlive", async () => {
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    await advance(2 * 3600);
    expect(await c.command("c1 NOOP", /^c1 /)).toEqual(["c1 OK NOOP completed."]);
    c.close();
  });

  it("POP: -ERR Session invalidated - AccessTokenExpired, closed, deletions not applied", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop);
    const c = await LineClient.connectTls(emu.popPort!);
    await c.line();
    await c.command("AUTH XOAUTH2", /./);
    expect(await c.command(xoauth2(USERS.adele.upn, at), /./)).toEqual(["+OK User successfully authenticated."]);
    expect(await c.command("DELE 1", /./)).toEqual(["+OK"]);
    await advance(TOKEN_LIFETIME_SECONDS + 1);
    expect(await c.command("QUIT", /./)).toEqual(["-ERR Session invalidated - AccessTokenExpired"]);
    await c.waitClosed();
    const box = await admin(emu.http, "GET", `/mailboxes/${USERS.adele.upn}`);
    expect((box.body as { inbox: unknown[] }).inbox).toHaveLength(3);
  });

  it("SMTP: 421 4.7.0 at the next command, and a message whose DATA ends after exp is not taken", async () => {
    for (const [step, last] of [
      ["before MAIL", "MAIL FROM:<adele@contoso.onmicrosoft.com>"],
      ["during DATA", "."],
    ] as const) {
      const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
      const c = await LineClient.connectPlain(emu.smtpPort!);
      await c.line();
      await c.command("EHLO client.example", /^250 /);
      await c.command("STARTTLS", /./);
      await c.tls();
      await c.command("EHLO client.example", /^250 /);
      expect(await c.command(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /./)).toEqual(["235 2.7.0 Authentication successful"]);
      if (step === "during DATA") {
        await c.command("MAIL FROM:<adele@contoso.onmicrosoft.com>", /./);
        await c.command("RCPT TO:<someone@example.com>", /./);
        await c.command("DATA", /./);
        c.send("Subject: late\r\n\r\nToo late.");
      }
      await advance(TOKEN_LIFETIME_SECONDS + 1);
      const [reply] = await c.command(last, /./);
      expect(reply).toMatch(/^421 4\.7\.0 Session invalidated - AccessTokenExpired \[/);
      expect(reply).toMatch(DIAG);
      await c.waitClosed();
    }
    expect((await admin(emu.http, "GET", "/outbox")).body).toEqual([]);
  });
});
