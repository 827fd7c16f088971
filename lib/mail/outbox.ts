import type { Db } from "@/lib/db-client";
import type { MailMessage } from "./outbound";

// Demo mode's outbox (MAILGRANT_SMTP_URL=outbox): mail the portal would have sent, kept as rows
// and shown on a page only in demo mode. Not org-scoped on purpose: the demo is one person's
// portal, and the page lists everything the deployment would have mailed.

export type OutboxEntry = { id: string; orgId: string | null; to: string[]; subject: string; text: string; html: string | null; createdAt: Date };

/** Stores one message; returns its id. */
export async function storeInOutbox(db: Pick<Db, "outboxMail">, m: MailMessage): Promise<string> {
  const row = await db.outboxMail.create({
    data: { orgId: m.orgId ?? null, to: Array.isArray(m.to) ? m.to : [m.to], subject: m.subject, text: m.text, html: m.html ?? null },
    select: { id: true },
  });
  return row.id;
}

/** The newest messages first. */
export async function listOutbox(db: Pick<Db, "outboxMail">, opts: { limit?: number } = {}): Promise<OutboxEntry[]> {
  return db.outboxMail.findMany({
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(opts.limit ?? 50, 1), 500),
    select: { id: true, orgId: true, to: true, subject: true, text: true, html: true, createdAt: true },
  });
}
