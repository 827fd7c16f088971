import net from "node:net";
import { randomInt } from "node:crypto";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { generatePassword, hashPassword } from "./password";
import { BRIDGE_PROTOCOLS, PROTOCOL_WORDS, type BridgeProtocol } from "./protocols";

// Bridge credentials: per connection, a username and a generated password a legacy client signs in
// to the mail bridge with, limited to chosen protocols and, optionally, source addresses. The
// password is returned once, when made; revoking refuses new sign-ins and cuts open sessions within
// the bridge's revocation poll interval (3 s: it re-reads revocations of the credentials it serves
// and remembers a sign-in's read that long, lib/bridge/recent-reads.ts).

type Actor = { id: string; email: string };

export const bridgeCredentialSelect = {
  id: true,
  connectionId: true,
  name: true,
  username: true,
  protocols: true,
  allowedIps: true,
  createdByEmail: true,
  createdAt: true,
  revokedAt: true,
  revokedByEmail: true,
  lastUsedAt: true,
  lastUsedIp: true,
} satisfies Prisma.BridgeCredentialSelect;

export type BridgeCredentialView = Prisma.BridgeCredentialGetPayload<{ select: typeof bridgeCredentialSelect }>;
/** What the page shows beside the password once a credential is made (with the settings for its protocols). */
export type CreatedBridgeCredential = Pick<BridgeCredentialView, "username" | "protocols">;

export type CreateBridgeCredentialInput = {
  connectionId: string;
  name: string;
  /** "mailbox": the mailbox address; "generated": bridge-xxxxxxxx (when the address is taken, or a client cannot type "@"). */
  username: "mailbox" | "generated";
  protocols: BridgeProtocol[];
  /** Addresses or CIDR ranges (already trimmed); empty: anywhere. */
  allowedIps: string[];
};

const LOWER = "0123456789abcdefghijklmnopqrstuvwxyz";
const generatedUsername = () => `bridge-${Array.from({ length: 8 }, () => LOWER[randomInt(LOWER.length)]).join("")}`;

/** "10.0.0.0/8" or "192.0.2.7" → null when valid, else what is wrong with it. */
export function ipRangeProblem(entry: string): string | null {
  const [address, bits, extra] = entry.split("/");
  const family = net.isIP(address ?? "");
  if (!family || extra !== undefined) return `"${entry}" is not an IP address or CIDR range (e.g. 192.0.2.7 or 10.0.0.0/8)`;
  if (bits === undefined) return null;
  const prefix = Number(bits);
  return Number.isInteger(prefix) && prefix >= 0 && prefix <= (family === 6 ? 128 : 32) ? null : `"${entry}" has an invalid prefix length`;
}

export async function createBridgeCredential(db: Db, orgId: string, actor: Actor, input: CreateBridgeCredentialInput, meta?: RequestMeta): Promise<{ password: string; view: BridgeCredentialView }> {
  const connection = await db.connection.findFirst({ where: { orgId, id: input.connectionId }, select: { id: true, mailbox: true, integration: { select: { purposes: true } } } });
  if (!connection) throw new AppError("not_found", "That mailbox is not connected in this organization (any more). Reload the page.");
  const protocols = BRIDGE_PROTOCOLS.filter((p) => input.protocols.includes(p));
  if (protocols.length === 0) throw new AppError("invalid_input", "Choose at least one protocol the client may use: SMTP, IMAP or POP3.", "protocols");
  const purposes = connection.integration.purposes as string[];
  const missing = protocols.filter((p) => !purposes.includes(p));
  if (missing.length) {
    throw new AppError("invalid_input", `The mailbox's integration does not ask Microsoft for ${missing.map((p) => PROTOCOL_WORDS[p]).join(" and ")}; add that purpose to the integration first (the mailbox then signs in again), or leave it out here.`, "protocols");
  }
  const bad = input.allowedIps.map(ipRangeProblem).find(Boolean);
  if (bad) throw new AppError("invalid_input", `${bad}.`, "allowedIps");
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const username = input.username === "mailbox" ? connection.mailbox : generatedUsername();
  try {
    const view = await db.$transaction(async (tx) => {
      const created = await tx.bridgeCredential.create({
        data: { orgId, connectionId: connection.id, name: input.name, username, passwordHash, protocols, allowedIps: input.allowedIps, createdById: actor.id, createdByEmail: actor.email },
        select: bridgeCredentialSelect,
      });
      await record(tx, { action: "bridge_credential.created", orgId, actor, targetType: "connection", targetId: connection.id, data: { credentialId: created.id, name: input.name, username, protocols, allowedIps: input.allowedIps }, meta });
      return created;
    });
    return { password, view };
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError("invalid_input", `The username ${username} is already used by another bridge credential; choose a generated username.`, "username");
    throw e;
  }
}

export async function listBridgeCredentials(db: Db, orgId: string, connectionId: string): Promise<BridgeCredentialView[]> {
  return db.bridgeCredential.findMany({ where: { orgId, connectionId }, select: bridgeCredentialSelect, orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] });
}

/** Revokes: within the bridge's poll interval (3 s) sign-ins are refused and open sessions cut. Twice changes nothing. */
export async function revokeBridgeCredential(db: Db, orgId: string, actor: Actor, id: string, meta?: RequestMeta, now = new Date()): Promise<BridgeCredentialView> {
  return db.$transaction(async (tx) => {
    const c = await tx.bridgeCredential.findFirst({ where: { orgId, id }, select: bridgeCredentialSelect });
    if (!c) throw new AppError("not_found", "That bridge credential does not exist (any more). Reload the page.");
    if (c.revokedAt) return c;
    const revoked = await tx.bridgeCredential.update({ where: { id }, data: { revokedAt: now, revokedByEmail: actor.email }, select: bridgeCredentialSelect });
    await record(tx, { action: "bridge_credential.revoked", orgId, actor, targetType: "connection", targetId: c.connectionId, data: { credentialId: id, name: c.name, username: c.username }, meta });
    return revoked;
  });
}
