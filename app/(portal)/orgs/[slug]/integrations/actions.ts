"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { formList, idField } from "@/lib/action-state";
import { allowCustomHosts, deploymentHostMap } from "@/lib/deployment";
import { assertAcknowledged, parseCredential, parseSettings, settingsInput } from "@/lib/integrations/input";
import { createIntegration, deleteIntegration, rotateCredential, updateIntegration } from "@/lib/integrations/integrations";
import { runCredentialsCheck } from "@/lib/integrations/run-credentials-check";

// The wizard's fields arrive as text; lib/integrations/input.ts validates them with messages that
// name each field, the same rules the browser uses for live hints.
const text = z.string().default("");
const settingsFields = {
  name: text,
  cloud: text,
  tenantMode: text,
  tenant: text,
  clientId: text,
  purposes: formList(z.string()),
  extraScopes: text,
  authorizeEndpoint: text,
  tokenEndpoint: text,
  // Codes of the configuration warnings the admin ticked "I understand" for.
  acknowledged: formList(z.string().max(64)),
};
const credentialFields = { credentialType: text, secret: text, secretExpiresAt: text, certificatePem: text, privateKeyPem: text };
const SECRET_FIELDS = ["secret", "privateKeyPem"] as const;
const integrationId = idField("That integration");

function settingsFrom(input: z.infer<z.ZodObject<typeof settingsFields>>) {
  const settings = parseSettings(settingsInput(input), { allowCustomHosts: allowCustomHosts(), hostMap: deploymentHostMap() });
  assertAcknowledged(settings, input.acknowledged);
  return settings;
}

export const createIntegrationAction = orgAction(
  { permission: "integrations.write", schema: z.object({ ...settingsFields, ...credentialFields }), secretFields: SECRET_FIELDS },
  async ({ db, keyring, org, user, meta, slug, input }) => {
    const settings = settingsFrom(input);
    const integration = await createIntegration(db, keyring, org.id, user, settings, parseCredential(input, settings.clientId), meta);
    return { redirect: `/orgs/${slug}/integrations/${integration.id}?created=1` };
  },
);

export const updateIntegrationAction = orgAction(
  { permission: "integrations.write", schema: z.object({ id: integrationId, ...settingsFields }), secretFields: SECRET_FIELDS },
  async ({ db, org, user, meta, slug, input }) => {
    const { reconsentNeeded } = await updateIntegration(db, org.id, user, input.id, settingsFrom(input), meta);
    return { redirect: `/orgs/${slug}/integrations/${input.id}?updated=${reconsentNeeded ? "reconsent" : "1"}` };
  },
);

export const rotateCredentialAction = orgAction(
  { permission: "integrations.write", schema: z.object({ id: integrationId, clientId: text, ...credentialFields }), secretFields: SECRET_FIELDS },
  async ({ db, keyring, org, user, meta, input }) => {
    await rotateCredential(db, keyring, org.id, user, input.id, parseCredential(input, input.clientId), meta);
    return { ok: true, message: "Credential replaced. Every connection of this integration now uses it. Run a credentials check to confirm." };
  },
);

export const deleteIntegrationAction = orgAction({ permission: "integrations.write", schema: z.object({ id: integrationId }) }, async ({ db, org, user, meta, slug, input }) => {
  await deleteIntegration(db, org.id, user, input.id, meta);
  return { redirect: `/orgs/${slug}/integrations?deleted=1` };
});

export const checkCredentialsAction = orgAction({ permission: "integrations.write", schema: z.object({ id: integrationId }) }, async ({ db, keyring, org, user, meta, input }) => {
  await runCredentialsCheck({ db, keyring, hostMap: deploymentHostMap() }, org.id, input.id, user, meta);
  // The outcome is the stored checklist on the page; a message means the check could not run.
  return { ok: true };
});
