import { ImapFlow } from "imapflow";
import { describe, expect, it } from "vitest";
import { emulatorAdmin } from "@/emulator/client";
import { revokeApiKey } from "@/lib/api-keys/keys";
import { revokeBridgeCredential } from "./credentials";
import { newKey } from "@/test-support/api-fixtures";
import { connectedOrg, credential, rawClient, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// IMAP through the bridge to the emulator's Exchange stand-in, with imapflow as the client: LOGIN
// and AUTHENTICATE PLAIN on 993 and on 143 after STARTTLS, then Exchange's own answers relayed;
// refusals in IMAP's words, and a revoked credential's open session cut.

const t = setupBridge();

function client(port: "imap" | "imaps", auth: { user: string; pass: string; loginMethod?: string }) {
  const c = new ImapFlow({ host: "127.0.0.1", port: t.bridge.ports[port]!, secure: port === "imaps", auth, logger: false, tls: { servername: "localhost" } });
  c.on("error", () => {});
  return c;
}

const failure = async (c: ImapFlow) => {
  const e = (await c.connect().then(() => null).catch((err: unknown) => err)) as { response?: string; responseText?: string; serverResponseCode?: string; authenticationFailed?: boolean } | null;
  c.close();
  expect(e).not.toBeNull();
  return e!;
};

describe("IMAP bridge", () => {
  it("LOGIN on 993: lists folders and selects INBOX through Exchange; the session is on the timeline", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const imap = client("imaps", { user: c.username, pass: c.password, loginMethod: "LOGIN" });
    await imap.connect();
    const folders = (await imap.list()).map((f) => f.path);
    expect(folders).toEqual(expect.arrayContaining(["INBOX", "Sent Items"]));
    const box = await imap.mailboxOpen("INBOX");
    expect(box.exists).toBe(3);
    await imap.logout();
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => e.detail)).toEqual([expect.objectContaining({ protocol: "imap", outcome: "ok", clientIp: "127.0.0.1" })]);
  });

  it("AUTHENTICATE PLAIN on 143 after STARTTLS (imapflow's default), and with an API key as the password", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const imap = client("imap", { user: c.username, pass: c.password });
    await imap.connect();
    expect(await imap.status("INBOX", { messages: true })).toMatchObject({ messages: 3 });
    await imap.logout();

    const key = await newKey(s.db, s, { resources: ["outlook"] });
    const viaKey = client("imaps", { user: "adele@contoso.onmicrosoft.com", pass: key });
    await viaKey.connect();
    expect((await viaKey.mailboxOpen("INBOX")).exists).toBe(3);
    await viaKey.logout();
  });

  it("AUTHENTICATE PLAIN with the continuation and with SASL-IR, from a raw client", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const plain = Buffer.from(`\0${c.username}\0${c.password}`).toString("base64");
    const raw = await rawClient(t.bridge.ports.imaps!);
    expect(await raw.line()).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN ID\]/);
    raw.send("a1 AUTHENTICATE PLAIN");
    expect(await raw.line()).toBe("+ ");
    raw.send(plain);
    expect(await raw.line()).toBe("a1 OK AUTHENTICATE completed.");
    raw.send("a2 SELECT INBOX");
    expect((await raw.until(/^a2 /)).join("\n")).toMatch(/\* 3 EXISTS[\s\S]*a2 OK \[READ-WRITE\]/);
    raw.send("a3 LOGOUT");
    expect((await raw.until(/^a3 /)).at(-1)).toMatch(/^a3 OK/);

    const ir = await rawClient(t.bridge.ports.imaps!);
    await ir.line();
    ir.send(`b1 AUTHENTICATE PLAIN ${plain}`);
    expect(await ir.line()).toBe("b1 OK AUTHENTICATE completed.");
    ir.close();
  });

  it("no sign-in before STARTTLS on 143: LOGINDISABLED, and LOGIN answered NO", async () => {
    const raw = await rawClient(t.bridge.ports.imap!, { tls: false });
    const greeting = await raw.line();
    expect(greeting).toContain("STARTTLS");
    expect(greeting).toContain("LOGINDISABLED");
    expect(greeting).not.toContain("AUTH=PLAIN");
    raw.send('a1 LOGIN "someone" "secret"');
    expect(await raw.line()).toMatch(/^a1 NO \[PRIVACYREQUIRED\] .*STARTTLS/);
    raw.send("a2 AUTHENTICATE PLAIN");
    expect(await raw.line()).toMatch(/^a2 NO \[PRIVACYREQUIRED\]/);
    raw.send("a3 STARTTLS");
    expect(await raw.line()).toBe("a3 OK Begin TLS negotiation now.");
    await raw.starttls();
    raw.send("a4 CAPABILITY");
    expect(await raw.line()).toBe("* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN ID");
    raw.close();
  });

  it("a wrong password, and a credential without IMAP: NO [AUTHENTICATIONFAILED] with the hint", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const wrong = await failure(client("imaps", { user: c.username, pass: "nope", loginMethod: "LOGIN" }));
    expect(wrong.authenticationFailed).toBe(true);
    expect(wrong.response).toMatch(/NO \[AUTHENTICATIONFAILED\] LOGIN failed: Mailgrant: wrong username or password/);
    const smtpOnly = await credential(s, { protocols: ["smtp"] });
    const refused = await failure(client("imaps", { user: smtpOnly.username, pass: smtpOnly.password }));
    expect(refused.response).toMatch(/Mailgrant: this bridge credential is not allowed to use IMAP/);
  });

  it("revoking a credential cuts its open session within seconds (recorded as revoked) and refuses the next sign-in", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const imap = client("imaps", { user: c.username, pass: c.password });
    await imap.connect();
    await imap.mailboxOpen("INBOX");
    const closed = new Promise<void>((r) => imap.once("close", () => r()));
    await revokeBridgeCredential(s.db, s.org.id, s.owner, c.id);
    await closed;
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => e.detail)).toEqual([expect.objectContaining({ protocol: "imap", outcome: "revoked" })]);
    const again = await failure(client("imaps", { user: c.username, pass: c.password }));
    expect(again.response).toMatch(/this bridge credential was revoked/);
  });

  it("revoking an API key used as the password cuts its open session too", async () => {
    const s = await connectedOrg(t);
    const key = await newKey(s.db, s, { resources: ["outlook"], name: "Helpdesk IMAP" });
    const imap = client("imaps", { user: "adele@contoso.onmicrosoft.com", pass: key });
    await imap.connect();
    const closed = new Promise<void>((r) => imap.once("close", () => r()));
    const row = await s.db.apiKey.findFirstOrThrow({ where: { orgId: s.org.id, name: "Helpdesk IMAP" } });
    await revokeApiKey(s.db, s.org.id, s.owner, row.id);
    await closed;
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => e.detail)).toEqual([expect.objectContaining({ outcome: "revoked", via: expect.objectContaining({ kind: "api_key" }) })]);
  });

  it("Exchange refusing the token: its NO passes through with what to check, recorded as refused upstream", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await emulatorAdmin(t.emu.http).updateTenant("contoso.onmicrosoft.com", { exchangeOnline: false });
    try {
      const e = await failure(client("imaps", { user: c.username, pass: c.password, loginMethod: "LOGIN" }));
      expect(e.response).toMatch(/NO \[AUTHENTICATIONFAILED\] AUTHENTICATE failed\. Mailgrant: Exchange refused the mailbox's grant for adele@contoso\.onmicrosoft\.com: .*Set-CASMailbox -Identity adele@contoso\.onmicrosoft\.com -ImapEnabled \$true/);
    } finally {
      await emulatorAdmin(t.emu.http).updateTenant("contoso.onmicrosoft.com", { exchangeOnline: true });
    }
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((x) => [x.code, (x.detail as { outcome: string }).outcome])).toEqual([["imap_auth_failed", "refused_upstream"]]);
  });
});
