import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, fault, xoauth2 } from "./mail-test-support";
import { admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

const CHALLENGE = { status: "401", schemes: "bearer", scope: "https://outlook.office.com/.default" };
const decode = (b64: string) => JSON.parse(Buffer.from(b64, "base64").toString("utf8")) as unknown;

async function smtpReady(): Promise<LineClient> {
  const s = await LineClient.connectPlain(emu.smtpPort!);
  await s.line();
  await s.command("EHLO x", /^250 /);
  await s.command("STARTTLS", /./);
  await s.tls();
  await s.command("EHLO x", /^250 /);
  return s;
}

describe("XOAUTH2 error challenge (challengeOnFailure)", () => {
  it("IMAP: a refused token gets + <base64 JSON>, then NO after the empty line; * cancels with BAD", async () => {
    await fault(emu, { kind: "mail", endpoint: "imap", challengeOnFailure: true, times: "untilCleared" });
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    const [challenge] = await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, "bogus")}`, /./);
    expect(challenge).toMatch(/^\+ [A-Za-z0-9+/]+=*$/);
    expect(decode(challenge!.slice(2))).toEqual(CHALLENGE);
    expect(await c.command("", /^a1 /)).toEqual(["a1 NO AUTHENTICATE failed."]);
    // Without the initial response, and cancelled with `*`.
    expect(await c.command("a2 AUTHENTICATE XOAUTH2", /./)).toEqual(["+ "]);
    expect((await c.command(xoauth2(USERS.adele.upn, "bogus"), /./))[0]).toMatch(/^\+ \S+$/);
    expect(await c.command("*", /^a2 /)).toEqual(["a2 BAD AUTHENTICATE aborted."]);
    // A client that sends its next command instead has it taken as the SASL answer: the failure comes back tagged a3.
    await c.command(`a3 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, "bogus")}`, /^\+ /);
    expect(await c.command("a4 CAPABILITY", /^a3 /)).toEqual(["a3 NO AUTHENTICATE failed."]);
    c.close();
  });

  it("IMAP: a good token still signs in, and does not use the fault up", async () => {
    await fault(emu, { kind: "mail", endpoint: "imap", challengeOnFailure: true, upn: USERS.adele.upn });
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    const c = await LineClient.connectTls(emu.imapPort!);
    await c.line();
    expect(await c.command(`a1 AUTHENTICATE XOAUTH2 ${xoauth2(USERS.adele.upn, at)}`, /^a1 /)).toEqual(["a1 OK AUTHENTICATE completed."]);
    c.close();
    expect((await admin(emu.http, "GET", "/faults")).body).toHaveLength(1);
  });

  it("POP: + <base64 JSON> after the payload, -ERR after the empty line; the fault is used up", async () => {
    await fault(emu, { kind: "mail", endpoint: "pop", challengeOnFailure: true });
    const c = await LineClient.connectTls(emu.popPort!);
    await c.line();
    await c.command("AUTH XOAUTH2", /./);
    const [challenge] = await c.command(xoauth2(USERS.adele.upn, "bogus"), /./);
    expect(decode(challenge!.replace(/^\+ /, ""))).toEqual(CHALLENGE);
    expect(await c.command("", /./)).toEqual(["-ERR Authentication failure: unknown user name or bad password."]);
    // Used up (times 1): the next refusal is the plain one.
    await c.command("AUTH XOAUTH2", /./);
    expect(await c.command(xoauth2(USERS.adele.upn, "bogus"), /./)).toEqual(["-ERR Authentication failure: unknown user name or bad password."]);
    c.close();
  });

  it("SMTP: 334 <base64 JSON>, then 535 after the empty line; * cancels with 501", async () => {
    await fault(emu, { kind: "mail", endpoint: "smtp", challengeOnFailure: true, times: 2 });
    const s = await smtpReady();
    const [challenge] = await s.command(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, "bogus")}`, /./);
    expect(challenge).toMatch(/^334 \S+$/);
    expect(decode(challenge!.slice(4))).toEqual(CHALLENGE);
    const [refusal] = await s.command("", /./);
    expect(refusal).toMatch(/^535 5\.7\.3 Authentication unsuccessful \[/);
    await s.command(`AUTH XOAUTH2 ${xoauth2(USERS.adele.upn, "bogus")}`, /^334 /);
    expect(await s.command("*", /./)).toEqual(["501 5.0.0 Authentication aborted"]);
    s.close();
  });

  it("is refused with code throttle at once, and lists its shape in faults/kinds", async () => {
    const both = await admin(emu.http, "POST", "/faults", { kind: "mail", endpoint: "pop", code: "throttle", challengeOnFailure: true });
    expect(both.status).toBe(400);
    const neither = await admin(emu.http, "POST", "/faults", { kind: "mail", endpoint: "pop" });
    expect(neither.status).toBe(400);
    const kinds = (await admin(emu.http, "GET", "/faults/kinds")).body as unknown as { kind: string; doc: string }[];
    expect(kinds.find((k) => k.kind === "mail")?.doc).toMatch(/challengeOnFailure/);
  });
});
