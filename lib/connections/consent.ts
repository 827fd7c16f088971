import type { Db } from "@/lib/db-client";
import type { MailboxKind, Prisma } from "@/generated/prisma/client";
import type { Keyring } from "@/lib/crypto";
import { record, type RequestMeta } from "@/lib/audit/record";
import { CLOUDS, type CloudId } from "@/lib/microsoft/clouds";
import { buildAdminConsentUrl, buildAuthorizeUrl, redeemAuthorizationCode, refreshAccessToken, tenantIdOf, tenantIssuer } from "@/lib/microsoft/oauth-client";
import { type HostMap, type TenantMode } from "@/lib/microsoft/endpoints";
import { delegatedScopes, tokenScopesFor, type Purpose } from "@/lib/microsoft/scopes";
import { GUID } from "@/lib/microsoft/guid";
import { credentialOf, endpointsOf, getIntegration, getIntegrationWithSecrets, type IntegrationView } from "@/lib/integrations/integrations";
import { saveConnection, type AccessTokenInput } from "./connections";
import { createAuthorizationRequest, type ConsumedFlow } from "./flow-state";
import { missingScopes, qualifyGranted, splitScopes } from "./granted-scopes";
import { failureFromMicrosoftError, failureFromRedirect, type Failure } from "./failure";
import { verifyAppInTenant, type AdminConsentVerification } from "./verify-admin-consent";

// Starting a trip to Microsoft (user consent or admin consent) and finishing it on the callback.
// Nothing is stored unless every check passes: state, code, ID token, mailbox identity, and a
// refresh token to keep.

export type FlowDeps = {
  db: Db;
  keyring: Keyring;
  /** Maps Microsoft hosts the server calls (token, discovery, keys). */
  hostMap?: HostMap;
  /** Maps Microsoft hosts the browser is sent to (authorize, admin consent); defaults to hostMap. */
  browserHostMap?: HostMap;
  redirectUri: string;
  now?: Date;
  flowTtlMs?: number;
};

type IntegrationForFlow = Pick<IntegrationView, "id" | "orgId" | "cloud" | "tenantMode" | "tenant" | "clientId" | "purposes" | "extraScopes" | "authorizeEndpoint" | "tokenEndpoint" | "configVersion">;

export const requestedScopesOf = (i: Pick<IntegrationForFlow, "cloud" | "purposes" | "extraScopes">) =>
  delegatedScopes(i.cloud as CloudId, i.purposes as Purpose[], i.extraScopes);

export type StartConnectInput = {
  integration: IntegrationForFlow;
  mailbox?: string | null;
  mailboxKind?: MailboxKind;
  consentLinkId?: string | null;
  startedById?: string | null;
  browserId: string;
  /** Re-consent: force Microsoft's consent screen so new scopes are granted. */
  forceConsent?: boolean;
  /** Claims from a claims challenge, which the new sign-in must satisfy (reference §3.4). */
  claims?: string;
};

/** Creates the flow state and returns Microsoft's authorize URL to send the browser to. */
export async function startConnect(deps: FlowDeps, input: StartConnectInput): Promise<{ url: string; flowId: string }> {
  const i = input.integration;
  const { scopes, authorizeScope } = requestedScopesOf(i);
  const mailboxKind = input.mailboxKind ?? "USER";
  const flow = await createAuthorizationRequest(
    deps.db,
    deps.keyring,
    {
      kind: "CONNECT",
      orgId: i.orgId,
      integrationId: i.id,
      mailbox: input.mailbox?.toLowerCase() ?? null,
      mailboxKind,
      consentLinkId: input.consentLinkId ?? null,
      startedById: input.startedById ?? null,
      requestedScopes: scopes.map((s) => s.scope),
      configVersion: i.configVersion,
      browserId: input.browserId,
    },
    deps.now,
    deps.flowTtlMs,
  );
  const url = buildAuthorizeUrl({
    authorizeEndpoint: endpointsOf(i, deps.browserHostMap ?? deps.hostMap).authorize,
    clientId: i.clientId,
    redirectUri: deps.redirectUri,
    scope: authorizeScope,
    state: flow.state,
    nonce: flow.nonce,
    codeChallenge: flow.codeChallenge,
    // A shared mailbox is never the account that signs in: its delegate picks their own account.
    ...(input.mailbox && mailboxKind === "USER" ? { loginHint: input.mailbox } : {}),
    ...(input.forceConsent ? { prompt: "consent" as const } : {}),
    ...(input.claims ? { claims: input.claims } : {}),
  });
  return { url, flowId: flow.id };
}

/**
 * The tenant an admin is sent to for admin consent: the integration's own tenant, else the
 * tenant of the portal user starting it (known from their sign-in), else `organizations`.
 */
export function adminConsentTenant(i: Pick<IntegrationForFlow, "tenantMode" | "tenant">, signedInTenantId?: string | null): string {
  if (i.tenantMode === "single" && i.tenant) return i.tenant;
  return signedInTenantId ?? "organizations";
}

export async function startAdminConsent(deps: FlowDeps, input: { integration: IntegrationForFlow; startedById?: string | null; tenant: string; browserId: string }) {
  const i = input.integration;
  const resourceScopes = requestedScopesOf(i).scopes.filter((s) => s.resource !== "openid").map((s) => s.scope);
  const flow = await createAuthorizationRequest(
    deps.db,
    deps.keyring,
    {
      kind: "ADMIN_CONSENT",
      orgId: i.orgId,
      integrationId: i.id,
      startedById: input.startedById ?? null,
      tenantRequested: input.tenant,
      requestedScopes: resourceScopes,
      configVersion: i.configVersion,
      browserId: input.browserId,
    },
    deps.now,
    deps.flowTtlMs,
  );
  const mode: TenantMode = input.tenant === "organizations" ? "organizations" : "single";
  const endpoint = endpointsOf(i, deps.browserHostMap ?? deps.hostMap, { mode, ...(mode === "single" ? { tenant: input.tenant } : {}) }).adminConsent;
  const url = buildAdminConsentUrl({ adminConsentEndpoint: endpoint, clientId: i.clientId, redirectUri: deps.redirectUri, scope: resourceScopes.join(" "), state: flow.state });
  return { url, flowId: flow.id };
}

export type Outcome =
  | { ok: true; kind: "connected"; connectionId: string; mailbox: string; updated: boolean; missingScopes: string[]; consentType: string; signedInAs: string }
  | { ok: true; kind: "admin_consent"; tenant: string; scopes: string[]; verification: "installed" | "unverified"; verificationDetail: string }
  | { ok: false; failure: Failure };

const fail = (failure: Failure): Outcome => ({ ok: false, failure });

type Actor = { id: string | null; email: string };

async function actorOf(db: Db, flow: ConsumedFlow, fallbackEmail: string): Promise<Actor> {
  if (!flow.startedById) return { id: null, email: fallbackEmail };
  const u = await db.user.findUnique({ where: { id: flow.startedById }, select: { id: true, email: true } });
  return u ?? { id: null, email: fallbackEmail };
}

/** Finishes a flow whose state was consumed, records the outcome on it, and returns it. */
export async function completeFlow(deps: FlowDeps, flow: ConsumedFlow, params: URLSearchParams, meta?: RequestMeta): Promise<Outcome> {
  const outcome = flow.kind === "ADMIN_CONSENT" ? await completeAdminConsent(deps, flow, params, meta) : await completeConnect(deps, flow, params, meta);
  await deps.db.authorizationRequest.update({ where: { id: flow.id }, data: { outcome: outcome as unknown as Prisma.InputJsonValue } });
  return outcome;
}

async function completeConnect(deps: FlowDeps, flow: ConsumedFlow, params: URLSearchParams, meta?: RequestMeta): Promise<Outcome> {
  if (params.has("error")) return fail(failureFromRedirect(params));
  if (!params.get("code")) return fail({ code: "bad_response", description: "Microsoft sent the browser back without an authorization code or an error." });
  const now = deps.now ?? new Date();
  if (flow.consentLinkId) {
    // The admin may have withdrawn the link (or it expired) while its owner was at Microsoft.
    const link = await deps.db.consentLink.findFirst({ where: { id: flow.consentLinkId, orgId: flow.orgId }, select: { status: true, expiresAt: true } });
    if (!link || link.status === "REVOKED" || link.expiresAt <= now) return fail({ code: "link_withdrawn" });
  }
  const integration = await getIntegrationWithSecrets(deps.db, deps.keyring, flow.orgId, flow.integrationId);
  const endpoints = endpointsOf(integration, deps.hostMap);
  const singleTenantGuid = integration.tenantMode === "single" && integration.tenant && GUID.test(integration.tenant) ? integration.tenant : undefined;

  const redeemed = await redeemAuthorizationCode({
    authority: endpoints.authority,
    tokenEndpoint: endpoints.token,
    jwksUri: endpoints.jwks,
    clientId: integration.clientId,
    credential: credentialOf(integration),
    redirectUri: deps.redirectUri,
    callbackParams: params,
    codeVerifier: flow.codeVerifier,
    nonce: flow.nonce ?? "",
    ...(singleTenantGuid ? { expectedTenantId: singleTenantGuid } : {}),
  });
  if (!redeemed.ok) return fail(failureFromMicrosoftError(redeemed.error, "token"));
  const { account } = redeemed;
  const signedIn = account.username.toLowerCase();

  // The account must be the mailbox asked for, unless a delegate signs in for a shared mailbox.
  let mailbox = signedIn;
  if (flow.mailbox) {
    const matches = [signedIn, account.email?.toLowerCase()].includes(flow.mailbox);
    if (flow.mailboxKind === "USER" && !matches) {
      return fail({ code: "mailbox_mismatch", details: { signedInAs: account.username, expected: flow.mailbox } });
    }
    mailbox = flow.mailbox;
  }

  let refreshToken = redeemed.tokens.refreshToken;
  if (!refreshToken) return fail({ code: "no_refresh_token", details: { signedInAs: account.username } });

  const cloud = integration.cloud as CloudId;
  const purposes = integration.purposes as Purpose[];
  const { resources } = requestedScopesOf(integration);
  const graphOrigin = `https://${CLOUDS[cloud].graphHost}`;
  const [first, ...others] = resources;
  const granted = qualifyGranted(splitScopes(redeemed.tokens.scope), graphOrigin);
  const accessTokens: AccessTokenInput[] = first
    ? [{ resource: first, token: redeemed.tokens.accessToken, scopes: splitScopes(redeemed.tokens.scope), expiresAt: new Date(now.getTime() + redeemed.tokens.expiresIn * 1000) }]
    : [];
  // One refresh token serves every resource (§2.4): ask for the others now, which also tells
  // which of their scopes were granted.
  for (const resource of others) {
    const r = await refreshAccessToken({
      tokenEndpoint: endpoints.token,
      issuer: await tenantIssuer(endpoints.authority, account.tenantId),
      clientId: integration.clientId,
      credential: credentialOf(integration),
      refreshToken,
      scope: tokenScopesFor(cloud, purposes, resource, integration.extraScopes),
    });
    if (!r.ok) {
      const consentMissing = r.error.aadsts === 65001 || r.error.suberror === "consent_required" || r.error.error === "consent_required";
      if (consentMissing) continue;
      return fail(failureFromMicrosoftError(r.error, "token"));
    }
    granted.push(...qualifyGranted(splitScopes(r.tokens.scope), graphOrigin));
    accessTokens.push({ resource, token: r.tokens.accessToken, scopes: splitScopes(r.tokens.scope), expiresAt: new Date(now.getTime() + r.tokens.expiresIn * 1000) });
    if (r.tokens.refreshToken) refreshToken = r.tokens.refreshToken;
  }
  const missing = missingScopes(flow.requestedScopes, granted);
  const grantedScopes = [...new Set([...granted, "offline_access"])];

  const adminConsent = await deps.db.adminConsent.findFirst({
    where: { integrationId: integration.id, tenantId: { in: [account.tenantId, ...(integration.tenant ? [integration.tenant] : [])] } },
    select: { id: true },
  });
  const consentType = flow.mailboxKind === "SHARED" ? "DELEGATE" : adminConsent ? "ADMIN" : "USER";
  const actor = await actorOf(deps.db, flow, account.username);
  const saved = await saveConnection(
    deps.db,
    deps.keyring,
    {
      orgId: flow.orgId,
      integrationId: integration.id,
      mailbox,
      mailboxKind: flow.mailboxKind,
      tenantId: account.tenantId,
      objectId: account.objectId,
      upn: account.username,
      displayName: account.name ?? null,
      consentType,
      requestedScopes: flow.requestedScopes,
      grantedScopes,
      consentedConfigVersion: flow.configVersion,
      refreshToken,
      accessTokens,
      connectedById: flow.startedById,
    },
    actor,
    meta,
    now,
  );
  if (flow.consentLinkId) {
    await deps.db.consentLink.updateMany({ where: { id: flow.consentLinkId, orgId: flow.orgId }, data: { status: "CONNECTED", connectedAt: now, connectionId: saved.id } });
  }
  return { ok: true, kind: "connected", connectionId: saved.id, mailbox, updated: saved.updated, missingScopes: missing, consentType, signedInAs: account.username };
}

async function completeAdminConsent(deps: FlowDeps, flow: ConsumedFlow, params: URLSearchParams, meta?: RequestMeta): Promise<Outcome> {
  if (params.has("error")) return fail(failureFromRedirect(params, "admin_consent"));
  if (params.get("admin_consent")?.toLowerCase() !== "true") {
    return fail({ code: "bad_response", description: "Microsoft sent the browser back without admin_consent=True or an error." });
  }
  // The returned tenant can be forged (§2.3): it decides nothing. When the portal chose the
  // tenant, a different answer is refused; with `organizations` it is recorded as reported.
  const requested = flow.tenantRequested ?? "organizations";
  const returned = (params.get("tenant") ?? "").toLowerCase();
  // Microsoft's admin-consent redirect always names the tenant; one without it did not come from there.
  if (!returned) return fail({ code: "bad_response", description: "The admin consent redirect named no tenant, so it did not come from Microsoft's admin consent endpoint. Nothing was recorded; grant admin consent again." });
  let tenantId = requested.toLowerCase();
  if (requested !== "organizations" && !GUID.test(requested)) {
    // A domain: its GUID comes from Microsoft's discovery document, not from the redirect.
    const integration = await getIntegration(deps.db, flow.orgId, flow.integrationId);
    if (integration) tenantId = (await tenantIdOf(endpointsOf(integration, deps.hostMap, { mode: "single", tenant: requested }).authority).catch(() => undefined)) ?? tenantId;
  }
  if (GUID.test(tenantId) && returned && returned !== tenantId) {
    return fail({ code: "tenant_mismatch", details: { requested: tenantId, returned } });
  }
  if (requested === "organizations") tenantId = returned;
  // What the redirect cannot prove, the app's own credential can: is the app installed there?
  // (Outside any transaction: it calls Microsoft.)
  const verified = await verifyAppInTenant(deps, flow.orgId, flow.integrationId, tenantId).catch(
    (e: unknown): AdminConsentVerification => ({ verification: "unverified", code: "unknown", detail: `The portal could not confirm it (${(e as Error).message}); the consent is recorded as reported by Microsoft's redirect.` }),
  );
  if (verified.verification === "not_installed") {
    return fail({ code: "admin_consent_not_installed", details: { tenant: tenantId }, description: verified.detail });
  }
  const verification = { verification: verified.verification, verificationDetail: verified.detail, verifiedAt: verified.verification === "installed" ? (deps.now ?? new Date()) : null };
  const actor = await actorOf(deps.db, flow, "Microsoft 365 admin");
  await deps.db.$transaction(async (tx) => {
    await tx.adminConsent.upsert({
      where: { integrationId_tenantId: { integrationId: flow.integrationId, tenantId } },
      create: { orgId: flow.orgId, integrationId: flow.integrationId, tenantId, scopes: flow.requestedScopes, configVersion: flow.configVersion, grantedById: actor.id, grantedByEmail: actor.email, ...verification },
      update: { scopes: flow.requestedScopes, configVersion: flow.configVersion, grantedById: actor.id, grantedByEmail: actor.email, grantedAt: deps.now ?? new Date(), ...verification },
    });
    // The redirect carries no proof (reference §2.3): verified means the app is installed in the
    // tenant; otherwise it is what Microsoft's redirect reported, labelled as such.
    const action = verified.verification === "installed" ? "integration.admin_consent_verified" : "integration.admin_consent_reported";
    const source = verified.verification === "installed" ? "admin consent redirect, app verified installed in the tenant" : "admin consent redirect (unverified)";
    await record(tx, { action, orgId: flow.orgId, actor, targetType: "integration", targetId: flow.integrationId, data: { tenant: tenantId, scopes: flow.requestedScopes, source, ...(verified.verification === "unverified" ? { verificationCode: verified.code } : {}) }, meta });
  });
  return { ok: true, kind: "admin_consent", tenant: tenantId, scopes: flow.requestedScopes, verification: verified.verification, verificationDetail: verified.detail };
}
