import type { Db } from "@/lib/db-client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { mailFreshConsentLink } from "@/lib/alerts/self-heal";
import type { OutboundMail } from "@/lib/mail/outbound";
import { logger } from "@/lib/logger";
import { displayStatus } from "./connections";

// The Mailboxes list's bulk actions for owners and admins. Ids come from the browser, so every
// query puts orgId in its WHERE: an id of another org's connection matches nothing and is ignored.

type Actor = { id: string; email: string };

/** At most this many per request: a page of the list is 50. */
export const BULK_LIMIT = 200;

export type Skipped = { mailbox: string; why: string };

/**
 * "Test selected now": makes each selected connected mailbox due now; the worker checks them as
 * capacity allows (as "Check all mailboxes now" does), so nothing here talks to Microsoft.
 * A mailbox that needs re-consent or was revoked is skipped: its check could only fail.
 */
export async function testSelectedNow(db: Db, orgId: string, actor: Actor, ids: readonly string[], meta?: RequestMeta, now = new Date()) {
  const rows = await db.connection.findMany({
    where: { orgId, id: { in: ids.slice(0, BULK_LIMIT) } },
    select: { id: true, mailbox: true, status: true, consentedConfigVersion: true, integration: { select: { configVersion: true } } },
    orderBy: { mailbox: "asc" },
  });
  const skipped: Skipped[] = [];
  const due: { id: string; mailbox: string }[] = [];
  for (const c of rows) {
    const status = displayStatus(c);
    if (status === "connected") due.push(c);
    else skipped.push({ mailbox: c.mailbox, why: status === "revoked" ? "its grant was revoked; it needs a fresh consent first" : "it needs re-consent first; a check could only fail" });
  }
  const queued = await db.$transaction(async (tx) => {
    const { count } = due.length ? await tx.connection.updateMany({ where: { orgId, id: { in: due.map((c) => c.id) } }, data: { nextCheckAt: now } }) : { count: 0 };
    await record(tx, { action: "connection.bulk_test_requested", orgId, actor, targetType: "org", targetId: orgId, data: { queued: count, mailboxes: due.map((c) => c.mailbox), skipped: skipped.map((s) => s.mailbox) }, meta });
    return count;
  });
  return { queued, mailboxes: due.map((c) => c.mailbox), skipped, ignored: Math.min(ids.length, BULK_LIMIT) - rows.length };
}

export type ConsentLinkDeps = { db: Db; linkSecret: string; publicUrl: string; mail: OutboundMail | null };

/** Whether a mailbox needs its owner to consent again: the grant is gone or outdated, or the last check said so. */
export function needsReconsent(c: { status: string; consentedConfigVersion: number; health: string; healthClass: string | null; integration: { configVersion: number } }) {
  return displayStatus(c as Parameters<typeof displayStatus>[0]) !== "connected" || (c.health === "FAILING" && c.healthClass === "needs_reconsent");
}

/**
 * "Send fresh consent links": a new single-use consent link (the older one for the mailbox stops
 * working), mailed to each selected mailbox that needs re-consent (a shared mailbox: to the
 * delegate who consented, whose grant reads it). The others are skipped, with the reason.
 */
export async function sendFreshConsentLinks(deps: ConsentLinkDeps, org: { id: string; name: string }, actor: Actor, ids: readonly string[], meta?: RequestMeta) {
  const rows = await deps.db.connection.findMany({
    where: { orgId: org.id, id: { in: ids.slice(0, BULK_LIMIT) } },
    select: { id: true, mailbox: true, mailboxKind: true, upn: true, status: true, consentedConfigVersion: true, health: true, healthClass: true, healthReason: true, integration: { select: { id: true, name: true, configVersion: true, purposes: true } } },
    orderBy: { mailbox: "asc" },
  });
  const sent: { mailbox: string; to: string }[] = [];
  const skipped: Skipped[] = [];
  for (const c of rows) {
    if (!needsReconsent(c)) { skipped.push({ mailbox: c.mailbox, why: "it does not need re-consent" }); continue; }
    if (!deps.mail) { skipped.push({ mailbox: c.mailbox, why: "outgoing mail is not configured (MAILGRANT_SMTP_URL)" }); continue; }
    try {
      const outdated = c.consentedConfigVersion < c.integration.configVersion;
      const reason = c.status === "REVOKED" ? "Its grant was revoked." : outdated ? `${c.integration.name} now asks for permissions this mailbox has not granted yet.` : (c.healthReason ?? "Its grant no longer works.");
      const { to, linkId } = await mailFreshConsentLink({ ...deps, mail: deps.mail }, org, actor, c, reason, meta);
      await deps.db.connectionEvent.create({ data: { connectionId: c.id, kind: "consent_link_sent", detail: { to, consentLinkId: linkId, by: actor.email } } });
      sent.push({ mailbox: c.mailbox, to });
    } catch (err) {
      logger.error({ err, orgId: org.id, connectionId: c.id }, "bulk consent link: could not send");
      skipped.push({ mailbox: c.mailbox, why: "the mail could not be sent; try again, or create a consent link for it with “Invite a mailbox owner” above and send it yourself" });
    }
  }
  await record(deps.db, { action: "connection.bulk_consent_links_sent", orgId: org.id, actor, targetType: "org", targetId: org.id, data: { sent: sent.map((s) => s.mailbox), skipped: skipped.map((s) => `${s.mailbox}: ${s.why}`) }, meta });
  return { sent, skipped, ignored: Math.min(ids.length, BULK_LIMIT) - rows.length, mode: deps.mail?.mode ?? null };
}
