import type { LookupFunction } from "node:net";
import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { OutboundMail } from "@/lib/mail/outbound";

// What alerting needs from the deployment; the worker builds it from configuration (alertDeps in
// lib/worker/deps.ts), server actions from lib/deployment.ts, tests pass their own.

export type AlertDeps = {
  db: Db;
  keyring: Keyring;
  /** Outgoing mail (email channels, self-healing consent links); null: email channels cannot send. */
  mail: OutboundMail | null;
  /** The portal's public address, for links to mailbox and integration pages. */
  publicUrl: string;
  /** MAILGRANT_WEBHOOKS_ALLOW_LOCAL: http:// and loopback/private addresses allowed (tests, local receivers). */
  allowLocalWebhooks: boolean;
  /** Consent link signing secret (self-healing links). */
  linkSecret: string;
  /** Tests: a DNS lookup to use instead of the system's. */
  lookup?: LookupFunction;
  now?: () => Date;
};
