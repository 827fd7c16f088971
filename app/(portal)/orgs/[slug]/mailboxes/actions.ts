"use server";
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireOrgPermission } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { runAction, type ActionState } from "@/lib/action-state";
import { requestMeta } from "@/lib/request-meta";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";
import { appKeyring, flowSettings, linkSigningSecret, publicUrl } from "@/lib/deployment";
import { getIntegration } from "@/lib/integrations/integrations";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import type { Purpose } from "@/lib/microsoft/scopes";
import { adminConsentTenant, startAdminConsent, startConnect } from "@/lib/connections/consent";
import { disconnectConnection, getConnection } from "@/lib/connections/connections";
import { createConsentLink, markEmailed, revokeConsentLink } from "@/lib/connections/links";
import { ensureBrowserId } from "@/lib/connections/browser";
import { outboundMail, sendConsentLinkMail } from "@/lib/mail/outbound";
import { getAccessToken, type Resource } from "@/lib/connections/tokens";
import { pendingClaims } from "@/lib/connections/connection-test";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import { diagnose } from "@/lib/diagnosis/catalog";

const str = (form: FormData, key: string) => String(form.get(key) ?? "").trim();
const deps = async () => ({ db: await db(), keyring: appKeyring(), ...flowSettings() });

const connectSchema = z
  .object({
    integrationId: z.uuid({ message: "Pick the integration the mailbox should connect through." }),
    mailbox: z.union([z.literal(""), z.string().toLowerCase().pipe(z.email({ message: "Enter the mailbox's email address, e.g. support@contoso.com, or leave it empty." }))]),
    mailboxKind: z.enum(["USER", "SHARED"], { message: "Choose whether this is a user's mailbox or a shared mailbox." }),
  })
  .refine((v) => v.mailboxKind === "USER" || v.mailbox !== "", { path: ["mailbox"], message: "Enter the shared mailbox's address: a delegate signs in for it." });

async function integrationFor(orgId: string, id: string) {
  const integration = await getIntegration(await db(), orgId, id);
  if (!integration) throw new AppError("invalid_input", "That integration does not exist in this org; pick another.", "integrationId");
  return integration;
}

/** "Sign in with Microsoft" for a mailbox: admins connect any mailbox, members their own. */
export async function connectMailboxAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "connections.connect_own");
    const input = connectSchema.parse({ integrationId: str(form, "integrationId"), mailbox: str(form, "mailbox"), mailboxKind: str(form, "mailboxKind") || "USER" });
    if (!ctx.can("connections.write")) {
      if (input.mailboxKind === "SHARED" || (input.mailbox && input.mailbox !== ctx.user.email.toLowerCase())) {
        throw new AppError("forbidden", "Members can connect only their own mailbox. Ask an owner or admin to connect other or shared mailboxes.", "mailbox");
      }
    }
    const integration = await integrationFor(ctx.org.id, input.integrationId);
    const mailbox = input.mailbox || (ctx.can("connections.write") ? null : ctx.user.email.toLowerCase());
    const { url } = await startConnect(await deps(), { integration, mailbox, mailboxKind: input.mailboxKind, startedById: ctx.user.id, browserId: await ensureBrowserId() });
    target = url;
  });
  if (target) redirect(target);
  return state;
}

/** Re-consent: the same flow for an existing connection, with Microsoft's consent screen forced. */
export async function reconsentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "connections.write");
    const connection = await getConnection(await db(), ctx.org.id, str(form, "id"));
    if (!connection) throw new AppError("not_found", "That mailbox connection no longer exists; reload the page.");
    const integration = await integrationFor(ctx.org.id, connection.integrationId);
    const { lastFailure } = await (await db()).connection.findUniqueOrThrow({ where: { id: connection.id }, select: { lastFailure: true } });
    const claims = pendingClaims(lastFailure);
    const { url } = await startConnect(await deps(), { integration, mailbox: connection.mailbox, mailboxKind: connection.mailboxKind, startedById: ctx.user.id, browserId: await ensureBrowserId(), forceConsent: true, ...(claims ? { claims } : {}) });
    target = url;
  });
  if (target) redirect(target);
  return state;
}

export async function disconnectAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "connections.write");
    const removed = await disconnectConnection(await db(), ctx.org.id, ctx.user, str(form, "id"), await requestMeta());
    revalidatePath(`/orgs/${slug}/mailboxes`);
    target = `/orgs/${slug}/mailboxes?disconnected=${encodeURIComponent(removed.mailbox)}`;
  });
  if (target) redirect(target);
  return state;
}

/** "Invite a mailbox owner": a single-use consent link, mailed when outgoing mail is configured. */
export async function inviteMailboxAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "connections.write");
    const database = await db();
    const { link, token } = await createConsentLink(database, linkSigningSecret(), ctx.org.id, ctx.user, { integrationId: str(form, "integrationId"), mailbox: str(form, "mailbox"), mailboxKind: (str(form, "mailboxKind") || "USER") as "USER" | "SHARED" }, await requestMeta());
    const url = `${publicUrl()}/consent/${token}`;
    let mailed = "";
    const out = outboundMail(env().MAILGRANT_SMTP_URL, env().MAILGRANT_MAIL_FROM);
    if (out) {
      const integration = await integrationFor(ctx.org.id, link.integrationId);
      try {
        await sendConsentLinkMail(out, { to: link.mailbox, orgName: ctx.org.name, integrationName: integration.name, link: url, expiresAt: link.expiresAt, access: (integration.purposes as Purpose[]).map((p) => PURPOSE_LABELS[p]?.label ?? p) });
        await markEmailed(database, link.id);
        mailed = out.logOnly ? " It was written to the server log (MAILGRANT_SMTP_URL=log) instead of being mailed." : ` It was emailed to ${link.mailbox}.`;
      } catch (e) {
        logger.error({ err: e }, "could not mail the consent link");
        mailed = " Mailing it failed (see the server log), so send it yourself.";
      }
    }
    revalidatePath(`/orgs/${slug}/mailboxes`);
    return { ok: true, message: `Consent link for ${link.mailbox} created; it works once, for 7 days.${mailed} Copy it here:`, reveal: url };
  });
}

export async function revokeLinkAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "connections.write");
    await revokeConsentLink(await db(), ctx.org.id, ctx.user, str(form, "id"), await requestMeta());
    revalidatePath(`/orgs/${slug}/mailboxes`);
    return { ok: true, message: "Link withdrawn: it no longer works." };
  });
}

/** "Grant admin consent for the organization" through Microsoft's admin consent endpoint. */
export async function adminConsentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "connections.write");
    const integration = await integrationFor(ctx.org.id, str(form, "integrationId"));
    const { url } = await startAdminConsent(await deps(), { integration, startedById: ctx.user.id, tenant: adminConsentTenant(integration, ctx.user.tenantId), browserId: await ensureBrowserId() });
    target = url;
  });
  if (target) redirect(target);
  return state;
}

/** "Refresh now": a fresh access token per resource the integration uses (shared with any refresh under way). */
export async function refreshNowAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  return runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "connections.write");
    const connection = await getConnection(await db(), ctx.org.id, str(form, "id"));
    if (!connection) throw new AppError("not_found", "That mailbox connection no longer exists; reload the page.");
    const deps = { db: await db(), keyring: appKeyring(), hostMap: flowSettings().hostMap };
    const results: string[] = [];
    let ok = true;
    for (const resource of resourcesFor(connection.integration.purposes as Purpose[]) as Resource[]) {
      const r = await getAccessToken(deps, ctx.org.id, connection.id, resource, { force: true });
      const name = resource === "graph" ? "Microsoft Graph" : "Exchange Online";
      if (r.ok) results.push(`${name}: new token, valid until ${r.value.expiresAt.toISOString().slice(11, 16)} UTC.`);
      else {
        ok = false;
        results.push(`${name}: ${diagnose(r.failure.code).title} (${r.failure.code}).`);
      }
    }
    revalidatePath(`/orgs/${slug}/mailboxes/${connection.id}`);
    return { ok, message: results.join(" ") };
  });
}
