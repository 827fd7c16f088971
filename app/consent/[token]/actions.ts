"use server";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { runAction, type ActionState } from "@/lib/action-state";
import { AppError } from "@/lib/errors";
import { appKeyring, flowSettings, linkSigningSecret } from "@/lib/deployment";
import { getIntegration } from "@/lib/integrations/integrations";
import { startConnect } from "@/lib/connections/consent";
import { openConsentLink } from "@/lib/connections/links";
import { ensureBrowserId } from "@/lib/connections/browser";

/** The mailbox owner's "Sign in with Microsoft" on a consent link. */
export async function startLinkConsentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let target = "";
  const state = await runAction(null, async () => {
    const database = await db();
    const opened = await openConsentLink(database, linkSigningSecret(), String(form.get("token") ?? ""));
    if (!opened.ok) throw new AppError("bad_request", "This link no longer works. Reload the page to see why.");
    const { link } = opened;
    const integration = await getIntegration(database, link.orgId, link.integrationId);
    if (!integration) throw new AppError("not_found", "The integration behind this link was removed. Ask the organization for a new link.");
    const { url } = await startConnect(
      { db: database, keyring: appKeyring(), ...flowSettings() },
      { integration, mailbox: link.mailbox, mailboxKind: link.mailboxKind, consentLinkId: link.id, browserId: await ensureBrowserId() },
    );
    target = url;
  });
  if (target) redirect(target);
  return state;
}
