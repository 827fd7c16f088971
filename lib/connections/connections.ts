import type { Db } from "@/lib/db-client";
import { Prisma, type ConsentType, type MailboxKind } from "@/generated/prisma/client";
import { decryptField, encryptField, type Keyring } from "@/lib/crypto";
import { record, type RequestMeta } from "@/lib/audit/record";
import { isUniqueViolation, notFound } from "@/lib/errors";

// The grant store. Refresh and access tokens are envelopes bound to their row and field; default
// selects leave them out, and reads that need a token say so in their name.

type Actor = { id: string | null; email: string };

/** Health and per-protocol columns (what the worker and "Test now" store), for every screen that shows a status. */
export const connectionHealthSelect = {
  health: true,
  healthClass: true,
  healthCode: true,
  healthReason: true,
  healthChangedAt: true,
  lastCheckAt: true,
  nextCheckAt: true,
  graphResult: true,
  graphCode: true,
  graphCheckedAt: true,
  imapResult: true,
  imapCode: true,
  imapCheckedAt: true,
  popResult: true,
  popCode: true,
  popCheckedAt: true,
  smtpResult: true,
  smtpCode: true,
  smtpCheckedAt: true,
} as const satisfies Prisma.ConnectionSelect;

export const safeConnectionSelect = {
  id: true,
  orgId: true,
  integrationId: true,
  mailbox: true,
  mailboxKind: true,
  tenantId: true,
  objectId: true,
  upn: true,
  displayName: true,
  consentType: true,
  requestedScopes: true,
  grantedScopes: true,
  consentedConfigVersion: true,
  refreshTokenVersion: true,
  refreshTokenIssuedAt: true,
  refreshTokenLastUsedAt: true,
  status: true,
  statusReason: true,
  connectedById: true,
  connectedAt: true,
  createdAt: true,
  updatedAt: true,
  ...connectionHealthSelect,
  integration: { select: { id: true, name: true, configVersion: true, cloud: true, purposes: true } },
} as const satisfies Prisma.ConnectionSelect;

export type ConnectionView = Prisma.ConnectionGetPayload<{ select: typeof safeConnectionSelect }>;

export type DisplayStatus = "connected" | "needs_reconsent" | "revoked";

/** Stored status, plus "needs re-consent" when the integration changed since the consent. */
export function displayStatus(c: Pick<ConnectionView, "status" | "consentedConfigVersion"> & { integration: { configVersion: number } }): DisplayStatus {
  if (c.status === "REVOKED") return "revoked";
  if (c.status === "NEEDS_RECONSENT" || c.consentedConfigVersion < c.integration.configVersion) return "needs_reconsent";
  return "connected";
}

const tokenContext = (orgId: string, rowId: string, field: string) => ({ orgId, table: "Connection", rowId, field });
const accessTokenContext = (orgId: string, rowId: string, resource: string) => ({ orgId, table: "ConnectionAccessToken", rowId, field: resource });

export async function listConnections(db: Db, orgId: string, where: { integrationId?: string } = {}) {
  return db.connection.findMany({ where: { orgId, ...where }, select: safeConnectionSelect, orderBy: [{ mailbox: "asc" }] });
}

export async function getConnection(db: Db, orgId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  return db.connection.findFirst({ where: { id, orgId }, select: safeConnectionSelect });
}

export async function countConnections(db: Db, orgId: string, integrationId: string) {
  return db.connection.count({ where: { orgId, integrationId } });
}

export type AccessTokenInput = { resource: "graph" | "outlook"; token: string; scopes: string[]; expiresAt: Date };

export type SaveConnectionInput = {
  orgId: string;
  integrationId: string;
  mailbox: string;
  mailboxKind: MailboxKind;
  tenantId: string;
  objectId: string;
  upn: string;
  displayName: string | null;
  consentType: ConsentType;
  requestedScopes: string[];
  grantedScopes: string[];
  consentedConfigVersion: number;
  refreshToken: string;
  accessTokens: AccessTokenInput[];
  connectedById: string | null;
};

/**
 * Stores a fresh consent. The same mailbox connected again through the same integration updates
 * the existing row (new grant, new version) instead of adding a second one.
 */
export async function saveConnection(db: Db, keyring: Keyring, input: SaveConnectionInput, actor: Actor, meta?: RequestMeta, now = new Date()) {
  const mailbox = input.mailbox.toLowerCase();
  const attempt = async () =>
    db.$transaction(async (tx) => {
      const existing = await tx.connection.findUnique({ where: { integrationId_mailbox: { integrationId: input.integrationId, mailbox } }, select: { id: true, orgId: true, refreshTokenVersion: true } });
      if (existing && existing.orgId !== input.orgId) throw new Error("integration belongs to another org");
      const id = existing?.id ?? crypto.randomUUID();
      const fields = {
        mailboxKind: input.mailboxKind,
        tenantId: input.tenantId,
        objectId: input.objectId,
        upn: input.upn,
        displayName: input.displayName,
        consentType: input.consentType,
        requestedScopes: input.requestedScopes,
        grantedScopes: input.grantedScopes,
        consentedConfigVersion: input.consentedConfigVersion,
        refreshTokenEncrypted: encryptField(keyring, input.refreshToken, tokenContext(input.orgId, id, "refreshToken")),
        refreshTokenIssuedAt: now,
        refreshTokenLastUsedAt: now,
        status: "CONNECTED" as const,
        statusReason: null,
        // A new consent answers whatever failed before (including a pending claims challenge).
        lastFailure: Prisma.DbNull,
        refreshFailingSince: null,
        // Health starts over with the new grant, and the worker checks it right away.
        health: "UNKNOWN" as const,
        healthClass: null,
        healthCode: null,
        healthReason: "Not checked since this consent.",
        healthChangedAt: now,
        alertPending: true,
        nextCheckAt: now,
        connectedById: input.connectedById,
        connectedAt: now,
      };
      if (existing) {
        await tx.connection.update({ where: { id }, data: { ...fields, refreshTokenVersion: existing.refreshTokenVersion + 1 } });
        await tx.connectionAccessToken.deleteMany({ where: { connectionId: id } });
      } else {
        await tx.connection.create({ data: { id, orgId: input.orgId, integrationId: input.integrationId, mailbox, ...fields } });
      }
      for (const t of input.accessTokens) {
        await tx.connectionAccessToken.create({
          data: {
            connectionId: id,
            resource: t.resource,
            tokenEncrypted: encryptField(keyring, t.token, accessTokenContext(input.orgId, id, t.resource)),
            scopes: t.scopes,
            expiresAt: t.expiresAt,
          },
        });
      }
      await record(tx, {
        action: existing ? "connection.reconsented" : "connection.created",
        orgId: input.orgId,
        actor,
        targetType: "connection",
        targetId: id,
        data: { mailbox, integrationId: input.integrationId, consentType: input.consentType, signedInAs: input.upn, grantedScopes: input.grantedScopes },
        meta,
      });
      return { id, updated: Boolean(existing) };
    });
  try {
    return await attempt();
  } catch (e) {
    // Two first-time consents for one mailbox raced: the loser updates the winner's row.
    if (isUniqueViolation(e)) return attempt();
    throw e;
  }
}

/** The stored refresh token and the version it was read at (for storeRotatedRefreshToken). */
export async function readRefreshToken(db: Db, keyring: Keyring, orgId: string, id: string) {
  const row = await db.connection.findFirst({ where: { id, orgId }, select: { refreshTokenEncrypted: true, refreshTokenVersion: true } });
  if (!row?.refreshTokenEncrypted) return null;
  return { token: decryptField(keyring, row.refreshTokenEncrypted, tokenContext(orgId, id, "refreshToken")), version: row.refreshTokenVersion };
}

/**
 * Compare-and-set: stores a rotated refresh token only if the row still holds the version the
 * old token was read at. Returns false when a newer token was stored meanwhile; that newer one
 * wins and the caller's token is dropped (both remain valid at Microsoft).
 */
export async function storeRotatedRefreshToken(db: Db, keyring: Keyring, input: { orgId: string; id: string; expectedVersion: number; refreshToken: string; now?: Date }): Promise<boolean> {
  const now = input.now ?? new Date();
  const result = await db.connection.updateMany({
    where: { id: input.id, orgId: input.orgId, refreshTokenVersion: input.expectedVersion },
    data: {
      refreshTokenEncrypted: encryptField(keyring, input.refreshToken, tokenContext(input.orgId, input.id, "refreshToken")),
      refreshTokenVersion: input.expectedVersion + 1,
      refreshTokenIssuedAt: now,
      refreshTokenLastUsedAt: now,
    },
  });
  return result.count === 1;
}

export async function readAccessToken(db: Db, keyring: Keyring, orgId: string, id: string, resource: "graph" | "outlook") {
  const row = await db.connectionAccessToken.findFirst({ where: { connectionId: id, resource, connection: { orgId } } });
  if (!row) return null;
  return { token: decryptField(keyring, row.tokenEncrypted, accessTokenContext(orgId, id, resource)), expiresAt: row.expiresAt, scopes: row.scopes };
}

/** Deletes the connection and its tokens (not a soft delete: the grant must not survive). */
export async function disconnectConnection(db: Db, orgId: string, actor: Actor, id: string, meta?: RequestMeta) {
  return db.$transaction(async (tx) => {
    const c = await tx.connection.findFirst({ where: { id, orgId }, select: { id: true, mailbox: true, integrationId: true } });
    if (!c) throw notFound("That mailbox connection");
    await tx.connection.delete({ where: { id } });
    await record(tx, { action: "connection.disconnected", orgId, actor, targetType: "connection", targetId: id, data: { mailbox: c.mailbox, integrationId: c.integrationId }, meta });
    return c;
  });
}
