import nodemailer from "nodemailer";
import { describe, expect, it } from "vitest";
import { emulatorAdmin } from "@/emulator/client";
import { newKey } from "@/test-support/api-fixtures";
import { ADELE, connectedOrg, credential, rawClient, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// SMTP submission through the bridge to the emulator's Exchange stand-in, with nodemailer as the
// legacy client: AUTH PLAIN and LOGIN on the STARTTLS and implicit-TLS ports, and every refusal in
// SMTP's words with the bridge's hint.

const t = setupBridge();
const MEGAN_ID = "c0a70500-0000-4000-8000-0000000000a2";
const SUPPORT = "support@contoso.onmicrosoft.com";
const admin = () => emulatorAdmin(t.emu.http);

function transport(port: "smtp" | "smtps", auth: { user: string; pass: string }, method: "PLAIN" | "LOGIN" = "PLAIN") {
  return nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.bridge.ports[port]!,
    secure: port === "smtps",
    requireTLS: port === "smtp",
    auth: { ...auth, method },
    tls: { servername: "localhost" },
  });
}

async function send(port: "smtp" | "smtps", auth: { user: string; pass: string }, method: "PLAIN" | "LOGIN" = "PLAIN", subject = `Bridge ${Math.random().toString(36).slice(2)}`) {
  const tr = transport(port, auth, method);
  try {
    return { subject, info: await tr.sendMail({ from: ADELE, to: "someone@example.com", subject, text: "Scanned document attached (not really)." }) };
  } finally {
    tr.close();
  }
}

const refusal = async (p: Promise<unknown>) => {
  const e = (await p.then(() => null).catch((err: unknown) => err)) as { responseCode?: number; response?: string } | null;
  expect(e).not.toBeNull();
  return e!;
};

describe("SMTP bridge: sending", () => {
  it("AUTH PLAIN over 587 with STARTTLS and AUTH LOGIN over 465: the message reaches the mailbox's Sent Items", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const plain = await send("smtp", { user: c.username, pass: c.password }, "PLAIN");
    expect(plain.info.response).toMatch(/^250 2\.0\.0 OK/);
    const login = await send("smtps", { user: c.username, pass: c.password }, "LOGIN");
    expect(login.info.accepted).toEqual(["someone@example.com"]);
    const outbox = (await admin().outbox(ADELE)) as { subject?: string }[];
    expect(outbox.map((m) => m.subject)).toEqual(expect.arrayContaining([plain.subject, login.subject]));
    const box = (await admin().mailbox(ADELE)) as { sentItems: { subject: string }[] };
    expect(box.sentItems.map((m) => m.subject)).toEqual(expect.arrayContaining([plain.subject, login.subject]));

    await expect.poll(async () => (await sessionsOf(t, s.id)).length).toBe(2);
    const [first] = await sessionsOf(t, s.id);
    expect(first!.detail).toMatchObject({ protocol: "smtp", clientIp: "127.0.0.1", outcome: "ok", via: { kind: "credential", name: "Printer", username: c.username } });
    const d = first!.detail as { bytesFromClient: number; bytesToClient: number };
    expect(d.bytesFromClient).toBeGreaterThan(100);
    expect(d.bytesToClient).toBeGreaterThan(100);
  });

  it("AUTH PLAIN without an initial response (334 continuation), from a raw client", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const raw = await rawClient(t.bridge.ports.smtps!);
    expect(await raw.line()).toMatch(/^220 /);
    raw.send("EHLO scanner");
    expect((await raw.until(/^250 /)).join("\n")).toContain("AUTH PLAIN LOGIN");
    raw.send("AUTH PLAIN");
    expect(await raw.line()).toBe("334 ");
    raw.send(Buffer.from(`\0${c.username}\0${c.password}`).toString("base64"));
    expect(await raw.line()).toBe("235 2.7.0 Authentication successful");
    raw.send(`MAIL FROM:<${ADELE}>`);
    expect(await raw.line()).toMatch(/^250 2\.1\.0/); // Exchange's own words, relayed
    raw.send("QUIT");
    expect(await raw.line()).toMatch(/^221 /);
    expect(await raw.line()).toBeNull();
  });

  it("a shared mailbox sends through its delegate's grant, signed in upstream as the shared address", async () => {
    const s = await connectedOrg(t, { account: MEGAN_ID, mailbox: { address: SUPPORT, kind: "SHARED" } });
    const c = await credential(s);
    const tr = transport("smtps", { user: c.username, pass: c.password });
    const subject = `Shared ${Math.random().toString(36).slice(2)}`;
    expect((await tr.sendMail({ from: SUPPORT, to: "someone@example.com", subject, text: "From the support mailbox." })).response).toMatch(/^250 /);
    tr.close();
    const box = (await admin().mailbox(SUPPORT)) as { sentItems: { subject: string }[] };
    expect(box.sentItems.map((m) => m.subject)).toContain(subject);
  });

  it("an API key with the Outlook resource works as the password, with the mailbox address as the username", async () => {
    const s = await connectedOrg(t);
    const key = await newKey(s.db, s, { resources: ["outlook"] });
    const sent = await send("smtps", { user: ADELE, pass: key });
    expect(sent.info.response).toMatch(/^250 /);
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => (e.detail as { via: { kind: string } }).via.kind)).toEqual(["api_key"]);
  });
});

describe("SMTP bridge: refusals", () => {
  it("no AUTH before STARTTLS on 587: not offered, and refused as Exchange does", async () => {
    const raw = await rawClient(t.bridge.ports.smtp!, { tls: false });
    expect(await raw.line()).toMatch(/^220 /);
    raw.send("EHLO scanner");
    const ehlo = (await raw.until(/^250 /)).join("\n");
    expect(ehlo).toContain("STARTTLS");
    expect(ehlo).not.toContain("AUTH");
    raw.send(`AUTH PLAIN ${Buffer.from("\0x\0y").toString("base64")}`);
    expect(await raw.line()).toBe("530 5.7.0 Must issue a STARTTLS command first");
    raw.send("MAIL FROM:<a@b.c>");
    expect(await raw.line()).toBe("530 5.7.0 Must issue a STARTTLS command first");
    raw.send("STARTTLS");
    expect(await raw.line()).toMatch(/^220 /);
    await raw.starttls();
    raw.send("EHLO scanner");
    expect((await raw.until(/^250 /)).join("\n")).toContain("AUTH PLAIN LOGIN");
    raw.close();
  });

  it("a wrong password: 535 5.7.8 with the hint, nothing recorded on the mailbox", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const e = await refusal(send("smtp", { user: c.username, pass: `${c.password}x` }));
    expect(e.responseCode).toBe(535);
    expect(e.response).toMatch(/^535 5\.7\.8 Mailgrant: wrong username or password/);
    expect(await sessionsOf(t, s.id)).toEqual([]);
  });

  it("a revoked credential, one without SMTP, and one used from a disallowed address are refused", async () => {
    const s = await connectedOrg(t);
    const revoked = await credential(s);
    await s.db.bridgeCredential.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    expect((await refusal(send("smtps", { user: revoked.username, pass: revoked.password }))).response).toMatch(/^535 5\.7\.8 Mailgrant: this bridge credential was revoked/);
    const imapOnly = await credential(s, { protocols: ["imap"] });
    expect((await refusal(send("smtps", { user: imapOnly.username, pass: imapOnly.password }))).response).toMatch(/^535 5\.7\.8 Mailgrant: this bridge credential is not allowed to use SMTP/);
    const elsewhere = await credential(s, { allowedIps: ["192.0.2.0/24"] });
    expect((await refusal(send("smtps", { user: elsewhere.username, pass: elsewhere.password }))).response).toMatch(/^535 5\.7\.8 Mailgrant: this bridge credential may not be used from 127\.0\.0\.1/);
  });

  it("a credential revoked after use is refused within the revocation poll interval, though the bridge remembered it", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    expect((await send("smtps", { user: c.username, pass: c.password })).info.response).toMatch(/^250/);
    await s.db.bridgeCredential.update({ where: { id: c.id }, data: { revokedAt: new Date() } });
    // The bridge remembers a credential as long as its revocation poll interval (200 ms here): within it, refused.
    const attempt = () => send("smtps", { user: c.username, pass: c.password }).then(() => "sent", (e: { response?: string }) => e.response ?? String(e));
    await expect.poll(attempt, { timeout: 10_000, interval: 50 }).toMatch(/^535 5\.7\.8 Mailgrant: this bridge credential was revoked/);
  });

  it("a connection needing re-consent: 535 5.7.8 naming the mailbox page", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await admin().revokeRefreshTokens({ upn: ADELE });
    await s.db.connectionAccessToken.deleteMany({ where: { connectionId: s.id } });
    const e = await refusal(send("smtps", { user: c.username, pass: c.password }));
    expect(e.response).toBe(`535 5.7.8 Mailgrant: this mailbox needs re-consent, see http://localhost:3000/orgs/${s.org.slug}/mailboxes/${s.id}`);
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((x) => (x.detail as { outcome: string }).outcome)).toEqual(["token_failed"]);
    // Now the connection itself says so: the next sign-in is refused before any token is asked for.
    const again = await refusal(send("smtps", { user: c.username, pass: c.password }));
    expect(again.response).toMatch(/needs re-consent, see http:\/\/localhost:3000\/orgs\//);
  });

  it("Exchange refusing SMTP AUTH for the tenant: its 535 5.7.139 passes through, with what to do", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    await admin().updateTenant("contoso.onmicrosoft.com", { smtpAuthDisabled: true });
    try {
      const e = await refusal(send("smtp", { user: c.username, pass: c.password }));
      expect(e.responseCode).toBe(535);
      expect(e.response).toContain("5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.");
      expect(e.response).toContain(`Set-CASMailbox -Identity ${ADELE} -SmtpClientAuthenticationDisabled $false`);
      await expect.poll(async () => (await sessionsOf(t, s.id)).map((x) => x.code)).toEqual(["smtp_auth_disabled"]);
    } finally {
      await admin().updateTenant("contoso.onmicrosoft.com", { smtpAuthDisabled: false });
    }
  });
});
