import nodemailer, { type Transporter } from "nodemailer";
import { logger } from "@/lib/logger";

// Outgoing mail (consent links). Configured with MAILGRANT_SMTP_URL; "log" writes each message to
// the server log instead (demo mode), and no setting means the portal only shows links to copy.

export type OutboundMail = { transport: Transporter; from: string; logOnly: boolean };

export function outboundMail(url: string | undefined, from: string | undefined): OutboundMail | null {
  if (!url) return null;
  const sender = from ?? "Mailgrant <no-reply@mailgrant.invalid>";
  if (url === "log") return { transport: nodemailer.createTransport({ jsonTransport: true }), from: sender, logOnly: true };
  return { transport: nodemailer.createTransport(url), from: sender, logOnly: false };
}

export type ConsentLinkMail = { to: string; orgName: string; integrationName: string; link: string; expiresAt: Date; access: string[] };

export function consentLinkMessage(m: ConsentLinkMail) {
  const until = m.expiresAt.toISOString().slice(0, 10);
  const text = [
    `${m.orgName} asks you to connect the mailbox ${m.to} to "${m.integrationName}".`,
    "",
    "It will be able to:",
    ...m.access.map((a) => `  - ${a}`),
    "",
    `Open this link and sign in with Microsoft to grant access (it works once, until ${until}):`,
    m.link,
    "",
    "If you did not expect this, ignore this message: nothing happens unless you sign in and accept.",
  ].join("\n");
  return { to: m.to, subject: `${m.orgName} asks you to connect your mailbox`, text };
}

export async function sendConsentLinkMail(out: OutboundMail, m: ConsentLinkMail): Promise<void> {
  const message = consentLinkMessage(m);
  const info = await out.transport.sendMail({ from: out.from, ...message });
  if (out.logOnly) logger.info({ to: m.to, subject: message.subject, body: message.text }, "mail (MAILGRANT_SMTP_URL=log): not sent, written here");
  else logger.info({ to: m.to, messageId: info.messageId }, "consent link mailed");
}
