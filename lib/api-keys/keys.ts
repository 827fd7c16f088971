import { createHash, randomInt, timingSafeEqual } from "node:crypto";
import type { Db } from "@/lib/db-client";
import { dateOf, epochMs, sqlOf, type SqlReader } from "@/lib/db-sql";
import type { ApiKey, ApiKeyReach, Prisma } from "@/generated/prisma/client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import type { Resource } from "@/lib/connections/tokens";

// API keys for the token API. A key is "mgk_" + 8 lookup characters + 40 secret characters, all
// base62: the prefix is recognizable (secret scanners look for "mgk_" followed by 48 base62
// characters), the lookup part finds the row through a unique index, and SHA-256 of the whole key
// is compared in constant time. The secret part carries 238 bits, so a fast hash is safe: there
// is nothing to guess word by word, unlike a password. Only the hash is stored; the key is shown
// once, when it is made.

export const KEY_PREFIX = "mgk_";
const LOOKUP_LENGTH = 8;
const SECRET_LENGTH = 40;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const KEY_PATTERN = new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${LOOKUP_LENGTH + SECRET_LENGTH}}$`);
export const RESOURCES = ["graph", "outlook"] as const satisfies readonly Resource[];

const randomBase62 = (length: number) => Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
const hashOf = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");
/** The part of a key that is shown and looked up: "mgk_" and the lookup characters. */
export const prefixOf = (key: string) => key.slice(0, KEY_PREFIX.length + LOOKUP_LENGTH);

export function generateKey(): { key: string; prefix: string; hash: string } {
  const key = `${KEY_PREFIX}${randomBase62(LOOKUP_LENGTH)}${randomBase62(SECRET_LENGTH)}`;
  return { key, prefix: prefixOf(key), hash: hashOf(key) };
}

export type KeyReach = { reach: "ORG" } | { reach: "INTEGRATIONS"; integrationIds: string[] } | { reach: "CONNECTIONS"; connectionIds: string[] };

export type CreateKeyInput = { name: string; resources: Resource[]; expiresAt: Date | null } & KeyReach;

type Actor = { id: string; email: string };

/** Shown in the audit log as who did something with a key. */
export const keyActorLabel = (k: Pick<ApiKey, "name" | "prefix">) => `API key "${k.name}" (${k.prefix}…)`;

/** The fields a list shows: never the hash. */
export const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  reach: true,
  integrationIds: true,
  connectionIds: true,
  resources: true,
  expiresAt: true,
  revokedAt: true,
  revokedByEmail: true,
  createdByEmail: true,
  lastUsedAt: true,
  lastUsedIp: true,
  createdAt: true,
} satisfies Prisma.ApiKeySelect;

export type ApiKeyView = Prisma.ApiKeyGetPayload<{ select: typeof apiKeySelect }>;

/**
 * Makes a key and returns it in full, the only time it exists outside the caller's hands. The
 * integrations or connections it reaches must be the org's own: anything else is refused by name.
 */
export async function createApiKey(db: Db, orgId: string, actor: Actor, input: CreateKeyInput, meta?: RequestMeta, now = new Date()): Promise<{ key: string; view: ApiKeyView }> {
  if (input.expiresAt && input.expiresAt.getTime() <= now.getTime()) throw new AppError("invalid_input", "The expiry date must be in the future.", "expiresAt");
  const integrationIds = input.reach === "INTEGRATIONS" ? [...new Set(input.integrationIds)] : [];
  const connectionIds = input.reach === "CONNECTIONS" ? [...new Set(input.connectionIds)] : [];
  if (input.reach === "INTEGRATIONS") {
    if (integrationIds.length === 0) throw new AppError("invalid_input", "Choose at least one integration for this key to reach.", "integrationIds");
    const found = await db.integration.count({ where: { orgId, id: { in: integrationIds } } });
    if (found !== integrationIds.length) throw new AppError("invalid_input", "One of the chosen integrations is not in this organization (any more). Reload the page and choose again.", "integrationIds");
  }
  if (input.reach === "CONNECTIONS") {
    if (connectionIds.length === 0) throw new AppError("invalid_input", "Choose at least one mailbox for this key to reach.", "connectionIds");
    const found = await db.connection.count({ where: { orgId, id: { in: connectionIds } } });
    if (found !== connectionIds.length) throw new AppError("invalid_input", "One of the chosen mailboxes is not in this organization (any more). Reload the page and choose again.", "connectionIds");
  }
  const resources = RESOURCES.filter((r) => input.resources.includes(r));
  if (resources.length === 0) throw new AppError("invalid_input", "Choose which tokens the key may get: Microsoft Graph, Outlook (IMAP, POP, SMTP), or both.", "resources");
  const { key, prefix, hash } = generateKey();
  const view = await db.$transaction(async (tx) => {
    const created = await tx.apiKey.create({
      data: { orgId, name: input.name, prefix, hash, reach: input.reach as ApiKeyReach, integrationIds, connectionIds, resources, expiresAt: input.expiresAt, createdById: actor.id, createdByEmail: actor.email },
      select: apiKeySelect,
    });
    await record(tx, {
      action: "api_key.created",
      orgId,
      actor,
      targetType: "api_key",
      targetId: created.id,
      data: { name: input.name, prefix, reach: input.reach, resources, ...(integrationIds.length ? { integrationIds } : {}), ...(connectionIds.length ? { connectionIds } : {}), expiresAt: input.expiresAt?.toISOString() ?? null },
      meta,
    });
    return created;
  });
  return { key, view };
}

/** The org's keys, newest first, revoked ones last. */
export async function listApiKeys(db: Db, orgId: string): Promise<ApiKeyView[]> {
  const rows = await db.apiKey.findMany({ where: { orgId }, select: apiKeySelect, orderBy: [{ createdAt: "desc" }, { id: "asc" }] });
  return [...rows.filter((k) => !k.revokedAt), ...rows.filter((k) => k.revokedAt)];
}

export async function getApiKey(db: Db, orgId: string, id: string): Promise<ApiKeyView | null> {
  return db.apiKey.findFirst({ where: { orgId, id }, select: apiKeySelect });
}

/** Revokes a key: its next call is refused. Revoking twice changes nothing and records nothing. */
export async function revokeApiKey(db: Db, orgId: string, actor: Actor, id: string, meta?: RequestMeta, now = new Date()): Promise<ApiKeyView> {
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { orgId, id }, select: apiKeySelect });
    if (!key) throw new AppError("not_found", "That API key does not exist (any more). Reload the page.");
    if (key.revokedAt) return key;
    const revoked = await tx.apiKey.update({ where: { id }, data: { revokedAt: now, revokedByEmail: actor.email }, select: apiKeySelect });
    await record(tx, { action: "api_key.revoked", orgId, actor, targetType: "api_key", targetId: id, data: { name: key.name, prefix: key.prefix }, meta });
    return revoked;
  });
}

/** What a call knows of its key once it is authenticated. */
export type AuthenticatedKey = Pick<ApiKey, "id" | "orgId" | "name" | "prefix" | "reach" | "integrationIds" | "connectionIds" | "resources" | "lastUsedAt"> & { orgSlug: string };

type KeyRow = Pick<ApiKey, "id" | "orgId" | "name" | "prefix" | "hash" | "reach" | "integrationIds" | "connectionIds" | "resources"> & { orgSlug: string; lastUsedAt: number | null; revokedAt: number | null; expiresAt: number | null };

export type KeyRefusal = "missing" | "malformed" | "unknown" | "revoked" | "expired";

// One statement for the key and its org's slug, sent to the driver when the caller has it (the
// token API: this runs on every call) and through Prisma otherwise (the mail bridge).
const KEY_BY_PREFIX = `
  SELECT k.id::text AS id, k."orgId"::text AS "orgId", k.name, k.prefix, k.hash, k.reach::text AS reach,
         k."integrationIds"::text[] AS "integrationIds", k."connectionIds"::text[] AS "connectionIds", k.resources::text[] AS resources,
         ${epochMs('k."lastUsedAt"')} AS "lastUsedAt", ${epochMs('k."revokedAt"')} AS "revokedAt", ${epochMs('k."expiresAt"')} AS "expiresAt",
         o.slug AS "orgSlug"
    FROM "ApiKey" k JOIN "Org" o ON o.id = k."orgId"
   WHERE k.prefix = $1`;

/**
 * The key a call presents, checked against its hash, revocation and expiry on every call. The
 * refusal says which, for the caller's message; it never depends on another org's data.
 */
export async function authenticateKey(db: Db | SqlReader, presented: string | null | undefined, now = new Date()): Promise<{ ok: true; key: AuthenticatedKey } | { ok: false; reason: KeyRefusal }> {
  if (!presented) return { ok: false, reason: "missing" };
  if (!KEY_PATTERN.test(presented)) return { ok: false, reason: "malformed" };
  const [row] = await sqlOf(db).rows<KeyRow>(KEY_BY_PREFIX, [prefixOf(presented)], "mg_api_key_by_prefix");
  // Compare even when no row matched, so an unknown key costs what a wrong one does.
  const stored = Buffer.from(row?.hash ?? "0".repeat(64), "hex");
  const matches = timingSafeEqual(stored, Buffer.from(hashOf(presented), "hex")) && row !== undefined;
  if (!row || !matches) return { ok: false, reason: "unknown" };
  if (row.revokedAt !== null) return { ok: false, reason: "revoked" };
  if (row.expiresAt !== null && row.expiresAt <= now.getTime()) return { ok: false, reason: "expired" };
  return {
    ok: true,
    key: { id: row.id, orgId: row.orgId, name: row.name, prefix: row.prefix, reach: row.reach, integrationIds: row.integrationIds ?? [], connectionIds: row.connectionIds ?? [], resources: row.resources ?? [], lastUsedAt: dateOf(row.lastUsedAt), orgSlug: row.orgSlug },
  };
}

/** The connections a key reaches, as a where clause (always within its org). */
export function reachWhere(key: Pick<AuthenticatedKey, "orgId" | "reach" | "integrationIds" | "connectionIds">): Prisma.ConnectionWhereInput {
  if (key.reach === "INTEGRATIONS") return { orgId: key.orgId, integrationId: { in: key.integrationIds } };
  if (key.reach === "CONNECTIONS") return { orgId: key.orgId, id: { in: key.connectionIds } };
  return { orgId: key.orgId };
}
