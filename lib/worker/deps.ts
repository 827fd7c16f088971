import { env, type Env } from "@/lib/env";
import type { Db } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import type { MailHostSettings, TestDeps } from "@/lib/connections/connection-test";
import { outboundMail } from "@/lib/mail/outbound";
import type { AlertDeps } from "@/lib/alerts/deps";

// What a check needs from the deployment, built from configuration. Plain (not "server-only" like
// lib/deployment.ts, which resolves only inside Next's bundle), because the worker also runs in
// `npm run worker` and in the custom server; lib/deployment.ts reuses mailHostFromEnv.

export function mailHostFromEnv(e: Env = env()): MailHostSettings | undefined {
  if (!e.MICROSOFT_MAIL_HOST) return undefined;
  return {
    host: e.MICROSOFT_MAIL_HOST,
    ...(e.MICROSOFT_IMAP_PORT ? { imapPort: e.MICROSOFT_IMAP_PORT } : {}),
    ...(e.MICROSOFT_POP_PORT ? { popPort: e.MICROSOFT_POP_PORT } : {}),
    ...(e.MICROSOFT_SMTP_PORT ? { smtpPort: e.MICROSOFT_SMTP_PORT } : {}),
  };
}

export function workerDeps(e: Env = env()): Omit<TestDeps, "db"> {
  const mailHost = mailHostFromEnv(e);
  return {
    keyring: parseKeyring(e.MAILGRANT_ENCRYPTION_KEYS),
    hostMap: hostMapFromBase(e.MICROSOFT_ENDPOINT_BASE),
    ...(mailHost ? { mailHost } : {}),
  };
}

/** The portal's public address (links in alerts and consent mails). */
export const publicUrlFromEnv = (e: Env = env()) => (e.AUTH_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");

/** Signs consent links. AUTH_SECRET is required in production; development falls back to a fixed value. */
export const linkSecretFromEnv = (e: Env = env()) => e.AUTH_SECRET ?? "mailgrant-development-only-link-secret";

/** What alerting needs, for the worker and server actions alike (`db` is the caller's; the demo outbox writes to it). */
export function alertDepsFromEnv(db: Db, e: Env = env()): AlertDeps {
  return {
    db,
    keyring: parseKeyring(e.MAILGRANT_ENCRYPTION_KEYS),
    mail: outboundMail(e.MAILGRANT_SMTP_URL, e.MAILGRANT_MAIL_FROM, db),
    publicUrl: publicUrlFromEnv(e),
    allowLocalWebhooks: e.MAILGRANT_WEBHOOKS_ALLOW_LOCAL === "1",
    linkSecret: linkSecretFromEnv(e),
  };
}
