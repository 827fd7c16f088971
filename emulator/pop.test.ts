import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, xoauth2 } from "./mail-test-support";
import { setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

async function pop(): Promise<LineClient> {
  const c = await LineClient.connectTls(emu.popPort!);
  expect(await c.line()).toMatch(/^\+OK The Microsoft Exchange POP3 service is ready\. \[[A-Za-z0-9+/=]+\]$/);
  return c;
}

const FAILED = "-ERR Authentication failure: unknown user name or bad password.";

describe("POP3", () => {
  it("advertises SASL XOAUTH2, authenticates after the + continuation, answers STAT and QUIT", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop);
    const c = await pop();
    expect(await c.command("CAPA", /^\.$/)).toEqual(["+OK", "TOP", "UIDL", "SASL XOAUTH2", "USER", "."]);
    expect(await c.command("STAT", /./)).toEqual(["-ERR Command is not valid in this state."]);
    expect(await c.command("AUTH XOAUTH2", /./)).toEqual(["+ "]);
    expect(await c.command(xoauth2(USERS.adele.upn, at), /./)).toEqual(["+OK User successfully authenticated."]);
    const [stat] = await c.command("STAT", /./);
    expect(stat).toMatch(/^\+OK 3 \d+$/);
    const list = await c.command("LIST", /^\.$/);
    expect(list).toHaveLength(5);
    const retr = await c.command("RETR 3", /^\.$/);
    expect(retr).toContain("Subject: Welcome to your new mailbox");
    expect(await c.command("QUIT", /./)).toEqual(["+OK Microsoft Exchange Server POP3 server signing off."]);
    await c.waitClosed();
  });

  it("refuses a bad token, another protocol's scope and a non-delegate, with Exchange's text", async () => {
    const imapOnly = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    const popToken = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop);
    for (const [user, at] of [
      [USERS.adele.upn, "bogus"],
      [USERS.adele.upn, imapOnly],
      [USERS.support.upn, popToken],
    ] as const) {
      const c = await pop();
      await c.command("AUTH XOAUTH2", /./);
      expect(await c.command(xoauth2(user, at), /./)).toEqual([FAILED]);
      c.close();
    }
  });

  it("takes a short initial response on the AUTH line, but drops one longer than POP's 255-octet limit", async () => {
    const c = await pop();
    expect(await c.command(`AUTH XOAUTH2 ${xoauth2("x@contoso.onmicrosoft.com", "short")}`, /./)).toEqual([FAILED]);
    c.close();
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop);
    const d = await pop();
    expect(await d.command(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /./)).toEqual(["-ERR Protocol error. Connection is closed. 10"]);
    await d.waitClosed();
  });

  it("refuses USER/PASS (Basic authentication)", async () => {
    const c = await pop();
    expect(await c.command(`USER ${USERS.adele.upn}`, /./)).toEqual(["+OK"]);
    expect(await c.command("PASS secret", /./)).toEqual(["-ERR Logon failure: unknown user name or bad password."]);
    c.close();
  });
});
