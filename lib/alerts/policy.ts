import { z } from "zod";
import type { Db } from "@/lib/db-client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";

// What happens when one of the org's mailboxes needs re-consent: its admins are told (always,
// through the org's channels), and with EMAIL_OWNER the mailbox's owner (for a shared mailbox,
// the delegate who consented) is also mailed a fresh consent link, so it heals without a ticket.

type Actor = { id: string | null; email: string };

export const RECONSENT_POLICIES = ["NOTIFY_ADMINS", "EMAIL_OWNER"] as const;
export type ReconsentPolicy = (typeof RECONSENT_POLICIES)[number];

export const RECONSENT_POLICY_LABELS: Record<ReconsentPolicy, { label: string; description: string }> = {
  NOTIFY_ADMINS: { label: "Notify admins only", description: "The org's notification channels are told; an owner or admin re-consents the mailbox or sends its owner a consent link." },
  EMAIL_OWNER: {
    label: "Also email the mailbox owner a fresh consent link",
    description: "The owner of a user mailbox (for a shared mailbox, the delegate who consented) gets a one-time consent link by email; when they sign in through it, the connection heals.",
  },
};

export const reconsentPolicySchema = z
  .object({ policy: z.enum(RECONSENT_POLICIES, { message: "Choose what happens when a mailbox needs re-consent: notify admins only, or also email the mailbox owner." }) })
  .strict();

export async function getReconsentPolicy(db: Db, orgId: string): Promise<ReconsentPolicy> {
  const org = await db.org.findUnique({ where: { id: orgId }, select: { reconsentPolicy: true } });
  if (!org) throw notFound("That organization");
  return org.reconsentPolicy;
}

/**
 * Saves the policy; a value that is not one of RECONSENT_POLICIES throws a ZodError naming
 * `policy` and changes nothing. Saving the policy already in force records nothing.
 */
export async function updateReconsentPolicy(db: Db, orgId: string, actor: Actor, policy: string, meta?: RequestMeta): Promise<{ policy: ReconsentPolicy; changed: boolean }> {
  const parsed = reconsentPolicySchema.parse({ policy }).policy;
  return db.$transaction(async (tx) => {
    const org = await tx.org.findUnique({ where: { id: orgId }, select: { reconsentPolicy: true } });
    if (!org) throw notFound("That organization");
    if (org.reconsentPolicy === parsed) return { policy: parsed, changed: false };
    await tx.org.update({ where: { id: orgId }, data: { reconsentPolicy: parsed } });
    await record(tx, { action: "org.reconsent_policy_changed", orgId, actor, targetType: "org", targetId: orgId, data: { policy: parsed, previousPolicy: org.reconsentPolicy }, meta });
    return { policy: parsed, changed: true };
  });
}
