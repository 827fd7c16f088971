import { ImapFlow } from "imapflow";
import { afterEach, describe, expect, it } from "vitest";
import { emulatorAdmin } from "@/emulator/client";
import { OUTLOOK_SCOPES, USERS, delegatedToken } from "@/emulator/mail-test-support";
import { encryptField } from "@/lib/crypto";
import { connectedOrg, credential, rawClient, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// A long IMAP or pooled SMTP session through the bridge outlives its access token: Exchange ends the upstream
// session (`* BYE Session invalidated - AccessTokenExpired`, at the next command), the bridge signs
// in again with a fresh token, reselects the folder and replays the command; the client gets its
// answer and never sees the BYE.
//
// The token about to expire is minted with the emulator's clock set back, so that it expires
// `lifeSeconds` after now on the real clock, and put in the portal's token cache as if it had
// an hour left. The clock then moves forward past it by less than the 30 s of skew the portal
// allows an ID token, so the refresh that follows is accepted.

const t = setupBridge();
const admin = () => emulatorAdmin(t.emu.http);
afterEach(async () => {
  const { clockOffsetMs } = await admin().advanceClock(0);
  await admin().advanceClock(-clockOffsetMs / 1000);
});

async function expiringSoon(s: Awaited<ReturnType<typeof connectedOrg>>, lifeSeconds: number) {
  await admin().advanceClock(-(3599 - lifeSeconds));
  const token = await delegatedToken(t.emu, USERS.adele.id, `${OUTLOOK_SCOPES.imap} ${OUTLOOK_SCOPES.pop} ${OUTLOOK_SCOPES.smtp}`);
  await admin().advanceClock(3599 - lifeSeconds);
  const tokenEncrypted = encryptField(t.keyring, token, { orgId: s.org.id, table: "ConnectionAccessToken", rowId: s.id, field: "outlook" });
  const expiresAt = new Date(Date.now() + 3600_000);
  await s.db.connectionAccessToken.upsert({
    where: { connectionId_resource: { connectionId: s.id, resource: "outlook" } },
    create: { connectionId: s.id, resource: "outlook", tokenEncrypted, scopes: [OUTLOOK_SCOPES.imap], expiresAt },
    update: { tokenEncrypted, expiresAt },
  });
}

describe("SMTP bridge: a pooled session whose token expired", () => {
  it("the next message goes through: MAIL FROM is sent again after a fresh sign-in upstream", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await expiringSoon(s, 12);
    const smtp = await rawClient(t.bridge.ports.smtps!);
    await smtp.line();
    smtp.send("EHLO app-server");
    await smtp.until(/^250 /);
    smtp.send(`AUTH PLAIN ${Buffer.from(`\0${c.username}\0${c.password}`).toString("base64")}`);
    expect(await smtp.line()).toBe("235 2.7.0 Authentication successful");
    const signIns = async () => ((await admin().mailAuthLog()) as { protocol: string; ok: boolean }[]).filter((l) => l.protocol === "smtp" && l.ok).length;
    const before = await signIns();
    await admin().advanceClock(18);
    const subject = `Pooled ${Math.random().toString(36).slice(2)}`;
    smtp.send(`MAIL FROM:<${USERS.adele.upn}>`);
    expect(await smtp.line()).toMatch(/^250 2\.1\.0/);
    smtp.send("RCPT TO:<someone@example.com>");
    expect(await smtp.line()).toMatch(/^250 2\.1\.5/);
    smtp.send("DATA");
    expect(await smtp.line()).toMatch(/^354 /);
    smtp.send(`From: ${USERS.adele.upn}\r\nTo: someone@example.com\r\nSubject: ${subject}\r\n\r\nHello.\r\n.`);
    expect(await smtp.line()).toMatch(/^250 2\.0\.0 OK/);
    smtp.send("QUIT");
    expect(await smtp.line()).toMatch(/^221 /);
    expect(((await admin().outbox(USERS.adele.upn)) as { subject?: string }[]).map((m) => m.subject)).toContain(subject);
    expect(await signIns()).toBe(before + 1); // the bridge's second sign-in, with the fresh token
  });
});

describe("IMAP bridge: a token that expires during a long session", () => {
  it("imapflow keeps working in the selected folder (FETCH) after Exchange ended the upstream session", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await expiringSoon(s, 12);
    const imap = new ImapFlow({ host: "127.0.0.1", port: t.bridge.ports.imaps!, secure: true, auth: { user: c.username, pass: c.password }, logger: false, tls: { servername: "localhost" } });
    imap.on("error", () => {});
    await imap.connect();
    await imap.mailboxOpen("INBOX");
    const before = await imap.fetchAll("1:*", { envelope: true });
    expect(before).toHaveLength(3);
    await admin().advanceClock(18); // past the token's expiry
    const after = await imap.fetchAll("1:*", { envelope: true }); // needs INBOX selected upstream again
    expect(after.map((m) => m.envelope?.subject)).toEqual(before.map((m) => m.envelope?.subject));
    expect((await imap.list()).map((f) => f.path)).toContain("INBOX");
    await imap.logout();
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => e.detail)).toEqual([expect.objectContaining({ protocol: "imap", outcome: "ok" })]);
  });

  it("an IDLE ended after the token expired is answered, without the BYE", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await expiringSoon(s, 12);
    const raw = await rawClient(t.bridge.ports.imaps!);
    await raw.line();
    raw.send(`a1 LOGIN ${c.username} ${c.password}`);
    expect(await raw.line()).toBe("a1 OK LOGIN completed.");
    raw.send("a2 SELECT INBOX");
    await raw.until(/^a2 OK/);
    raw.send("a3 IDLE");
    expect(await raw.line()).toMatch(/^\+ /);
    await admin().advanceClock(18);
    raw.send("DONE");
    const answer = await raw.until(/^a3 /);
    expect(answer.at(-1)).toMatch(/^a3 OK/);
    expect(answer.join("\n")).not.toContain("BYE");
    raw.send("a4 FETCH 1 (FLAGS)");
    expect((await raw.until(/^a4 /)).at(-1)).toMatch(/^a4 OK/);
    raw.close();
  });
});
