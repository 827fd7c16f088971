import nodemailer, { type Transporter } from "nodemailer";
import type { Db } from "@/lib/db-client";
import { logger } from "@/lib/logger";
import { storeInOutbox } from "./outbox";

// Outgoing mail (consent links, email alerts). Configured with MAILGRANT_SMTP_URL: an smtp(s) URL
// sends; "outbox" stores each message in the portal's demo outbox (OutboxMail, shown in demo mode)
// so a newcomer sees what would have gone out; "log" writes it to the server log; no setting means
// the portal only shows links to copy and email channels cannot send.

export type MailMessage = { to: string | string[]; subject: string; text: string; html?: string | undefined; orgId?: string | null };
/** What the server said: the SMTP reply (code 250 …), or null for the outbox and the log. */
export type SentMail = { messageId: string | null; code: number | null; response: string | null };

export type OutboundMail = {
  mode: "smtp" | "log" | "outbox";
  from: string;
  send(message: MailMessage): Promise<SentMail>;
};

const DEFAULT_FROM = "Mailgrant <no-reply@mailgrant.invalid>";

const replyCode = (response: unknown): number | null => {
  const m = typeof response === "string" ? /^(\d{3})\b/.exec(response) : null;
  return m ? Number(m[1]) : null;
};

/** Mail through a nodemailer transport (SMTP, or a test's jsonTransport). */
export function transportMail(transport: Transporter, from: string = DEFAULT_FROM, mode: "smtp" | "log" = "smtp"): OutboundMail {
  return {
    mode,
    from,
    async send(m) {
      const { orgId: _orgId, ...message } = m;
      void _orgId;
      const info = await transport.sendMail({ from, ...message });
      if (mode === "log") logger.info({ to: m.to, subject: m.subject, body: m.text }, "mail (MAILGRANT_SMTP_URL=log): not sent, written here");
      return { messageId: info.messageId ?? null, code: replyCode(info.response), response: typeof info.response === "string" ? info.response : null };
    },
  };
}

/** The deployment's outgoing mail; `db` is required for "outbox" (the messages are rows). */
export function outboundMail(url: string | undefined, from: string | undefined, db?: Pick<Db, "outboxMail">): OutboundMail | null {
  if (!url) return null;
  const sender = from ?? DEFAULT_FROM;
  if (url === "log") return transportMail(nodemailer.createTransport({ jsonTransport: true }), sender, "log");
  if (url === "outbox") {
    if (!db) throw new Error("MAILGRANT_SMTP_URL=outbox stores mail in the database: pass the db to outboundMail");
    return {
      mode: "outbox",
      from: sender,
      async send(m) {
        const id = await storeInOutbox(db, m);
        logger.info({ to: m.to, subject: m.subject, outboxId: id }, "mail (MAILGRANT_SMTP_URL=outbox): not sent, kept in the demo outbox");
        return { messageId: id, code: null, response: null };
      },
    };
  }
  return transportMail(nodemailer.createTransport(url), sender, "smtp");
}

export type ConsentLinkMail = { to: string; orgName: string; integrationName: string; link: string; expiresAt: Date; access: string[]; orgId?: string };

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
  const sent = await out.send({ ...message, orgId: m.orgId ?? null });
  if (out.mode === "smtp") logger.info({ to: m.to, messageId: sent.messageId }, "consent link mailed");
}
