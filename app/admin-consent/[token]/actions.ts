"use server";
import { z } from "zod";
import { publicAction } from "@/lib/auth/org-action";
import { flowSettings, linkSigningSecret } from "@/lib/deployment";
import { ensureBrowserId } from "@/lib/connections/browser";
import { startLinkAdminConsent } from "@/lib/connections/start-from-link";
import { currentUser } from "@/lib/auth/guards";

/** A Microsoft 365 admin's "Grant admin consent" from a forwarded link (no portal account needed). */
export const startLinkAdminConsentAction = publicAction({ schema: z.object({ token: z.string().min(1).max(2000) }) }, async ({ db, keyring, input }) => {
  const user = await currentUser();
  const { url } = await startLinkAdminConsent({ db, keyring, ...flowSettings() }, linkSigningSecret(), input.token, user?.tenantId ?? null, await ensureBrowserId());
  return { redirect: url };
});
