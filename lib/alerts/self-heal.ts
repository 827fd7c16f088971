import type { Prisma } from "@/generated/prisma/client";
import { record } from "@/lib/audit/record";
import { createConsentLink, markEmailed } from "@/lib/connections/links";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import type { Purpose } from "@/lib/microsoft/scopes";
import { logger } from "@/lib/logger";
import type { Db } from "@/lib/db-client";
import type { OutboundMail } from "@/lib/mail/outbound";
import type { RequestMeta } from "@/lib/audit/record";
import type { AlertDeps } from "./deps";
import type { HealRequest } from "./evaluate";

// Mailboxes that heal themselves: in an org whose re-consent policy is "also email the owner", a
// mailbox that needs consent again gets a fresh single-use consent link by email (a user mailbox:
// to the mailbox; a shared mailbox: to the delegate who consented, whose grant reads it). When the
// owner signs in through it the grant is replaced, the next check passes, and the evaluator sends
// connection.recovered. The evaluator asks once per failing spell (healLinkSentAt).

export const SELF_HEALING_ACTOR = { id: null, email: "Mailgrant (self-healing)" } as const;

export type HealOutcome = { connectionId: string; sent: boolean; to?: string; why?: string };

export function healMessage(m: { to: string; mailbox: string; shared: boolean; orgName: string; integrationName: string; reason: string; link: string; expiresAt: Date; access: string[] }) {
  const until = m.expiresAt.toISOString().slice(0, 10);
  const whose = m.shared ? `the shared mailbox ${m.mailbox}, which you connected` : `your mailbox ${m.mailbox}`;
  const text = [
    `${m.orgName} uses ${whose} with "${m.integrationName}", and it has stopped working:`,
    "",
    `  ${m.reason}`,
    "",
    "Microsoft needs you to sign in and grant access again. Open this link and sign in with Microsoft (it works once, until " + until + "):",
    m.link,
    "",
    "It will be able to:",
    ...m.access.map((a) => `  - ${a}`),
    "",
    "Until then mail for this mailbox is not read or sent by that software. If you did not expect this, ask your IT admin; nothing changes unless you sign in and accept.",
  ].join("\n");
  return { to: m.to, subject: `Action needed: reconnect ${m.mailbox} to ${m.integrationName}`, text };
}

export async function sendHealLinks(deps: AlertDeps, requests: readonly HealRequest[]): Promise<HealOutcome[]> {
  const out: HealOutcome[] = [];
  for (const r of requests) {
    try {
      out.push(await healOne(deps, r));
    } catch (err) {
      logger.error({ err, orgId: r.orgId, connectionId: r.connectionId }, "self-healing: could not send a consent link");
      await note(deps, r, "heal_link_failed", { why: (err as Error).message }).catch(() => {});
      out.push({ connectionId: r.connectionId, sent: false, why: (err as Error).message });
    }
  }
  return out;
}

export type ConsentMailDeps = { db: Db; linkSecret: string; publicUrl: string; mail: OutboundMail };
type ConsentMailTarget = { mailbox: string; mailboxKind: "USER" | "SHARED"; upn: string; integration: { id: string; name: string; purposes: string[] } };

/**
 * A fresh single-use consent link for a mailbox (the older one stops working), mailed to its
 * owner: a user mailbox's own address, a shared mailbox's delegate who consented. Self-healing
 * and the Mailboxes list's "Send fresh consent links" both send it this way. Returns where it went.
 */
export async function mailFreshConsentLink(deps: ConsentMailDeps, org: { id: string; name: string }, actor: Parameters<typeof createConsentLink>[3], c: ConsentMailTarget, reason: string, meta?: RequestMeta): Promise<{ to: string; linkId: string }> {
  const shared = c.mailboxKind === "SHARED";
  const to = shared ? c.upn.toLowerCase() : c.mailbox;
  const { link, token } = await createConsentLink(deps.db, deps.linkSecret, org.id, actor, { integrationId: c.integration.id, mailbox: c.mailbox, mailboxKind: c.mailboxKind }, meta);
  const message = healMessage({
    to,
    mailbox: c.mailbox,
    shared,
    orgName: org.name,
    integrationName: c.integration.name,
    reason,
    link: `${deps.publicUrl}/consent/${token}`,
    expiresAt: link.expiresAt,
    access: (c.integration.purposes as Purpose[]).map((p) => PURPOSE_LABELS[p]?.label ?? p),
  });
  await deps.mail.send({ ...message, orgId: org.id });
  await markEmailed(deps.db, link.id);
  return { to, linkId: link.id };
}

async function note(deps: AlertDeps, r: HealRequest, kind: string, detail: Record<string, unknown>) {
  await deps.db.connectionEvent.create({ data: { connectionId: r.connectionId, kind, detail: detail as Prisma.InputJsonValue } });
}

async function healOne(deps: AlertDeps, r: HealRequest): Promise<HealOutcome> {
  const c = await deps.db.connection.findFirst({
    where: { id: r.connectionId, orgId: r.orgId },
    select: { id: true, mailbox: true, mailboxKind: true, upn: true, healthReason: true, health: true, healthClass: true, org: { select: { id: true, name: true } }, integration: { select: { id: true, name: true, purposes: true } } },
  });
  if (!c || c.health !== "FAILING" || c.healthClass !== "needs_reconsent") return { connectionId: r.connectionId, sent: false, why: "no longer needs consent" };
  if (!deps.mail) {
    await note(deps, r, "heal_link_not_sent", { why: "Outgoing mail is not configured (MAILGRANT_SMTP_URL)." });
    return { connectionId: c.id, sent: false, why: "no outgoing mail" };
  }
  const { to, linkId } = await mailFreshConsentLink({ ...deps, mail: deps.mail }, c.org, SELF_HEALING_ACTOR, c, c.healthReason ?? "The grant no longer works.");
  await note(deps, r, "heal_link_sent", { to, consentLinkId: linkId });
  await record(deps.db, { action: "connection.heal_link_sent", orgId: r.orgId, actor: SELF_HEALING_ACTOR, targetType: "connection", targetId: c.id, data: { mailbox: c.mailbox, to, integration: c.integration.name } });
  logger.info({ orgId: r.orgId, connectionId: c.id }, "self-healing: consent link mailed");
  return { connectionId: c.id, sent: true, to };
}
