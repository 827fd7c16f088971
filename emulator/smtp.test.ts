import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { LineClient, OUTLOOK_SCOPES, USERS, delegatedToken, xoauth2 } from "./mail-test-support";
import { admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

const DIAG = /\[EMU01PR01CA0001\.namprd01\.prod\.outlook\.com \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [0-9A-F]{16}\]$/;

/** Connects, says EHLO, upgrades with STARTTLS and says EHLO again; returns the client and the second EHLO. */
async function secureSession(): Promise<{ c: LineClient; ehlo: string[] }> {
  const c = await LineClient.connectPlain(emu.smtpPort!);
  expect(await c.line()).toMatch(/^220 EMU01PR01CA0001\.namprd01\.prod\.outlook\.com Microsoft ESMTP MAIL Service ready at \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/);
  const before = await c.command("EHLO client.example", /^250 /);
  expect(before).toContain("250-STARTTLS");
  expect(before.some((l) => l.includes("AUTH"))).toBe(false);
  expect(await c.command("AUTH XOAUTH2", /./)).toEqual([expect.stringMatching(/^504 5\.7\.4 Unrecognized authentication type \[/)]);
  expect(await c.command("MAIL FROM:<adele@contoso.onmicrosoft.com>", /./)).toEqual(["530 5.7.0 Must issue a STARTTLS command first"]);
  expect(await c.command("STARTTLS", /./)).toEqual(["220 2.0.0 SMTP server ready"]);
  await c.tls();
  const ehlo = await c.command("EHLO client.example", /^250 /);
  return { c, ehlo };
}

function transport(user: string, accessToken: string) {
  return nodemailer.createTransport({
    host: "localhost",
    port: emu.smtpPort!,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { type: "OAuth2", user, accessToken },
  });
}

async function smtpError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return String((err as { response?: string }).response);
  }
  throw new Error("expected the SMTP server to refuse");
}

describe("SMTP submission", () => {
  it("offers STARTTLS in the clear and AUTH LOGIN XOAUTH2 after it; XOAUTH2 after 334, then MAIL/RCPT/DATA", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    const { c, ehlo } = await secureSession();
    expect(ehlo).toContain("250-AUTH LOGIN XOAUTH2");
    expect(ehlo).not.toContain("250-STARTTLS");
    expect(await c.command("MAIL FROM:<adele@contoso.onmicrosoft.com>", /./)).toEqual([expect.stringMatching(/^530 5\.7\.57 Client not authenticated to send mail\. \[/)]);
    expect(await c.command("AUTH XOAUTH2", /./)).toEqual(["334 "]);
    expect(await c.command(xoauth2(USERS.adele.upn, at), /./)).toEqual(["235 2.7.0 Authentication successful"]);
    expect(await c.command("MAIL FROM:<adele@contoso.onmicrosoft.com>", /./)).toEqual(["250 2.1.0 Sender OK"]);
    expect(await c.command("RCPT TO:<someone@example.com>", /./)).toEqual(["250 2.1.5 Recipient OK"]);
    expect(await c.command("DATA", /./)).toEqual(["354 Start mail input; end with <CRLF>.<CRLF>"]);
    c.send("From: Adele Vance <adele@contoso.onmicrosoft.com>");
    c.send("To: someone@example.com");
    c.send("Subject: Raw SMTP");
    c.send("");
    c.send("..leading dot");
    const [done] = await c.command(".", /./);
    expect(done).toMatch(/^250 2\.0\.0 OK <[^>]+> \[Hostname=EMU01PR01CA0001\.namprd01\.prod\.outlook\.com\]$/);
    expect(await c.command("QUIT", /./)).toEqual(["221 2.0.0 Service closing transmission channel"]);
    const outbox = (await admin(emu.http, "GET", "/outbox")).body as unknown as Record<string, unknown>[];
    expect(outbox).toEqual([expect.objectContaining({ via: "smtp", mailbox: USERS.adele.upn, to: ["someone@example.com"], subject: "Raw SMTP", body: ".leading dot" })]);
  });

  it("accepts the token on the AUTH line (nodemailer) and records the message", async () => {
    const at = await delegatedToken(emu, USERS.megan.id, OUTLOOK_SCOPES.smtp);
    const info = await transport(USERS.megan.upn, at).sendMail({ from: USERS.megan.upn, to: USERS.lee.upn, subject: "Test from Mailgrant", text: "Hello" });
    expect(info.response).toMatch(/^250 2\.0\.0 OK /);
    const outbox = (await admin(emu.http, "GET", "/outbox")).body as unknown as Record<string, unknown>[];
    expect(outbox).toEqual([expect.objectContaining({ via: "smtp", sentBy: USERS.megan.upn, to: [USERS.lee.upn], subject: "Test from Mailgrant", deliveredTo: [USERS.lee.upn] })]);
    // A delegate sends as the shared mailbox when user= names it.
    await transport(USERS.support.upn, at).sendMail({ from: USERS.support.upn, to: "customer@example.com", subject: "From support", text: "Hi" });
    expect(((await admin(emu.http, "GET", "/outbox?mailbox=support@contoso.onmicrosoft.com")).body as unknown as unknown[]).length).toBe(1);
  });

  it("refuses a bad, expired or wrong-scope token with 535 5.7.3", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    const imapOnly = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.imap);
    expect(await smtpError(transport(USERS.adele.upn, "bogus").verify())).toMatch(/^535 5\.7\.3 Authentication unsuccessful \[/);
    expect(await smtpError(transport(USERS.adele.upn, imapOnly).verify())).toMatch(DIAG);
    await admin(emu.http, "POST", "/clock", { advanceSeconds: 2 * 3600 });
    expect(await smtpError(transport(USERS.adele.upn, at).verify())).toMatch(/^535 5\.7\.3 Authentication unsuccessful /);
  });

  it("answers 535 5.7.139 when SMTP AUTH is disabled for the tenant, unless the mailbox enables it", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    await admin(emu.http, "PATCH", "/tenants/contoso.onmicrosoft.com", { smtpAuthDisabled: true });
    const refused = await smtpError(transport(USERS.adele.upn, at).verify());
    expect(refused).toMatch(/^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant\. Visit https:\/\/aka\.ms\/smtp_auth_disabled for more information\. \[/);
    expect(refused).toMatch(DIAG);
    await admin(emu.http, "PATCH", `/users/${USERS.adele.upn}`, { smtpAuthDisabled: false });
    expect(await transport(USERS.adele.upn, at).verify()).toBe(true);
  });

  it("answers 535 5.7.139 for a mailbox with SMTP AUTH disabled", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    await admin(emu.http, "PATCH", `/users/${USERS.adele.upn}`, { smtpAuthDisabled: true });
    expect(await smtpError(transport(USERS.adele.upn, at).verify())).toMatch(
      /^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox\. Visit https:\/\/aka\.ms\/smtp_auth_disabled for more information\. \[/,
    );
  });

  it("refuses sending as someone else (SendAsDenied)", async () => {
    const at = await delegatedToken(emu, USERS.adele.id, OUTLOOK_SCOPES.smtp);
    const res = await smtpError(transport(USERS.adele.upn, at).sendMail({ from: USERS.megan.upn, to: "x@example.com", subject: "x", text: "x" }));
    expect(res).toMatch(/^554 5\.2\.252 SendAsDenied; adele@contoso\.onmicrosoft\.com not allowed to send as megan@contoso\.onmicrosoft\.com;/);
  });
});
