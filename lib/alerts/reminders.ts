import type { Tx } from "@/lib/db-client";
import { CREDENTIAL_REMINDER_DAYS, INACTIVITY_REMINDER_DAYS } from "./events";
import { emitEvent, type QueuedDelivery } from "./emit";
import { connectionRef, integrationRef, integrationUrl, orgRef } from "./payloads";

// Reminders before a deadline, once per threshold: an unused grant 14, 7 and 1 days before
// Microsoft drops it (connection.at_risk), an integration's secret or certificate 30, 14, 7 and 1
// days before it expires (integration.secret_expiring: one event for the integration, not one per
// mailbox). The deadlines are the hourly expiry scan's ExpiryNotice rows; remindedDays remembers
// the smallest threshold already told, so a notice first seen 20 days out gets the "30 days"
// reminder (saying 20) and then 14, 7 and 1.

const DAY_MS = 86_400_000;
const MAX_DAYS = Math.max(...CREDENTIAL_REMINDER_DAYS, ...INACTIVITY_REMINDER_DAYS);

/** The threshold a deadline `daysLeft` away falls under (the smallest one at or above it), or null. */
export function thresholdFor(daysLeft: number, thresholds: readonly number[]): number | null {
  const fitting = thresholds.filter((t) => daysLeft <= t);
  return fitting.length ? Math.min(...fitting) : null;
}

export async function evaluateReminders(tx: Tx, now: Date, publicUrl: string): Promise<QueuedDelivery[]> {
  const notices = await tx.expiryNotice.findMany({
    where: { resolvedAt: null, kind: { in: ["inactivity", "secret", "certificate"] }, deadline: { gt: now, lte: new Date(now.getTime() + MAX_DAYS * DAY_MS) }, OR: [{ remindedDays: null }, { remindedDays: { gt: 1 } }] },
    orderBy: { deadline: "asc" },
    take: 1000,
  });
  const deliveries: QueuedDelivery[] = [];
  for (const n of notices) {
    const daysLeft = Math.ceil((n.deadline.getTime() - now.getTime()) / DAY_MS);
    const threshold = thresholdFor(daysLeft, n.kind === "inactivity" ? INACTIVITY_REMINDER_DAYS : CREDENTIAL_REMINDER_DAYS);
    if (threshold === null || (n.remindedDays !== null && n.remindedDays <= threshold)) continue;
    const sent = n.kind === "inactivity" ? await remindInactivity(tx, n, daysLeft, now, publicUrl) : await remindCredential(tx, n, daysLeft, now, publicUrl);
    // Told or not (the target is gone or no longer connected), this threshold is done.
    await tx.expiryNotice.update({ where: { id: n.id }, data: { remindedDays: threshold } });
    if (sent) deliveries.push(...sent);
  }
  return deliveries;
}

type Notice = { orgId: string; targetId: string; deadline: Date; kind: string };

async function remindInactivity(tx: Tx, n: Notice, daysLeft: number, now: Date, publicUrl: string) {
  const c = await tx.connection.findFirst({
    where: { id: n.targetId, orgId: n.orgId, status: "CONNECTED" },
    select: { id: true, mailbox: true, mailboxKind: true, displayName: true, tenantId: true, org: { select: { id: true, slug: true, name: true } }, integration: { select: { id: true, name: true, cloud: true } } },
  });
  if (!c) return null;
  const when = daysLeft <= 1 ? "within a day" : `in ${daysLeft} days`;
  const r = await emitEvent(
    tx,
    {
      orgId: n.orgId,
      type: "connection.at_risk",
      connectionId: c.id,
      integrationId: c.integration.id,
      tenantId: c.tenantId,
      data: {
        org: orgRef(c.org),
        connection: connectionRef(c, c.org, publicUrl),
        integration: integrationRef(c.integration),
        reason: "inactivity",
        deadline: n.deadline.toISOString(),
        daysLeft,
        explanation: `Microsoft drops a refresh token that goes unused for 90 days. This mailbox's grant has not been used and dies ${when} (${n.deadline.toISOString().slice(0, 10)}), after which mail stops until its owner consents again. Mailgrant's keep-alive should have used it: its refreshes are failing.`,
        fix: "Open the mailbox page and press \"Refresh now\". If the refresh fails, follow the explanation shown there; if it needs consent, send the owner a new consent link before the deadline.",
      },
    },
    now,
  );
  return r.deliveries;
}

async function remindCredential(tx: Tx, n: Notice, daysLeft: number, now: Date, publicUrl: string) {
  const i = await tx.integration.findFirst({ where: { id: n.targetId, orgId: n.orgId }, select: { id: true, name: true, cloud: true, org: { select: { id: true, slug: true, name: true } }, _count: { select: { connections: true } } } });
  if (!i) return null;
  const credential = n.kind === "certificate" ? "certificate" : "secret";
  const r = await emitEvent(
    tx,
    {
      orgId: n.orgId,
      type: "integration.secret_expiring",
      integrationId: i.id,
      data: {
        org: orgRef(i.org),
        integration: { ...integrationRef(i), url: integrationUrl(publicUrl, i.org.slug, i.id) },
        credential,
        expiresAt: n.deadline.toISOString(),
        daysLeft,
        mailboxes: i._count.connections,
        fix:
          credential === "secret"
            ? "In the Azure portal, open the app registration → Certificates & secrets → New client secret, copy its Value (not the Secret ID), and paste it on the integration's Edit page in Mailgrant before the old one expires."
            : "Upload a new certificate to the app registration in the Azure portal (Certificates & secrets → Certificates) and to the integration's Edit page in Mailgrant before the old one expires.",
      },
    },
    now,
  );
  return r.deliveries;
}
