import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import nodemailer from "nodemailer";
import { createOrg, emulator, escapeRegExp, makeApp, makeTenant, registerIntegration, reloadUntil, signIn, connectAndOpenMailbox } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// The mail bridge as an admin sets it up for a printer: a credential made on the mailbox page, a
// client that only knows AUTH PLAIN sends through the bridge's SMTP port, the message reaches the
// emulator's Sent Items, the session shows on the mailbox's timeline, and a revoked credential is
// refused in SMTP's own words.

const root = path.resolve(import.meta.dirname, "..");
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 3300);
// playwright.config.ts puts the bridge's SMTP (STARTTLS) listener next to the emulator's ports.
const bridgeSmtpPort = emulatorPort + 11;
// Demo mode's self-signed bridge certificate, in the e2e data folder (lib/bridge/config.ts).
const bridgeCa = () => readFileSync(path.join(root, ".data", "e2e", "bridge-tls", "bridge-cert.pem"));

function printer(user: string, pass: string) {
  return nodemailer.createTransport({ host: "localhost", port: bridgeSmtpPort, secure: false, requireTLS: true, auth: { user, pass, method: "PLAIN" }, tls: { ca: bridgeCa() } });
}

test("[mail bridge]: an admin creates a bridge credential, a client sends with AUTH PLAIN through it, the message is sent and the session is on the timeline", async ({ page }) => {
  const t = await makeTenant("Bridge", ["Paula Printer"]);
  const paula = t.users[0]!;
  await signIn(page, paula);
  await createOrg(page, "Bridge Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^SMTP send/], "Printer mail");
  const mailboxPath = await connectAndOpenMailbox(page, t.slug, paula.upn);

  const card = page.getByRole("region", { name: "Mail bridge" });
  const form = card.getByRole("form", { name: "Create a bridge credential" });
  await form.getByLabel("What it is for").fill("Office printer");
  await expect(form.getByRole("checkbox", { name: /SMTP/ })).toBeChecked();
  await form.getByRole("button", { name: "Create bridge credential" }).click();
  await expect(card.getByText("Copy the password now: Mailgrant keeps only a hash and cannot show it again.")).toBeVisible();
  const username = await card.getByLabel("Bridge username").inputValue();
  const password = await card.getByLabel("Bridge password").inputValue();
  expect(username).toBe(paula.upn);
  expect(password).toMatch(/^[0-9A-Za-z]{24}$/);
  await expect(card).toContainText(`port ${bridgeSmtpPort} (STARTTLS)`);
  await expectAccessible(page);
  await expectFitsPhone(page);

  const subject = `Scan from the office printer ${t.slug}`;
  const sent = await printer(username, password).sendMail({ from: paula.upn, to: paula.upn, subject, text: "A scanned page." });
  expect(sent.response).toMatch(/^250 /);
  const outbox = await emulator.outbox();
  expect(outbox.some((m: { subject?: string }) => m.subject === subject)).toBe(true);

  await reloadUntil(page, `${mailboxPath}?kind=bridge#card-history`, async () => {
    await expect(page.getByRole("region", { name: "History" })).toContainText(/SMTP from (127\.0\.0\.1|::1)/, { timeout: 2_000 });
  });
  await expect(page.getByRole("region", { name: "History" })).toContainText('signed in with "Office printer"');

  // Revoked: sign-ins are refused with SMTP's code and the reason, within the bridge's revocation
  // poll interval (3 s; it remembers a credential that long, lib/bridge/recent-reads.ts).
  await page.goto(mailboxPath);
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("region", { name: "Mail bridge" }).getByRole("button", { name: "Revoke Office printer" }).click();
  // The row's revoke form goes with the revocation: the row itself says so.
  const revoked = page.getByRole("list", { name: "Bridge credentials" }).getByRole("listitem").filter({ hasText: "Office printer" });
  await expect(revoked).toContainText("Revoked");
  // Who revoked it and when, in the page's date style.
  await expect(revoked).toContainText(new RegExp(`Revoked \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} UTC by ${escapeRegExp(paula.upn)}`));
  // The revoked credential keeps the mailbox address: the form offers only a generated name now.
  const again = page.getByRole("form", { name: "Create a bridge credential" });
  await expect(again.getByRole("radio", { name: /The mailbox address/ })).toBeDisabled();
  await expect(again.getByRole("radio", { name: /A generated name/ })).toBeChecked();
  const attempt = () => printer(username, password).sendMail({ from: paula.upn, to: paula.upn, subject: "after revoking", text: "." }).then(() => "sent", (e: Error) => e.message);
  await expect.poll(attempt, { timeout: 15_000 }).toMatch(/535 5\.7\.8 Mailgrant: this bridge credential was revoked/);
});
