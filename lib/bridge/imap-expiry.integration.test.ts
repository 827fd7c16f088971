import { ImapFlow } from "imapflow";
import { afterEach, describe, expect, it } from "vitest";
import { emulatorAdmin } from "@/emulator/client";
import { OUTLOOK_SCOPES, USERS, delegatedToken } from "@/emulator/mail-test-support";
import { encryptField } from "@/lib/crypto";
import { connectedOrg, credential, rawClient, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// A long IMAP session through the bridge outlives its access token: Exchange ends the upstream
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
