"use server";
import { z } from "zod";
import { publicAction } from "@/lib/auth/org-action";
import { flowSettings, linkSigningSecret } from "@/lib/deployment";
import { ensureBrowserId } from "@/lib/connections/browser";
import { openConsentLink } from "@/lib/connections/links";
import { startLinkConsent } from "@/lib/connections/start-from-link";

const tokenSchema = z.object({ token: z.string().min(1).max(2000) });

/** The mailbox owner's "Sign in with Microsoft" on a consent link: the signed link is the authority. */
export const startLinkConsentAction = publicAction({ schema: tokenSchema }, async ({ db, keyring, input }) => {
  const { url } = await startLinkConsent({ db, keyring, ...flowSettings() }, linkSigningSecret(), input.token, await ensureBrowserId());
  return { redirect: url };
});

/** Sent by the consent page's script once a person has it open: only then is the link "opened". */
export const markConsentLinkOpenedAction = publicAction({ schema: tokenSchema }, async ({ db, input }) => {
  await openConsentLink(db, linkSigningSecret(), input.token);
  return { ok: true };
});
