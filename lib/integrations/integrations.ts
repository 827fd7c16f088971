import { createHash, X509Certificate } from "node:crypto";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { AppError, isUniqueViolation, notFound } from "@/lib/errors";
import { DecryptError, encryptField, decryptField, type Keyring } from "@/lib/crypto";
import { record, type RequestMeta } from "@/lib/audit/record";
import type { CredentialInput, IntegrationSettings } from "./input";
import type { CloudId } from "@/lib/microsoft/clouds";
import type { Purpose } from "@/lib/microsoft/scopes";
import { deriveEndpoints, type HostMap, type TenantMode } from "@/lib/microsoft/endpoints";

type Actor = { id: string; email: string };

/** Everything but the secrets. Reads that need a secret say so in their name. */
export const safeIntegrationSelect = {
  id: true,
  orgId: true,
  name: true,
  cloud: true,
  tenantMode: true,
  tenant: true,
  clientId: true,
  credentialType: true,
  secretExpiresAt: true,
  secretUpdatedAt: true,
  certificateThumbprint: true,
  certificateExpiresAt: true,
  purposes: true,
  extraScopes: true,
  authorizeEndpoint: true,
  tokenEndpoint: true,
  status: true,
  lastCheckedAt: true,
  lastCheck: true,
  configVersion: true,
  createdAt: true,
  updatedAt: true,
} as const satisfies Prisma.IntegrationSelect;

export type IntegrationView = Prisma.IntegrationGetPayload<{ select: typeof safeIntegrationSelect }>;

const fieldCtx = (orgId: string, rowId: string, field: string) => ({ orgId, table: "Integration", rowId, field });

type CredentialColumns = Pick<
  Prisma.IntegrationUncheckedCreateInput,
  "credentialType" | "secretEncrypted" | "secretExpiresAt" | "secretUpdatedAt" | "privateKeyEncrypted" | "certificatePem" | "certificateThumbprint" | "certificateExpiresAt"
>;

/** The columns a credential occupies; the other kind's columns are cleared. */
function credentialData(keyring: Keyring, orgId: string, rowId: string, c: CredentialInput): CredentialColumns {
  if (c.credentialType === "SECRET") {
    return {
      credentialType: "SECRET",
      secretEncrypted: encryptField(keyring, c.secret, fieldCtx(orgId, rowId, "secret")),
      secretExpiresAt: c.secretExpiresAt,
      secretUpdatedAt: new Date(),
      privateKeyEncrypted: null,
      certificatePem: null,
      certificateThumbprint: null,
      certificateExpiresAt: null,
    };
  }
  const cert = new X509Certificate(c.certificatePem);
  return {
    credentialType: "CERTIFICATE",
    privateKeyEncrypted: encryptField(keyring, c.privateKeyPem, fieldCtx(orgId, rowId, "privateKey")),
    certificatePem: c.certificatePem,
    certificateThumbprint: createHash("sha1").update(cert.raw).digest("base64url"),
    certificateExpiresAt: new Date(cert.validTo),
    secretEncrypted: null,
    secretExpiresAt: null,
    secretUpdatedAt: new Date(),
  };
}

export async function createIntegration(db: Db, keyring: Keyring, orgId: string, actor: Actor, settings: IntegrationSettings, credential: CredentialInput, meta?: RequestMeta) {
  const id = crypto.randomUUID();
  try {
    return await db.$transaction(async (tx) => {
      const created = await tx.integration.create({
        data: { id, orgId, ...settings, ...credentialData(keyring, orgId, id, credential), createdById: actor.id },
        select: safeIntegrationSelect,
      });
      await record(tx, { action: "integration.created", orgId, actor, targetType: "integration", targetId: id, data: { name: settings.name, cloud: settings.cloud, tenantMode: settings.tenantMode, credential: credential.credentialType }, meta });
      return created;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `An integration named "${settings.name}" already exists in this org; pick another name.`, "name");
    throw e;
  }
}

export async function listIntegrations(db: Db, orgId: string) {
  return db.integration.findMany({ where: { orgId }, select: safeIntegrationSelect, orderBy: { name: "asc" } });
}

export async function getIntegration(db: Db, orgId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return db.integration.findFirst({ where: { id, orgId }, select: safeIntegrationSelect });
}

/** The integration with its decrypted credential, for the token requests that need it. */
/** The integration a form names, or a field error on the integration picker (never a 404 page). */
export async function integrationForForm(db: Db, orgId: string, id: string) {
  const integration = await getIntegration(db, orgId, id);
  if (!integration) throw new AppError("invalid_input", "That integration does not exist in this org; pick another.", "integrationId");
  return integration;
}

/** A stored integration's settings, as the wizard would submit them (for changes made elsewhere). */
export function settingsOf(i: IntegrationView): IntegrationSettings {
  return {
    name: i.name,
    cloud: i.cloud as CloudId,
    tenantMode: i.tenantMode as TenantMode,
    tenant: i.tenant,
    clientId: i.clientId,
    purposes: i.purposes as Purpose[],
    extraScopes: i.extraScopes,
    authorizeEndpoint: i.authorizeEndpoint,
    tokenEndpoint: i.tokenEndpoint,
  };
}

export async function getIntegrationWithSecrets(db: Db, keyring: Keyring, orgId: string, id: string) {
  const row = await db.integration.findFirst({ where: { id, orgId } });
  if (!row) throw notFound("That integration");
  try {
    return {
      ...row,
      secret: row.secretEncrypted ? decryptField(keyring, row.secretEncrypted, fieldCtx(orgId, id, "secret")) : null,
      privateKeyPem: row.privateKeyEncrypted ? decryptField(keyring, row.privateKeyEncrypted, fieldCtx(orgId, id, "privateKey")) : null,
    };
  } catch (e) {
    if (!(e instanceof DecryptError)) throw e;
    throw new AppError("conflict", `${e.message} Replace the credential on this integration's page; if many integrations show this, the operator must restore the missing encryption key.`);
  }
}

export type IntegrationWithSecrets = Awaited<ReturnType<typeof getIntegrationWithSecrets>>;

/** Settings that change what a mailbox consented to; changing them means re-consent. */
const CONSENT_FIELDS = ["cloud", "tenantMode", "tenant", "clientId", "purposes", "extraScopes", "authorizeEndpoint", "tokenEndpoint"] as const;

export async function updateIntegration(db: Db, orgId: string, actor: Actor, id: string, settings: IntegrationSettings, meta?: RequestMeta) {
  try {
    return await db.$transaction(async (tx) => {
      const before = await tx.integration.findFirst({ where: { id, orgId }, select: safeIntegrationSelect });
      if (!before) throw notFound("That integration");
      const changed = CONSENT_FIELDS.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(settings[f]));
      const updated = await tx.integration.update({
        where: { id },
        // The previous check stays visible with its date; the status says it no longer applies.
        data: { ...settings, ...(changed.length ? { configVersion: { increment: 1 }, status: "UNCHECKED" } : {}) },
        select: safeIntegrationSelect,
      });
      await record(tx, { action: "integration.updated", orgId, actor, targetType: "integration", targetId: id, data: { name: settings.name, changed: changed.join(", ") || "name only", reconsent: changed.length > 0 }, meta });
      return { integration: updated, reconsentNeeded: changed.length > 0 };
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("conflict", `An integration named "${settings.name}" already exists in this org; pick another name.`, "name");
    throw e;
  }
}

/** Replaces the credential; every connection of the integration uses the new one from now on. */
export async function rotateCredential(db: Db, keyring: Keyring, orgId: string, actor: Actor, id: string, credential: CredentialInput, meta?: RequestMeta) {
  return db.$transaction(async (tx) => {
    const row = await tx.integration.findFirst({ where: { id, orgId }, select: { id: true, name: true } });
    if (!row) throw notFound("That integration");
    const updated = await tx.integration.update({ where: { id }, data: { ...credentialData(keyring, orgId, id, credential), status: "UNCHECKED" }, select: safeIntegrationSelect });
    await record(tx, { action: "integration.credential_rotated", orgId, actor, targetType: "integration", targetId: id, data: { name: row.name, credential: credential.credentialType }, meta });
    return updated;
  });
}

export async function deleteIntegration(db: Db, orgId: string, actor: Actor, id: string, meta?: RequestMeta) {
  await db.$transaction(async (tx) => {
    const row = await tx.integration.findFirst({ where: { id, orgId }, select: { id: true, name: true } });
    if (!row) throw notFound("That integration");
    await tx.integration.delete({ where: { id } });
    await record(tx, { action: "integration.deleted", orgId, actor, targetType: "integration", targetId: id, data: { name: row.name }, meta });
  });
}

export async function saveCheckResult(db: Db, orgId: string, id: string, ok: boolean, result: Prisma.InputJsonValue) {
  await db.integration.updateMany({ where: { id, orgId }, data: { status: ok ? "CREDENTIALS_OK" : "FAILING", lastCheckedAt: new Date(), lastCheck: result } });
}

/** Whole days until a date, for "secret expires in N days" (negative once past). */
export function daysUntil(date: Date | null, now = new Date()): number | null {
  return date ? Math.floor((date.getTime() - now.getTime()) / 86_400_000) : null;
}

/** The integration's client credential in the form token requests take. */
export function credentialOf(i: IntegrationWithSecrets): import("@/lib/microsoft/token-client").ClientCredential {
  return i.credentialType === "CERTIFICATE"
    ? { kind: "certificate", privateKeyPem: i.privateKeyPem ?? "", thumbprintSha1: i.certificateThumbprint ?? "" }
    : { kind: "secret", secret: i.secret ?? "" };
}

type EndpointFields = Pick<IntegrationView, "cloud" | "tenantMode" | "tenant" | "authorizeEndpoint" | "tokenEndpoint">;

/**
 * The integration's Microsoft endpoints, through the deployment's host map. `tenant` asks for
 * another tenant's endpoints (admin consent in the admin's tenant, app-only tokens in the home
 * tenant); the integration's own URL overrides then do not apply.
 */
export function endpointsOf(i: EndpointFields, hostMap?: HostMap, tenant?: { mode: TenantMode; tenant?: string }) {
  return deriveEndpoints({
    cloud: i.cloud as CloudId,
    tenantMode: tenant?.mode ?? (i.tenantMode as TenantMode),
    tenant: tenant ? tenant.tenant : (i.tenant ?? undefined),
    overrides: tenant ? {} : { authorize: i.authorizeEndpoint ?? undefined, token: i.tokenEndpoint ?? undefined },
    ...(hostMap ? { hostMap } : {}),
  });
}

export async function countIntegrations(db: Db, orgId: string) {
  return db.integration.count({ where: { orgId } });
}
