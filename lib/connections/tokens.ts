import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import type { Db } from "@/lib/db-client";
import { Prisma } from "@/generated/prisma/client";
import { decryptField, encryptField, type Keyring } from "@/lib/crypto";
import { diagnose } from "@/lib/diagnosis/catalog";
import type { CloudId } from "@/lib/microsoft/clouds";
import { refreshAccessToken, tenantIssuer } from "@/lib/microsoft/oauth-client";
import { type HostMap } from "@/lib/microsoft/endpoints";
import { tokenScopesFor, type Purpose } from "@/lib/microsoft/scopes";
import { credentialOf, endpointsOf, getIntegrationWithSecrets } from "@/lib/integrations/integrations";
import { logger } from "@/lib/logger";
import { backoffMs, classifyFailure } from "./classify";
import type { FailureClass } from "@/lib/diagnosis/catalog";
import { failureFromMicrosoftError, type Failure } from "./failure";
import { readRefreshToken, storeRotatedRefreshToken } from "./connections";
import { refreshHealth } from "@/lib/checks/record";
import { metrics } from "@/lib/metrics/metrics";

// Access tokens per resource from the one refresh grant, cached encrypted until shortly before
// they expire. A refresh is single-flight per connection: within a process through a shared
// promise, across processes through a lease on the connection row (whoever sets a lease that
// has run out refreshes; the others wait for its result, see refreshUnderLease). The rotated
// refresh token is stored with compare-and-set, so a newer one is never replaced; a crash between
// receiving and storing it loses nothing, because the previous refresh token still works at
// Microsoft.

export type Resource = "graph" | "outlook";

export type TokenDeps = {
  db: Db;
  keyring: Keyring;
  hostMap?: HostMap;
  now?: () => Date;
  /** The pause between retries of a transient failure (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts for transient failures (timeouts, 5xx, 429). */
  maxAttempts?: number;
  /** How long a refresher may hold the lease. */
  leaseMs?: number;
  /** How long others wait for a refresher before giving up (as a transient failure). */
  waitMs?: number;
};

/** Tokens are refreshed this long before they expire. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/** The most a refresh sleeps in all for Retry-After between its attempts; a longer wait goes back to the caller. */
export const RETRY_WAIT_BUDGET_MS = 10_000;

/**
 * Why a refresh ran, kept on its ConnectionEvent so the mailbox timeline can say who caused it.
 * Callers sharing an in-flight refresh (or waiting on another process's lease) join the cause of
 * whoever started it. No cause: something needed a token (the bridge, a downstream app).
 */
export type RefreshCause = { by: "scheduled-check" } | { by: "test-now"; userId?: string } | { by: "keep-alive" } | { by: "refresh-now"; userId: string };

const causeDetail = (cause: RefreshCause | undefined) => (cause ? { by: cause.by, ...("userId" in cause && cause.userId ? { userId: cause.userId } : {}) } : {});

export type AccessToken = { token: string; expiresAt: Date; scopes: string[]; fromCache: boolean };
export type TokenResult = { ok: true; value: AccessToken } | { ok: false; failure: Failure; classification: FailureClass };

const inflight = new Map<string, Promise<TokenResult>>();
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const accessContext = (orgId: string, rowId: string, resource: string) => ({ orgId, table: "ConnectionAccessToken", rowId, field: resource });

export type TokenRow = { tokenEncrypted: string; expiresAt: Date; scopes: string[] };

/** A cached token row the caller already read, if it has more than REFRESH_MARGIN_MS left (decrypted); else null. */
export function usableToken(deps: TokenDeps, orgId: string, id: string, resource: Resource, row: TokenRow | null | undefined): AccessToken | null {
  const now = (deps.now ?? (() => new Date()))();
  if (!row || row.expiresAt.getTime() - REFRESH_MARGIN_MS <= now.getTime()) return null;
  return { token: decryptField(deps.keyring, row.tokenEncrypted, accessContext(orgId, id, resource)), expiresAt: row.expiresAt, scopes: row.scopes, fromCache: true };
}

async function cachedToken(deps: TokenDeps, orgId: string, id: string, resource: Resource): Promise<AccessToken | null> {
  const row = await deps.db.connectionAccessToken.findFirst({ where: { connectionId: id, resource, connection: { orgId } } });
  return usableToken(deps, orgId, id, resource, row);
}

/**
 * A valid access token for the connection and resource: from the cache, or from one refresh
 * shared by every concurrent caller. `shareInProcess: false` behaves like a separate process
 * (tests use it to prove the cross-process lease).
 */
export async function getAccessToken(deps: TokenDeps, orgId: string, connectionId: string, resource: Resource, opts: { shareInProcess?: boolean; force?: boolean; cause?: RefreshCause } = {}): Promise<TokenResult> {
  if (opts.force) {
    // "Refresh now": drop the cached token, then join (or start) the shared refresh.
    await deps.db.connectionAccessToken.deleteMany({ where: { connectionId, resource, connection: { orgId } } });
  } else {
    const cached = await cachedToken(deps, orgId, connectionId, resource);
    if (cached) return { ok: true, value: cached };
  }
  if (opts.shareInProcess === false) return refreshUnderLease(deps, orgId, connectionId, resource, opts.cause);
  const key = `${connectionId}:${resource}`;
  let pending = inflight.get(key);
  if (!pending) {
    pending = refreshUnderLease(deps, orgId, connectionId, resource, opts.cause).finally(() => inflight.delete(key));
    inflight.set(key, pending);
  }
  return pending;
}

// Waiting for another process's refresh. A waiter first tries the lease (its caller has just
// missed the cache). After that it waits for looks at the connection row (lease, last failure,
// cached token for the resource: one primary-key read) taken by this process's one poller for the
// connection and resource, shared by every waiter in the process, including those that stand in
// for separate processes (`shareInProcess: false`): they still claim the lease each on their own,
// so the lease is what keeps the refresh single-flight, but they read the row once between them.
// The database then sees one query per round per process, however many requests wait. The rounds
// thin out: the pause doubles from WAIT_FIRST_MS to WAIT_MAX_MS, half of it random, so processes
// that lost the same race spread out instead of polling in step. (Fixed 100-200 ms polls of three
// queries per waiter queued hundreds of queries ahead of the refresher on the single-connection
// embedded database and starved it.) A waiter stops as soon as the holder's result is visible:
// its token, or the failure it recorded (the answer the holder got, as callers sharing the promise
// in-process get), instead of refreshing again and calling Microsoft once per waiter after a
// refused grant.
//
// Not LISTEN/NOTIFY: the portal reaches the database only through Prisma, whose pool has no
// connection that stays LISTENing, and the embedded database has no other process to notify. A
// dedicated pg connection per process would save at most WAIT_MAX_MS of latency on a path that
// runs about once an hour per connection; polling works the same on both databases.
const WAIT_FIRST_MS = 100;
const WAIT_MAX_MS = 2_000;

/** The pause before the next look at a lease: doubling from WAIT_FIRST_MS up to WAIT_MAX_MS, half of it random. */
export function waitPauseMs(round: number, random = Math.random): number {
  const cap = Math.min(WAIT_MAX_MS, WAIT_FIRST_MS * 2 ** Math.min(round, 30));
  return Math.round(cap / 2 + random() * (cap / 2));
}

type LeaseRow = { refreshLeaseUntil: Date | null; lastFailure: Prisma.JsonValue | null; accessTokens: TokenRow[] };
type Waiter = { resolve: (row: LeaseRow | null) => void; reject: (e: unknown) => void };
const pollers = new Map<string, Set<Waiter>>();

/** The next look at the connection's lease row (null: the connection is gone), from this process's shared poller. */
function nextLook(deps: TokenDeps, orgId: string, id: string, resource: Resource): Promise<LeaseRow | null> {
  const key = `${orgId}:${id}:${resource}`;
  return new Promise((resolve, reject) => {
    let waiters = pollers.get(key);
    if (!waiters) {
      waiters = new Set();
      pollers.set(key, waiters);
      void poll(deps, orgId, id, resource, key, waiters);
    }
    waiters.add({ resolve, reject });
  });
}

async function poll(deps: TokenDeps, orgId: string, id: string, resource: Resource, key: string, waiters: Set<Waiter>) {
  // Waiters that keep waiting sign up again during the pause, so the rounds keep growing for them.
  for (let round = 0; ; round += 1) {
    // Real time even when tests stub the retry sleep: the holder needs real time to finish.
    await realSleep(waitPauseMs(round));
    if (waiters.size === 0) break;
    const batch = [...waiters];
    waiters.clear();
    try {
      const row = await deps.db.connection.findFirst({
        where: { id, orgId },
        select: { refreshLeaseUntil: true, lastFailure: true, accessTokens: { where: { resource }, select: { tokenEncrypted: true, expiresAt: true, scopes: true } } },
      });
      for (const w of batch) w.resolve(row);
    } catch (e) {
      for (const w of batch) w.reject(e);
    }
  }
  pollers.delete(key);
}

/** A failure the lease holder recorded for this resource since `since` (lastFailure as recordFailure writes it). */
function failureSince(lastFailure: Prisma.JsonValue | null, resource: Resource, since: number): TokenResult | null {
  if (!lastFailure || typeof lastFailure !== "object" || Array.isArray(lastFailure)) return null;
  const { classification, resource: failedResource, at, ...failure } = lastFailure as Record<string, unknown>;
  if (failedResource !== resource || typeof at !== "string" || !(Date.parse(at) >= since) || typeof failure.code !== "string") return null;
  return { ok: false, classification: classification as FailureClass, failure: failure as Failure };
}

/** Refreshes under the connection's lease, or waits for whoever holds it. Callers have just found no usable cached token. */
async function refreshUnderLease(deps: TokenDeps, orgId: string, id: string, resource: Resource, cause?: RefreshCause): Promise<TokenResult> {
  const now = deps.now ?? (() => new Date());
  const owner = randomUUID();
  const leaseMs = deps.leaseMs ?? 30_000;
  const startedAt = now().getTime();
  const giveUpAt = startedAt + (deps.waitMs ?? leaseMs + 5_000);
  for (let round = 0; ; round += 1) {
    let held = false;
    if (round > 0) {
      const row = await nextLook(deps, orgId, id, resource);
      if (!row) return { ok: false, classification: "misconfigured", failure: { code: "connection_gone", description: "The connection was disconnected." } };
      const cached = usableToken(deps, orgId, id, resource, row.accessTokens[0]);
      if (cached) return { ok: true, value: cached };
      held = row.refreshLeaseUntil !== null && row.refreshLeaseUntil.getTime() >= now().getTime();
      // The holder we waited for let go without a token: it failed and recorded why. A clock
      // skewed between processes can only hide that failure, which costs one more refresh.
      const failed = held ? null : failureSince(row.lastFailure, resource, startedAt);
      if (failed) return failed;
    }
    const at = now();
    const claimed = held
      ? { count: 0 }
      : await deps.db.connection.updateMany({
          where: { id, orgId, OR: [{ refreshLeaseUntil: null }, { refreshLeaseUntil: { lt: at } }] },
          data: { refreshLeaseUntil: new Date(at.getTime() + leaseMs), refreshLeaseOwner: owner },
        });
    if (claimed.count === 1) {
      try {
        return await refreshNow(deps, orgId, id, resource, cause);
      } finally {
        await deps.db.connection.updateMany({ where: { id, refreshLeaseOwner: owner }, data: { refreshLeaseUntil: null, refreshLeaseOwner: null } });
      }
    }
    if (now().getTime() > giveUpAt) {
      return { ok: false, classification: "transient", failure: { code: "refresh_busy", description: "Another refresh of this connection did not finish in time; try again." } };
    }
  }
}

async function refreshNow(deps: TokenDeps, orgId: string, id: string, resource: Resource, cause?: RefreshCause): Promise<TokenResult> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const connection = await deps.db.connection.findFirst({ where: { id, orgId }, select: { integrationId: true, tenantId: true, status: true, refreshFailingSince: true } });
  const stored = await readRefreshToken(deps.db, deps.keyring, orgId, id);
  if (!connection || !stored) return { ok: false, classification: "needs_reconsent", failure: { code: "no_refresh_token" } };
  const integration = await getIntegrationWithSecrets(deps.db, deps.keyring, orgId, connection.integrationId);
  const endpoints = endpointsOf(integration, deps.hostMap);
  const scope = tokenScopesFor(integration.cloud as CloudId, integration.purposes as Purpose[], resource, integration.extraScopes);
  const maxAttempts = deps.maxAttempts ?? 3;
  let waitedMs = 0;

  for (let attempt = 0; ; attempt += 1) {
    let issuer: string;
    try {
      issuer = await tenantIssuer(endpoints.authority, connection.tenantId);
    } catch (e) {
      logger.warn({ err: e, connectionId: id }, "discovery failed before a refresh");
      if (attempt + 1 < maxAttempts) {
        await sleep(backoffMs(attempt));
        continue;
      }
      return recordFailure(deps, orgId, id, resource, { kind: "unreachable", description: (e as Error).message }, cause);
    }
    const r = await refreshAccessToken({ tokenEndpoint: endpoints.token, issuer, clientId: integration.clientId, credential: credentialOf(integration), refreshToken: stored.token, scope });
    if (r.ok) {
      const at = now();
      const expiresAt = new Date(at.getTime() + r.tokens.expiresIn * 1000);
      const scopes = r.tokens.scope.split(/\s+/).filter(Boolean);
      const tokenEncrypted = encryptField(deps.keyring, r.tokens.accessToken, accessContext(orgId, id, resource));
      await deps.db.connectionAccessToken.upsert({
        where: { connectionId_resource: { connectionId: id, resource } },
        create: { connectionId: id, resource, tokenEncrypted, scopes, expiresAt },
        update: { tokenEncrypted, scopes, expiresAt, createdAt: at },
      });
      if (r.tokens.refreshToken) await storeRotatedRefreshToken(deps.db, deps.keyring, { orgId, id, expectedVersion: stored.version, refreshToken: r.tokens.refreshToken, now: at });
      await deps.db.connection.update({
        where: { id },
        data: {
          lastRefreshedAt: at,
          refreshTokenLastUsedAt: at,
          lastFailure: Prisma.DbNull,
          refreshFailingSince: null,
          // A refresh that works proves the grant: a failure-set "needs re-consent" is over.
          ...(connection.status === "NEEDS_RECONSENT" ? { status: "CONNECTED" as const, statusReason: null } : {}),
        },
      });
      metrics().refreshes.inc({ outcome: "ok", resource });
      await deps.db.connectionEvent.create({ data: { connectionId: id, kind: "refreshed", resource, detail: { scopes, expiresAt: expiresAt.toISOString(), attempts: attempt + 1, ...causeDetail(cause) } } });
      // Recovered from failing refreshes (or re-consent): the health they set is over.
      if (connection.refreshFailingSince || connection.status === "NEEDS_RECONSENT") await refreshHealth(deps.db, orgId, id, at);
      return { ok: true, value: { token: r.tokens.accessToken, expiresAt, scopes, fromCache: false } };
    }
    const classification = classifyFailure(r.error);
    const retryAfter = r.error.retryAfterSeconds;
    const pauseMs = backoffMs(attempt, retryAfter);
    // A wait Microsoft asked for that would hold this request (and the lease) too long is the
    // caller's to honour (the worker backs off the tenant): return the failure with its Retry-After.
    const tooLong = retryAfter !== undefined && waitedMs + pauseMs > RETRY_WAIT_BUDGET_MS;
    if (classification === "transient" && attempt + 1 < maxAttempts && !tooLong) {
      logger.info({ connectionId: id, resource, attempt: attempt + 1, code: r.error.aadsts ?? r.error.kind, pauseMs }, "transient token failure, retrying");
      await sleep(pauseMs);
      waitedMs += pauseMs;
      continue;
    }
    return recordFailure(deps, orgId, id, resource, r.error, cause);
  }
}

async function recordFailure(deps: TokenDeps, orgId: string, id: string, resource: Resource, error: Parameters<typeof failureFromMicrosoftError>[0], cause?: RefreshCause): Promise<TokenResult> {
  const failure = failureFromMicrosoftError(error);
  const classification = classifyFailure(error);
  const at = (deps.now ?? (() => new Date()))();
  const detail = { ...failure, classification, resource, at: at.toISOString() };
  await deps.db.connection.updateMany({
    where: { id, orgId },
    data: {
      lastFailure: detail,
      // Only a grant Microsoft refused needs a new consent; transient, blocked and configuration
      // failures leave the status alone (the fix is elsewhere, and the grant may still be good).
      ...(classification === "needs_reconsent" ? { status: "NEEDS_RECONSENT" as const, statusReason: `${diagnose(failure.code).title} (${failure.code}).` } : {}),
    },
  });
  // Transient failures start (or continue) the "failing since" clock; six hours of them is "at risk".
  if (classification === "transient") await deps.db.connection.updateMany({ where: { id, orgId, refreshFailingSince: null }, data: { refreshFailingSince: at } });
  await refreshHealth(deps.db, orgId, id, at);
  metrics().refreshes.inc({ outcome: classification, resource });
  await deps.db.connectionEvent.create({ data: { connectionId: id, kind: "refresh_failed", resource, classification, code: failure.code, detail: { ...detail, ...causeDetail(cause) } } });
  logger.warn({ connectionId: id, resource, code: failure.code, classification }, "token refresh failed");
  return { ok: false, failure, classification };
}

/** The claims of a cached access token that matter, or why they can't be shown. Never the token. */
export type TokenClaims =
  | { readable: true; aud?: string; scp?: string; roles?: string[]; tid?: string; oid?: string; upn?: string; iat?: number; exp?: number }
  | { readable: false; reason: string };

export function claimsOf(token: string): TokenClaims {
  try {
    const claims = decodeJwt(token);
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return {
      readable: true,
      ...(str(claims.aud) ? { aud: str(claims.aud) } : {}),
      ...(str(claims.scp) ? { scp: str(claims.scp) } : {}),
      ...(Array.isArray(claims.roles) ? { roles: claims.roles.map(String) } : {}),
      ...(str(claims.tid) ? { tid: str(claims.tid) } : {}),
      ...(str(claims.oid) ? { oid: str(claims.oid) } : {}),
      ...(str(claims.upn) ?? str(claims.preferred_username) ?? str(claims.unique_name) ? { upn: str(claims.upn) ?? str(claims.preferred_username) ?? str(claims.unique_name) } : {}),
      ...(typeof claims.iat === "number" ? { iat: claims.iat } : {}),
      ...(typeof claims.exp === "number" ? { exp: claims.exp } : {}),
    };
  } catch {
    return { readable: false, reason: "Microsoft issued an opaque token (not a readable JWT); clients must treat access tokens as opaque anyway." };
  }
}

/** Per resource: the cached token's claims and expiry (decrypted only to read the claims). */
export async function tokenStatus(db: Db, keyring: Keyring, orgId: string, connectionId: string) {
  const rows = await db.connectionAccessToken.findMany({ where: { connectionId, connection: { orgId } }, orderBy: { resource: "asc" } });
  return rows.map((r) => ({
    resource: r.resource as Resource,
    expiresAt: r.expiresAt,
    obtainedAt: r.createdAt,
    scopes: r.scopes,
    claims: claimsOf(decryptField(keyring, r.tokenEncrypted, accessContext(orgId, connectionId, r.resource))),
  }));
}

