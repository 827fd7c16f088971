"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { idField } from "@/lib/action-state";
import { createApiKey, revokeApiKey } from "@/lib/api-keys/keys";
import { keyFormFields, keyInput } from "@/lib/api-keys/key-input";

// API keys from the keys page. The form schema only bounds what may be sent; keyInput says which
// field is wrong and createApiKey checks the chosen integrations and mailboxes are the org's.

export const createApiKeyAction = orgAction({ permission: "api_keys.manage", schema: keyFormFields }, async ({ db, org, user, meta, input }) => {
  const { key, view } = await createApiKey(db, org.id, user, keyInput().parse(input), meta);
  // The full key goes back this once, for the page to show; it is never stored or echoed again.
  return { ok: true, message: `API key “${view.name}” created`, reveal: key, data: { id: view.id, prefix: view.prefix } };
});

export const revokeApiKeyAction = orgAction({ permission: "api_keys.manage", schema: z.object({ id: idField("That API key") }) }, async ({ db, org, user, meta, input }) => {
  const key = await revokeApiKey(db, org.id, user, input.id, meta);
  return { ok: true, message: `“${key.name}” is revoked: its next call is refused.` };
});
