"use server";
import { redirect } from "next/navigation";
import { db } from "@/lib/db";
import { runAction, type ActionState } from "@/lib/action-state";
import { AppError } from "@/lib/errors";
import { appKeyring, flowSettings, linkSigningSecret } from "@/lib/deployment";
import { getIntegration } from "@/lib/integrations/integrations";
import { adminConsentTenant, startAdminConsent } from "@/lib/connections/consent";
import { verifyAdminConsentToken } from "@/lib/connections/links";
import { ensureBrowserId } from "@/lib/connections/browser";
import { currentUser } from "@/lib/auth/guards";

/** A Microsoft 365 admin's "Grant admin consent" from a forwarded link (no portal account needed). */
export async function startLinkAdminConsentAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  let target = "";
  const state = await runAction(null, async () => {
    const database = await db();
    const verified = await verifyAdminConsentToken(linkSigningSecret(), String(form.get("token") ?? ""));
    if (!verified.ok) throw new AppError("bad_request", "This admin consent link no longer works. Ask for a new one.");
    const integration = await getIntegration(database, verified.orgId, verified.integrationId);
    if (!integration) throw new AppError("not_found", "The integration behind this link was removed.");
    const user = await currentUser();
    const { url } = await startAdminConsent(
      { db: database, keyring: appKeyring(), ...flowSettings() },
      { integration, startedById: null, tenant: adminConsentTenant(integration, user?.tenantId), browserId: await ensureBrowserId() },
    );
    target = url;
  });
  if (target) redirect(target);
  return state;
}
