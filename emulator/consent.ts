import { guid, randomToken } from "./ids";
import { OIDC_SCOPES, parseScopes, partitionOf, resourceById, type Partition } from "./resources";
import type { App, Consent, EmulatorState, PendingConsent, Tenant, User } from "./state";

/**
 * Delegated consent (Entra's oauth2PermissionGrant records): what a user, or an
 * admin for the whole tenant, has allowed an app to do. /authorize asks for
 * consent when the request isn't covered; /adminconsent grants tenant-wide.
 */

const PENDING_LIFETIME_MS = 30 * 60_000;

export function tenantPartition(state: EmulatorState, tenantId: string): Partition {
  const tenant = state.tenants.get(tenantId);
  return tenant ? partitionOf(tenant) : "global";
}

/**
 * Scopes as consent records hold them: resource-qualified with the tenant's default URI
 * for that resource, lower-cased; OIDC scopes dropped (they never need consent). Scopes
 * of resources the tenant has no principal for come back in `unknown`.
 */
export function canonicalScopes(scopes: string[], partition: Partition): { scopes: string[]; unknown: string[] } {
  const parsed = parseScopes(scopes, partition);
  const out: string[] = [];
  for (const [id, { names }] of parsed.byResource) {
    const uri = resourceById(id).uris[partition][0] ?? "";
    for (const name of names) out.push(`${uri}/${name}`.toLowerCase());
  }
  return { scopes: [...new Set(out)], unknown: parsed.unknownResources };
}

/** The user's own consent and the tenant-wide one for this app. */
export function consentsCovering(state: EmulatorState, clientId: string, user: User): Consent[] {
  return state.consents.covering(clientId, user.tenantId, user.id);
}

/**
 * Requested non-OIDC scopes no consent covers, matched per resource and case-insensitively
 * as the token endpoint matches them. `{resource}/.default` asked for is covered by any
 * consent for that resource; `{resource}/.default` granted (admin consent) covers any scope of it.
 * Scopes of unknown resources are left to the token endpoint (500011).
 */
export function missingConsent(state: EmulatorState, app: App, user: User, scopes: string[]): string[] {
  if (app.preAuthorized) return [];
  const partition = tenantPartition(state, user.tenantId);
  const requested = parseScopes(scopes, partition);
  const granted = parseScopes(
    consentsCovering(state, app.clientId, user).flatMap((c) => c.scopes),
    partition,
  );
  const missing: string[] = [];
  for (const [id, { names }] of requested.byResource) {
    const have = new Set((granted.byResource.get(id)?.names ?? []).map((n) => n.toLowerCase()));
    for (const name of names) {
      const n = name.toLowerCase();
      const covered = n === ".default" ? have.size > 0 : have.has(n) || have.has(".default");
      if (!covered) missing.push(`${resourceById(id).uris[partition][0] ?? ""}/${n}`);
    }
  }
  return missing;
}

/** Adds a grant, merging scopes into the existing record for the same app, tenant and user (or tenant-wide). */
export function grantConsent(
  state: EmulatorState,
  input: { clientId: string; tenantId: string; userId?: string; scopes: string[] },
): Consent {
  const grantedAt = new Date(state.now()).toISOString();
  const existing = state.consents.get(input.clientId, input.tenantId, input.userId);
  if (existing) {
    existing.scopes = [...new Set([...existing.scopes, ...input.scopes])];
    existing.grantedAt = grantedAt;
    return existing;
  }
  const consent: Consent = {
    id: guid(),
    clientId: input.clientId,
    tenantId: input.tenantId,
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    scopes: [...new Set(input.scopes)],
    grantedAt,
  };
  state.consents.add(consent);
  return consent;
}

export interface ConsentFilter {
  clientId?: string;
  tenant?: Tenant;
  user?: User;
  /** true: only tenant-wide records; false: only users' own. */
  tenantWide?: boolean;
}

export function findConsents(state: EmulatorState, f: ConsentFilter): Consent[] {
  return state.consents.filter(
    (c) =>
      (f.clientId === undefined || c.clientId === f.clientId.toLowerCase()) &&
      (f.tenant === undefined || c.tenantId === f.tenant.id) &&
      (f.user === undefined || c.userId === f.user.id) &&
      (f.tenantWide === undefined || (c.userId === undefined) === f.tenantWide),
  );
}

/**
 * Deletes the matching records and revokes the refresh tokens they back: a user's
 * consent takes that user's tokens for the app, a tenant-wide one every token of the
 * app in the tenant (the next refresh answers AADSTS50173).
 */
export function revokeConsents(state: EmulatorState, f: ConsentFilter): { revoked: number; refreshTokensRevoked: number } {
  const doomed = findConsents(state, f);
  doomed.forEach((c) => state.consents.delete(c));
  // One pass over the tokens with set lookups, not tokens × records: bulk-seeded states hold tens of thousands of each.
  const key = (clientId: string, tenantId: string, userId: string) => `${clientId}|${tenantId}|${userId}`;
  const backing = new Set(doomed.map((c) => key(c.clientId, c.tenantId, c.userId ?? "*")));
  let refreshTokensRevoked = 0;
  for (const rt of state.refreshTokens.values()) {
    const backed = backing.has(key(rt.clientId, rt.tenantId, rt.userId)) || backing.has(key(rt.clientId, rt.tenantId, "*"));
    if (backed && state.revokeRefreshToken(rt)) refreshTokensRevoked += 1;
  }
  return { revoked: doomed.length, refreshTokensRevoked };
}

/** Request parameters in a stable form, so a consent form can't be posted back with other ones. */
export function canonicalParams(params: Record<string, string>): string {
  return JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Remembers the picked account server-side while its consent screen shows. The form
 * carries only the random id, so a client can't name another account (or skip the
 * picker) by editing the form.
 */
export function createPendingConsent(
  state: EmulatorState,
  input: { flow: PendingConsent["flow"]; user: User; app: App; params: Record<string, string> },
): PendingConsent {
  const now = state.now();
  for (const [id, p] of state.pendingConsents) if (p.expiresAt < now) state.pendingConsents.delete(id);
  const pending: PendingConsent = {
    id: randomToken(24),
    flow: input.flow,
    userId: input.user.id,
    clientId: input.app.clientId,
    params: canonicalParams(input.params),
    expiresAt: now + PENDING_LIFETIME_MS,
  };
  state.pendingConsents.set(pending.id, pending);
  return pending;
}

/** Single use: a matching, unexpired record is removed and returned; anything else is refused. */
export function takePendingConsent(
  state: EmulatorState,
  id: string | null,
  expect: { flow: PendingConsent["flow"]; app: App; params: Record<string, string> },
): PendingConsent | undefined {
  const pending = id ? state.pendingConsents.get(id) : undefined;
  if (!pending) return undefined;
  state.pendingConsents.delete(pending.id);
  const ok =
    pending.expiresAt >= state.now() &&
    pending.flow === expect.flow &&
    pending.clientId === expect.app.clientId &&
    pending.params === canonicalParams(expect.params);
  return ok ? pending : undefined;
}

export const isOidcScope = (scope: string): boolean => OIDC_SCOPES.includes(scope.toLowerCase());
