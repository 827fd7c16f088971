import type { Db } from "@/lib/db-client";
import type { RequestMeta } from "@/lib/audit/record";
import { logger } from "@/lib/logger";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import type { Purpose } from "@/lib/microsoft/scopes";
import { getIntegration } from "@/lib/integrations/integrations";
import { sendConsentLinkMail, type OutboundMail } from "@/lib/mail/outbound";
import { createConsentLink, markEmailed } from "./links";

type Actor = { id: string; email: string };

const DELIVERED = { smtp: "emailed", log: "logged", outbox: "outbox" } as const satisfies Record<OutboundMail["mode"], LinkDelivery>;

/** How the link reached (or did not reach) its mailbox owner. */
export type LinkDelivery = "shown" | "emailed" | "logged" | "outbox" | "mail_failed";

export type InviteMailboxDeps = { db: Db; linkSecret: string; publicUrl: string; outbound: OutboundMail | null };

/**
 * "Invite a mailbox owner": creates the single-use consent link (withdrawing an older one for the
 * same mailbox), mails it when outgoing mail is configured, and returns the link to show once.
 */
export async function inviteMailbox(
  deps: InviteMailboxDeps,
  org: { id: string; name: string },
  actor: Actor,
  input: { integrationId: string; mailbox: string; mailboxKind: "USER" | "SHARED" },
  meta?: RequestMeta,
): Promise<{ mailbox: string; url: string; delivery: LinkDelivery; withdrewEarlier: boolean }> {
  const { link, token, withdrewEarlier } = await createConsentLink(deps.db, deps.linkSecret, org.id, actor, input, meta);
  const url = `${deps.publicUrl}/consent/${token}`;
  if (!deps.outbound) return { mailbox: link.mailbox, url, delivery: "shown", withdrewEarlier };
  const integration = await getIntegration(deps.db, org.id, link.integrationId);
  try {
    await sendConsentLinkMail(deps.outbound, {
      to: link.mailbox,
      orgName: org.name,
      integrationName: integration?.name ?? "an integration",
      link: url,
      expiresAt: link.expiresAt,
      access: ((integration?.purposes ?? []) as Purpose[]).map((p) => PURPOSE_LABELS[p]?.label ?? p),
      orgId: org.id,
    });
    await markEmailed(deps.db, link.id);
    return { mailbox: link.mailbox, url, delivery: DELIVERED[deps.outbound.mode], withdrewEarlier };
  } catch (e) {
    logger.error({ err: e, orgId: org.id, consentLinkId: link.id }, "could not mail the consent link");
    return { mailbox: link.mailbox, url, delivery: "mail_failed", withdrewEarlier };
  }
}
