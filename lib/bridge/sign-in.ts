import { RateLimiterMemory } from "rate-limiter-flexible";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import type { CloudId } from "@/lib/microsoft/clouds";
import { recordAggregated } from "@/lib/audit/record";
import { parseTrustedProxies } from "@/lib/client-ip";
import { displayStatus } from "@/lib/connections/connections";
import { mailboxUrl } from "@/lib/alerts/payloads";
import { authenticateKey, KEY_PATTERN, reachWhere } from "@/lib/api-keys/keys";
import type { BridgeProtocol } from "./protocols";
import { verifyPassword, VerifiedCache } from "./password";
import type { RecentReads } from "./recent-reads";
import { bridgeSessionRow } from "./session-rows";
import type { BridgeSessionOutcome } from "./session-outcome";

// Who a bridge client is: a bridge credential (username + password), or an API key with the
// Outlook resource used as the password with the mailbox address as the username. Checked on
// every sign-in against revocation, expiry, the credential's protocols and source addresses and the
// connection's consent; failures are limited per username and per source address and audited in
// aggregate (one row per org and hour).

export type BridgeGrant = {
  orgId: string;
  orgSlug: string;
  connectionId: string;
  /** The XOAUTH2 user upstream: the mailbox address (for a shared mailbox, the shared address). */
  mailbox: string;
  cloud: CloudId;
  via: { kind: "credential"; id: string; name: string; username: string } | { kind: "api_key"; id: string; name: string; prefix: string };
};

export type SignInRefusal = {
  ok: false;
  reason: "unknown" | "bad_password" | "revoked" | "expired" | "protocol" | "ip" | "needs_reconsent" | "rate_limited";
  /** Words for the client (after the protocol's own code): what is wrong and what to do. */
  hint: string;
};

export type SignInResult = { ok: true; grant: BridgeGrant } | SignInRefusal;

const PER_USERNAME = 10;
const PER_IP = 30;

/** Failed sign-ins counted per username and per source address over 5 minutes; each bridge has its own (startBridge makes them). */
export type SignInFailures = { username: RateLimiterMemory; ip: RateLimiterMemory };
export const signInFailures = (): SignInFailures => ({
  username: new RateLimiterMemory({ keyPrefix: "bridge_user", points: PER_USERNAME, duration: 300 }),
  ip: new RateLimiterMemory({ keyPrefix: "bridge_ip", points: PER_IP, duration: 300 }),
});

export type SignInDeps = { db: Db; portalUrl: string; cache: VerifiedCache; failures: SignInFailures; recent?: RecentReads<SignInCredential | null> };

/** The credential's source ranges (checked when it was made, lib/bridge/credentials.ts) against the client's address. */
function ipAllowed(ip: string | null, ranges: string[]): boolean {
  if (ranges.length === 0) return true;
  return !!ip && parseTrustedProxies(ranges.join(",")).check(ip);
}

const refuse = (reason: SignInRefusal["reason"], hint: string): SignInRefusal => ({ ok: false, reason, hint });
const WRONG = "Mailgrant: wrong username or password for the mail bridge; copy them again from the mailbox's page in the portal";

async function limited(failures: SignInFailures, username: string, ip: string | null): Promise<boolean> {
  const [u, i] = await Promise.all([failures.username.get(username), ip ? failures.ip.get(ip) : null]);
  return (u?.consumedPoints ?? 0) >= PER_USERNAME || (i?.consumedPoints ?? 0) >= PER_IP;
}

async function failed(deps: SignInDeps, username: string, ip: string | null, reason: SignInRefusal["reason"], org?: { orgId: string; targetType: "connection" | "api_key"; targetId: string }) {
  await Promise.all([deps.failures.username.consume(username).catch(() => undefined), ip ? deps.failures.ip.consume(ip).catch(() => undefined) : undefined]);
  if (org) {
    await recordAggregated(deps.db, { action: "bridge.sign_in_failed", orgId: org.orgId, actor: null, targetType: org.targetType, targetId: org.targetId, data: { username, reason, ...(ip ? { ip } : {}) }, meta: { ip } });
  }
}

const connectionSelect = { id: true, orgId: true, mailbox: true, status: true, consentedConfigVersion: true, org: { select: { slug: true } }, integration: { select: { cloud: true, configVersion: true, purposes: true } } } as const;

const credentialSelect = { id: true, name: true, username: true, passwordHash: true, protocols: true, allowedIps: true, revokedAt: true, lastUsedAt: true, connection: { select: connectionSelect } } as const;
/** What a sign-in reads of a bridge credential (the bridge remembers it a few seconds: recent-reads.ts). */
export type SignInCredential = Prisma.BridgeCredentialGetPayload<{ select: typeof credentialSelect }>;

export async function bridgeSignIn(deps: SignInDeps, input: { username: string; password: string; protocol: BridgeProtocol; ip: string | null }): Promise<SignInResult> {
  const username = input.username.trim().toLowerCase();
  if (await limited(deps.failures, username, input.ip)) return refuse("rate_limited", "Mailgrant: too many failed sign-ins; wait five minutes and check the username and password");
  const consent = (c: { orgId: string; id: string; status: string; consentedConfigVersion: number; integration: { configVersion: number }; org: { slug: string } }) =>
    displayStatus(c as Parameters<typeof displayStatus>[0]) === "connected" ? null : refuse("needs_reconsent", `Mailgrant: this mailbox needs re-consent, see ${mailboxUrl(deps.portalUrl, c.org.slug, c.id)}`);

  if (KEY_PATTERN.test(input.password)) {
    const auth = await authenticateKey(deps.db, input.password);
    if (!auth.ok) {
      await failed(deps, username, input.ip, auth.reason === "revoked" ? "revoked" : auth.reason === "expired" ? "expired" : "bad_password");
      return refuse(auth.reason === "revoked" ? "revoked" : auth.reason === "expired" ? "expired" : "bad_password", auth.reason === "revoked" || auth.reason === "expired" ? `Mailgrant: this API key was ${auth.reason}; ask an org admin for a new one` : WRONG);
    }
    const key = auth.key;
    const c = await deps.db.connection.findFirst({ where: { AND: [reachWhere(key), { mailbox: username }] }, select: connectionSelect, orderBy: { connectedAt: "desc" } });
    if (!c) {
      await failed(deps, username, input.ip, "unknown", { orgId: key.orgId, targetType: "api_key", targetId: key.id });
      return refuse("unknown", `Mailgrant: this API key reaches no connected mailbox ${username}; use the mailbox address as the username`);
    }
    if (!key.resources.includes("outlook")) return refuse("protocol", "Mailgrant: this API key may not get Outlook tokens; ask an org admin for a key with the Outlook (IMAP, POP, SMTP) resource");
    const reconsent = consent(c);
    if (reconsent) return reconsent;
    return { ok: true, grant: { orgId: c.orgId, orgSlug: c.org.slug, connectionId: c.id, mailbox: c.mailbox, cloud: c.integration.cloud as CloudId, via: { kind: "api_key", id: key.id, name: key.name, prefix: key.prefix } } };
  }

  const read = () => deps.db.bridgeCredential.findUnique({ where: { username }, select: credentialSelect });
  const cred = deps.recent ? await deps.recent.get(username, read, (c) => (c ? [c.id, c.connection.id] : [])) : await read();
  if (!cred) {
    await failed(deps, username, input.ip, "unknown");
    return refuse("unknown", WRONG);
  }
  const org = { orgId: cred.connection.orgId, targetType: "connection" as const, targetId: cred.connection.id };
  const good = deps.cache.has(cred.id, cred.passwordHash, input.password) || (await verifyPassword(input.password, cred.passwordHash));
  if (!good) {
    await failed(deps, username, input.ip, "bad_password", org);
    return refuse("bad_password", WRONG);
  }
  deps.cache.remember(cred.id, cred.passwordHash, input.password);
  if (cred.revokedAt) {
    await failed(deps, username, input.ip, "revoked", org);
    return refuse("revoked", "Mailgrant: this bridge credential was revoked; ask an org admin for a new one");
  }
  if (!cred.protocols.includes(input.protocol)) return refuse("protocol", `Mailgrant: this bridge credential is not allowed to use ${input.protocol.toUpperCase()}; an org admin can create one that is`);
  if (!ipAllowed(input.ip, cred.allowedIps)) {
    await failed(deps, username, input.ip, "ip", org);
    return refuse("ip", `Mailgrant: this bridge credential may not be used from ${input.ip ?? "this address"}`);
  }
  const reconsent = consent(cred.connection);
  if (reconsent) return reconsent;
  const now = new Date();
  if (!cred.lastUsedAt || now.getTime() - cred.lastUsedAt.getTime() > 60_000) {
    cred.lastUsedAt = now; // a remembered row too: one write a minute, not one per sign-in that shares it
    await deps.db.bridgeCredential.update({ where: { id: cred.id }, data: { lastUsedAt: now, lastUsedIp: input.ip } });
  }
  const c = cred.connection;
  return { ok: true, grant: { orgId: c.orgId, orgSlug: c.org.slug, connectionId: c.id, mailbox: c.mailbox, cloud: c.integration.cloud as CloudId, via: { kind: "credential", id: cred.id, name: cred.name, username: cred.username } } };
}

/** Of the grants the bridge is serving, those whose credential or key has been revoked (or has expired) since. */
export async function revokedGrants(db: Db, grants: readonly BridgeGrant[], now = new Date()): Promise<Set<string>> {
  const credIds = [...new Set(grants.filter((g) => g.via.kind === "credential").map((g) => g.via.id))];
  const keyIds = [...new Set(grants.filter((g) => g.via.kind === "api_key").map((g) => g.via.id))];
  const [creds, keys] = await Promise.all([
    credIds.length ? db.bridgeCredential.findMany({ where: { id: { in: credIds }, revokedAt: { not: null } }, select: { id: true } }) : [],
    keyIds.length ? db.apiKey.findMany({ where: { id: { in: keyIds }, OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }] }, select: { id: true } }) : [],
  ]);
  return new Set([...creds, ...keys].map((r) => r.id));
}

export type BridgeSessionRecord = {
  protocol: BridgeProtocol;
  clientIp: string | null;
  startedAt: Date;
  endedAt: Date;
  bytesFromClient: number;
  bytesToClient: number;
  outcome: BridgeSessionOutcome;
  code?: string;
  reply?: string;
};

/** One bridge session on the mailbox's timeline at once (the bridge itself batches them: session-rows.ts). */
export async function recordBridgeSession(db: Db, grant: BridgeGrant, s: BridgeSessionRecord): Promise<void> {
  await db.connectionEvent.create({ data: bridgeSessionRow(grant, s) });
}
