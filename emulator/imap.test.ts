import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, helpdeskToken, xoauth2 } from "./mail-test-support";
import { admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

async function imap(): Promise<LineClient> {
  const c = await LineClient.connectTls(emu.imapPort!);
  expect(await c.line()).toMatch(/^\* OK The Microsoft Exchange IMAP4 service is ready\. \[[A-Za-z0-9+/=]+\]$/);
  return c;
}

async function login(c: LineClient, user: string, accessToken: string): Promise<string> {
  const [reply] = await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(user, accessToken)}`, /^a1 /);
  return reply!;
}

describe("IMAP", () => {
  it("advertises XOAUTH2 only, with LOGIN disabled", async () => {
    const c = await imap();
    const caps = await c.command("c1 CAPABILITY", /^c1 /);
    expect(caps[1]).toBe("c1 OK CAPABILITY completed.");
    const words = caps[0]!.split(" ");
    expect(words.slice(0, 2)).toEqual(["*", "CAPABILITY"]);
    expect(words).toContain("AUTH=XOAUTH2");
    expect(words).toContain("LOGINDISABLED");
    expect(words).not.toContain("AUTH=OAUTHBEARER");
    expect(words).not.toContain("AUTH=PLAIN");
    expect(words).not.toContain("AUTH=LOGIN");
    expect(await c.command('l1 LOGIN adele@contoso.onmicrosoft.com "secret"', /^l1 /)).toEqual(["l1 NO LOGIN failed."]);
    expect(await c.command("s1 SELECT INBOX", /^s1 /)).toEqual(["s1 BAD Command received in Invalid state."]);
    c.close();
  });

  it("authenticates with an initial response, selects INBOX with its count, and logs out", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    const c = await imap();
    expect(await login(c, USERS.adele.upn, at)).toBe("a1 OK AUTHENTICATE completed.");
    const select = await c.command("a2 SELECT INBOX", /^a2 /);
    expect(select).toContain("* 3 EXISTS");
    expect(select).toContain("* OK [UNSEEN 2] Is the first unseen message");
    expect(select.at(-1)).toBe("a2 OK [READ-WRITE] SELECT completed.");
    expect(await c.command('a3 STATUS "INBOX" (MESSAGES UNSEEN)', /^a3 /)).toEqual(["* STATUS INBOX (MESSAGES 3 UNSEEN 2)", "a3 OK STATUS completed."]);
    expect(await c.command('a4 LIST "" "*"', /^a4 /)).toContain('* LIST (\\HasNoChildren \\Sent) "/" "Sent Items"');
    expect(await c.command("a5 LOGOUT", /^a5 /)).toEqual(["* BYE Microsoft Exchange Server IMAP4 server signing off.", "a5 OK LOGOUT completed."]);
    await c.waitClosed();
  });

  it("authenticates with a continuation, and reports the count Graph reports", async () => {
    await admin(emu.http, "POST", "/tenants/contoso.onmicrosoft.com/users", { upn: "busy@contoso.onmicrosoft.com", displayName: "Busy Person", inboxCount: 5 });
    const app = await helpdeskToken(emu, "https://outlook.office365.com");
    const c = await imap();
    expect(await c.command("b1 AUTHENTICATE XOAUTH2", /^(\+|b1 )/)).toEqual(["+ "]);
    expect(await c.command(xoauth2("busy@contoso.onmicrosoft.com", app), /^b1 /)).toEqual(["b1 OK AUTHENTICATE completed."]);
    expect(await c.command("b2 EXAMINE inbox", /^b2 /)).toContain("* 5 EXISTS");
    c.close();
  });

  it("lets a delegate open a shared mailbox, but not someone else's", async () => {
    const megan = await delegatedToken(emu, USERS.megan.id, OUTLOOK_SCOPES.imap);
    const c = await imap();
    expect(await login(c, USERS.support.upn, megan)).toBe("a1 OK AUTHENTICATE completed.");
    expect(await c.command("a2 SELECT INBOX", /^a2 /)).toContain("* 3 EXISTS");
    c.close();
    const d = await imap();
    expect(await login(d, USERS.adele.upn, megan)).toBe("a1 NO AUTHENTICATE failed.");
    d.close();
  });

  it("answers NO AUTHENTICATE failed. for every bad token, and logs why", async () => {
    const cases: [string, () => Promise<string>, string][] = [
      ["garbage", async () => "not-a-token", "malformed"],
      ["Graph audience", () => delegatedToken(emu, USERS.adele.id, "Mail.Read"), "audience"],
      ["POP scope only", () => delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.pop), "scope"],
      ["app without IMAP.AccessAsApp on Graph", () => helpdeskToken(emu, "https://graph.microsoft.com"), "audience"],
    ];
    for (const [, mint, reason] of cases) {
      const c = await imap();
      expect(await login(c, USERS.adele.upn, await mint())).toBe("a1 NO AUTHENTICATE failed.");
      // A failed AUTHENTICATE leaves the connection usable, as Exchange does.
      expect(await c.command("a2 NOOP", /^a2 /)).toEqual(["a2 OK NOOP completed."]);
      c.close();
      const log = (await admin(emu.http, "GET", "/mail-log")).body as unknown as { reason?: string }[];
      expect(log.at(-1)?.reason).toBe(reason);
    }
    const c = await imap();
    expect(await c.command(`a1 AUTHENTICATE XOAUTH2 ${Buffer.from("user=x\x01auth=Bearer").toString("base64")}`, /^a1 /)).toEqual(["a1 NO AUTHENTICATE failed."]);
    expect(await c.command("a2 AUTHENTICATE PLAIN AGFkZWxlAHNlY3JldA==", /^a2 /)).toEqual(["a2 NO AUTHENTICATE failed."]);
    c.close();
  });

  it("refuses an expired token and a tenant without Exchange Online", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    await admin(emu.http, "POST", "/clock", { advanceSeconds: 2 * 3600 });
    const c = await imap();
    expect(await login(c, USERS.adele.upn, at)).toBe("a1 NO AUTHENTICATE failed.");
    c.close();
    await admin(emu.http, "POST", "/reset");
    const fresh = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { exchangeOnline: false });
    const d = await imap();
    expect(await login(d, USERS.adele.upn, fresh)).toBe("a1 NO AUTHENTICATE failed.");
    d.close();
    const log = (await admin(emu.http, "GET", "/mail-log")).body as unknown as { reason?: string }[];
    expect(log.at(-1)?.reason).toBe("exchange");
  });
});
