import { describe, expect, it } from "vitest";
import { setupTestEmulator } from "@/emulator/test-support";
import { OUTLOOK_SCOPES, USERS, delegatedToken, fault } from "@/emulator/mail-test-support";
import { probeImap } from "./imap";
import { probePop } from "./pop";
import { probeSmtp } from "./smtp";

// A refused token answered first with the XOAUTH2 error challenge (`+ <base64 JSON>`, `334 <base64
// JSON>`; reference §5.1, RFC 7628 §3.2.2) and only then with the failure: each probe answers the
// challenge, reports an auth failure and shows what the server said.

const emu = setupTestEmulator();
const TIMEOUT = 5000;
const wrongScope = () => delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
const wrongScopeForSmtp = () => delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
const said = { status: "401", schemes: "bearer", scope: "https://outlook.office.com/.default" };
const mentionsChallenge = expect.stringMatching(/"status":"401".*"schemes":"bearer".*"scope":"https:\/\/outlook\.office\.com\/\.default"/);

describe("XOAUTH2 error challenge", () => {
  it("POP: answers the challenge, pop_auth_failed, the decoded JSON in the detail", async () => {
    const token = await wrongScope();
    await fault(emu, { kind: "mail", endpoint: "pop", challengeOnFailure: true });
    const r = await probePop({ host: emu.mailHost, port: emu.popPort!, user: USERS.adele.upn, accessToken: token, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "pop_auth_failed", class: "misconfigured", detail: mentionsChallenge, reply: expect.stringMatching(/^-ERR Authentication failure/) });
    expect(r.ok ? undefined : r.reply).toContain(JSON.stringify(said));
  });

  it("IMAP: answers the challenge, imap_auth_failed, the decoded JSON in the detail", async () => {
    const token = await wrongScope();
    await fault(emu, { kind: "mail", endpoint: "imap", challengeOnFailure: true });
    const r = await probeImap({ host: emu.mailHost, port: emu.imapPort!, user: USERS.adele.upn, accessToken: token, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "imap_auth_failed", class: "misconfigured", detail: mentionsChallenge });
  });

  it("SMTP: answers the challenge, smtp_auth_failed, the decoded JSON in the detail", async () => {
    const token = await wrongScopeForSmtp();
    await fault(emu, { kind: "mail", endpoint: "smtp", challengeOnFailure: true });
    const r = await probeSmtp({ host: emu.mailHost, port: emu.smtpPort!, user: USERS.adele.upn, accessToken: token, timeoutMs: TIMEOUT });
    expect(r).toMatchObject({ ok: false, code: "smtp_auth_failed", class: "misconfigured", detail: mentionsChallenge, reply: expect.stringMatching(/^535 5\.7\.3 /) });
  });

  it("SMTP: signs in once per probe (nodemailer's own XOAUTH2 would retry the refused token and use up a second challenge)", async () => {
    const token = await wrongScopeForSmtp();
    await fault(emu, { kind: "mail", endpoint: "smtp", challengeOnFailure: true, times: 2 });
    const probe = () => probeSmtp({ host: emu.mailHost, port: emu.smtpPort!, user: USERS.adele.upn, accessToken: token, timeoutMs: TIMEOUT });
    expect(await probe()).toMatchObject({ ok: false, code: "smtp_auth_failed", detail: mentionsChallenge });
    expect(await probe()).toMatchObject({ ok: false, code: "smtp_auth_failed", detail: mentionsChallenge });
    const third = await probe();
    expect(third).toMatchObject({ ok: false, code: "smtp_auth_failed", reply: expect.stringMatching(/^535 5\.7\.3 /) });
    expect(third.ok ? "" : third.detail).not.toContain("server said");
  });
});
