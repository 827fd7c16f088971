"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { formList, idField } from "@/lib/action-state";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { flowSettings, linkSigningSecret, publicUrl } from "@/lib/deployment";
import { adminConsentTenant, startAdminConsent, startConnect } from "@/lib/connections/consent";
import { disconnectConnection } from "@/lib/connections/connections";
import { revokeConsentLink } from "@/lib/connections/links";
import { ensureBrowserId } from "@/lib/connections/browser";
import { outboundMail } from "@/lib/mail/outbound";
import { inviteMailbox, type LinkDelivery } from "@/lib/connections/invite-mailbox";
import { refreshNow } from "@/lib/connections/refresh-now";
import { startReconsent } from "@/lib/connections/reconsent";
import { integrationForForm } from "@/lib/integrations/integrations";
import { diagnose } from "@/lib/diagnosis/catalog";
import { addSharedScopes, missingSharedScopes } from "@/lib/integrations/shared-scopes";
import { sendFreshConsentLinks, testSelectedNow, type Skipped } from "@/lib/connections/bulk-actions";

const mailboxKind = z.enum(["USER", "SHARED"], { message: "Choose whether this is a user's mailbox or a shared mailbox." }).default("USER");
const integrationId = z.uuid({ message: "Pick the integration the mailbox should connect through." });
const connectionId = idField("That mailbox connection");

/** "Sign in with Microsoft" for a mailbox: admins connect any mailbox, members their own. */
export const connectMailboxAction = orgAction(
  {
    permission: "connections.connect_own",
    schema: z
      .object({
        integrationId,
        mailbox: z.union([z.literal(""), z.string().trim().toLowerCase().pipe(z.email({ message: "Enter the mailbox's email address, e.g. support@contoso.com, or leave it empty." }))]).default(""),
        mailboxKind,
        acknowledgeMissingShared: z.literal("yes").optional(),
      })
      .refine((v) => v.mailboxKind === "USER" || v.mailbox !== "", { path: ["mailbox"], message: "Enter the shared mailbox's address: a delegate signs in for it." }),
  },
  async ({ db, keyring, org, user, can, input }) => {
    const own = user.email.toLowerCase();
    if (!can("connections.write") && (input.mailboxKind === "SHARED" || (input.mailbox && input.mailbox !== own))) {
      throw new AppError("forbidden", "Members can connect only their own mailbox. Ask an owner or admin to connect other or shared mailboxes.", "mailbox");
    }
    const integration = await integrationForForm(db, org.id, input.integrationId);
    const missing = input.mailboxKind === "SHARED" ? missingSharedScopes(integration) : [];
    if (missing.length && !input.acknowledgeMissingShared) {
      throw new AppError("invalid_input", `${integration.name} lacks ${missing.join(" and ")}, so Graph cannot reach this shared mailbox. Add the scopes, or confirm that it is used over IMAP, POP or SMTP only.`, "acknowledgeMissingShared");
    }
    const mailbox = input.mailbox || (can("connections.write") ? null : own);
    const { url } = await startConnect({ db, keyring, ...flowSettings() }, { integration, mailbox, mailboxKind: input.mailboxKind, startedById: user.id, browserId: await ensureBrowserId() });
    return { redirect: url };
  },
);

/** Re-consent: the same flow for an existing connection, with Microsoft's consent screen forced. */
export const reconsentAction = orgAction({ permission: "connections.write", schema: z.object({ id: connectionId }) }, async ({ db, keyring, org, user, input }) => {
  const { url } = await startReconsent({ db, keyring, ...flowSettings() }, org.id, input.id, user.id, await ensureBrowserId());
  return { redirect: url };
});

export const disconnectAction = orgAction({ permission: "connections.write", schema: z.object({ id: connectionId }) }, async ({ db, org, user, meta, slug, input }) => {
  const removed = await disconnectConnection(db, org.id, user, input.id, meta);
  return { redirect: `/orgs/${slug}/mailboxes?disconnected=${encodeURIComponent(removed.mailbox)}` };
});

const DELIVERY: Record<LinkDelivery, (mailbox: string) => string> = {
  shown: () => "",
  emailed: (m) => ` It was emailed to ${m}.`,
  logged: () => " It was written to the server log (MAILGRANT_SMTP_URL=log) instead of being mailed.",
  outbox: (m) => ` It is in the demo outbox (/demo/outbox) as the message ${m} would get: demo mode keeps mail there instead of sending it.`,
  mail_failed: () => " Mailing it failed (see the server log), so send it yourself.",
};

/** "Invite a mailbox owner": a single-use consent link, mailed when outgoing mail is configured. */
export const inviteMailboxAction = orgAction(
  {
    permission: "connections.write",
    schema: z.object({ integrationId, mailbox: z.string().trim().toLowerCase().pipe(z.email({ message: "Enter the mailbox's email address, e.g. support@contoso.com." })), mailboxKind }),
  },
  async ({ db, org, user, meta, input }) => {
    const invited = await inviteMailbox({ db, linkSecret: linkSigningSecret(), publicUrl: publicUrl(), outbound: outboundMail(env().MAILGRANT_SMTP_URL, env().MAILGRANT_MAIL_FROM, db) }, org, user, input, meta);
    const withdrew = invited.withdrewEarlier ? " The earlier link for this mailbox no longer works." : "";
    return { ok: true, message: `Consent link for ${invited.mailbox} created; it works once, for 7 days.${withdrew}${DELIVERY[invited.delivery](invited.mailbox)} Copy it here:`, reveal: invited.url };
  },
);

export const revokeLinkAction = orgAction({ permission: "connections.write", schema: z.object({ id: idField("That consent link") }) }, async ({ db, org, user, meta, input }) => {
  await revokeConsentLink(db, org.id, user, input.id, meta);
  return { ok: true, message: "Link withdrawn: it no longer works." };
});

/** "Grant admin consent for the organization" through Microsoft's admin consent endpoint. */
export const adminConsentAction = orgAction({ permission: "connections.write", schema: z.object({ integrationId }) }, async ({ db, keyring, org, user, input }) => {
  const integration = await integrationForForm(db, org.id, input.integrationId);
  const { url } = await startAdminConsent({ db, keyring, ...flowSettings() }, { integration, startedById: user.id, tenant: adminConsentTenant(integration, user.tenantId), browserId: await ensureBrowserId() });
  return { redirect: url };
});

const RESOURCE_NAMES = { graph: "Microsoft Graph", outlook: "Exchange Online" } as const;

/** "Refresh now": a fresh access token per resource the integration uses (shared with any refresh under way). */
export const refreshNowAction = orgAction({ permission: "connections.write", schema: z.object({ id: connectionId }) }, async ({ db, keyring, org, user, meta, input }) => {
  const results = await refreshNow({ db, keyring, hostMap: flowSettings().hostMap }, org.id, input.id, user, meta);
  const message = results
    .map((r) => (r.ok ? `${RESOURCE_NAMES[r.resource]}: new token, valid until ${r.expiresAt.toISOString().slice(11, 16)} UTC.` : `${RESOURCE_NAMES[r.resource]}: ${diagnose(r.code).title} (${r.code}).`))
    .join(" ");
  return { ok: results.every((r) => r.ok), message };
});

/** "Add Mail.Read.Shared to the integration" from the connect form, before a shared mailbox connects. */
export const addSharedScopesAction = orgAction({ permission: "integrations.write", schema: z.object({ integrationId }) }, async ({ db, org, user, meta, input }) => {
  const { name, added } = await addSharedScopes(db, org.id, user, input.integrationId, meta);
  return { ok: true, message: `Added ${added.join(" and ")} to ${name}. Add ${added.length === 1 ? "it" : "them"} in Azure too (API permissions, then grant admin consent if your tenant requires it); mailboxes already connected through ${name} must re-consent.` };
});

// --- bulk actions on the selected rows of the list --------------------------------------------

/** Checked rows arrive as repeated `ids`; anything not shaped like an id is dropped (the domain functions keep only the org's own). */
const selection = z.object({ ids: formList(z.string().max(64)).transform((ids) => [...new Set(ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id)))]) });
const NOTHING_SELECTED = { ok: false, message: "Select one or more mailboxes first: tick the boxes in the list, then press the button again." } as const;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
const skippedWords = (skipped: Skipped[]) => (skipped.length ? ` Skipped ${skipped.length}: ${skipped.map((s) => `${s.mailbox} (${s.why})`).join("; ")}.` : "");

/** "Test selected now": the selected mailboxes become due, and the worker checks them in the next minutes. */
export const testSelectedAction = orgAction({ permission: "connections.write", schema: selection }, async ({ db, org, user, meta, input }) => {
  if (input.ids.length === 0) return NOTHING_SELECTED;
  const r = await testSelectedNow(db, org.id, user, input.ids, meta);
  const queued = r.queued ? `${plural(r.queued, "mailbox", "mailboxes")} queued for a check now: ${r.mailboxes.join(", ")}. The worker runs them within a few minutes; each row's health and last check update as its check finishes (reload to see them).` : "No mailbox was queued.";
  return { ok: r.queued > 0, message: queued + skippedWords(r.skipped) };
});

const SENT_VIA: Record<string, string> = {
  smtp: "They were emailed.",
  log: "They were written to the server log (MAILGRANT_SMTP_URL=log) instead of being mailed.",
  outbox: "They are in the demo outbox (/demo/outbox): demo mode keeps mail there instead of sending it.",
};

/** "Send fresh consent links": a new single-use link mailed to each selected mailbox that needs re-consent. */
export const sendConsentLinksAction = orgAction({ permission: "connections.write", schema: selection }, async ({ db, org, user, meta, input }) => {
  if (input.ids.length === 0) return NOTHING_SELECTED;
  const r = await sendFreshConsentLinks({ db, linkSecret: linkSigningSecret(), publicUrl: publicUrl(), mail: outboundMail(env().MAILGRANT_SMTP_URL, env().MAILGRANT_MAIL_FROM, db) }, org, user, input.ids, meta);
  const sent = r.sent.length
    ? `Fresh consent links sent for ${plural(r.sent.length, "mailbox", "mailboxes")}: ${r.sent.map((s) => (s.to === s.mailbox ? s.mailbox : `${s.mailbox} (to its delegate ${s.to})`)).join(", ")}. Each works once, for 7 days, and earlier links for them no longer work. ${r.mode ? SENT_VIA[r.mode] : ""}`
    : "No consent link was sent.";
  return { ok: r.sent.length > 0, message: sent + skippedWords(r.skipped) };
});
