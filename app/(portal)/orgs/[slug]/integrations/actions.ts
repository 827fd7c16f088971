"use server";
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { requireOrgPermission } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { runAction, type ActionState } from "@/lib/action-state";
import { requestMeta } from "@/lib/request-meta";
import { allowCustomHosts, appKeyring, deploymentHostMap } from "@/lib/deployment";
import { parseCredential, parseSettings } from "@/lib/integrations/input";
import { createIntegration, deleteIntegration, getIntegrationWithSecrets, rotateCredential, saveCheckResult, updateIntegration } from "@/lib/integrations/integrations";
import { checkCredentials } from "@/lib/integrations/check-credentials";

const str = (form: FormData, key: string) => String(form.get(key) ?? "");

function settingsFrom(form: FormData) {
  return parseSettings(
    {
      name: str(form, "name"),
      cloud: str(form, "cloud"),
      tenantMode: str(form, "tenantMode"),
      tenant: str(form, "tenant"),
      clientId: str(form, "clientId"),
      purposes: form.getAll("purposes").map(String),
      extraScopes: str(form, "extraScopes").split(/[\s,]+/).filter(Boolean),
      authorizeEndpoint: str(form, "authorizeEndpoint"),
      tokenEndpoint: str(form, "tokenEndpoint"),
    },
    { allowCustomHosts: allowCustomHosts(), hostMap: deploymentHostMap() },
  );
}

function credentialFrom(form: FormData, clientId: string) {
  return parseCredential(
    { credentialType: str(form, "credentialType"), secret: str(form, "secret"), secretExpiresAt: str(form, "secretExpiresAt"), certificatePem: str(form, "certificatePem"), privateKeyPem: str(form, "privateKeyPem") },
    clientId,
  );
}

/** Form values to echo back on error, minus anything secret. */
function withoutSecrets(state: ActionState): ActionState {
  if (state.values) for (const k of ["secret", "privateKeyPem"]) delete state.values[k];
  return state;
}

export async function createIntegrationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "integrations.write");
    const settings = settingsFrom(form);
    const integration = await createIntegration(await db(), appKeyring(), ctx.org.id, ctx.user, settings, credentialFrom(form, settings.clientId), await requestMeta());
    target = `/orgs/${slug}/integrations/${integration.id}?created=1`;
  });
  if (target) redirect(target);
  return withoutSecrets(state);
}

export async function updateIntegrationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  const id = str(form, "id");
  let target = "";
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "integrations.write");
    const { reconsentNeeded } = await updateIntegration(await db(), ctx.org.id, ctx.user, id, settingsFrom(form), await requestMeta());
    target = `/orgs/${slug}/integrations/${id}?updated=${reconsentNeeded ? "reconsent" : "1"}`;
  });
  if (target) redirect(target);
  return withoutSecrets(state);
}

export async function rotateCredentialAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  const id = str(form, "id");
  return withoutSecrets(
    await runAction(form, async () => {
      const ctx = await requireOrgPermission(slug, "integrations.write");
      await rotateCredential(await db(), appKeyring(), ctx.org.id, ctx.user, id, credentialFrom(form, str(form, "clientId")), await requestMeta());
      revalidatePath(`/orgs/${slug}/integrations/${id}`);
      return { ok: true, message: "Credential replaced. Every connection of this integration now uses it. Run a credentials check to confirm." };
    }),
  );
}

export async function deleteIntegrationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  let done = false;
  const state = await runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "integrations.write");
    await deleteIntegration(await db(), ctx.org.id, ctx.user, str(form, "id"), await requestMeta());
    done = true;
  });
  if (done) redirect(`/orgs/${slug}/integrations?deleted=1`);
  return state;
}

export async function checkCredentialsAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const slug = str(form, "slug");
  const id = str(form, "id");
  return runAction(form, async () => {
    const ctx = await requireOrgPermission(slug, "integrations.write");
    const prisma = await db();
    const integration = await getIntegrationWithSecrets(prisma, appKeyring(), ctx.org.id, id);
    const result = await checkCredentials(integration, { hostMap: deploymentHostMap() });
    await saveCheckResult(prisma, ctx.org.id, id, result.ok, JSON.parse(JSON.stringify(result)));
    revalidatePath(`/orgs/${slug}/integrations/${id}`);
    // The outcome is the stored checklist on the page; a message means the check could not run.
    return { ok: true };
  });
}
