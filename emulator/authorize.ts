import type { ServerResponse } from "node:http";
import { aadError, errorRedirectParams, type AadError } from "./aad-error";
import { validateAuthorize, type ClientTarget, type ValidAuthorize } from "./authorize-validate";
import { canonicalScopes, createPendingConsent, grantConsent, missingConsent, takePendingConsent, tenantPartition } from "./consent";
import type { IdentityRequest } from "./context";
import { catalogMessage } from "./error-catalog";
import { criteriaFor, takeFault } from "./faults";
import { parseCookies, redirect, sendHtml } from "./http";
import { guid, randomToken } from "./ids";
import { adminApprovalPage, consentPage, errorPage, formPostPage, pickerPage } from "./pages";
import { permissionLines } from "./permissions";
import type { IdentityFault, User } from "./state";

const CODE_LIFETIME_MS = 10 * 60_000;
export const SESSION_COOKIE = "ESTSAUTH";

export async function handleAuthorize(r: IdentityRequest): Promise<void> {
  const check = validateAuthorize(r);
  if (check.kind === "page") return sendHtml(r.res, 400, errorPage(check.error));
  if (check.kind === "redirect") return respondToClient(r.res, check.target, errorRedirectParams(check.error, check.target.state));
  const v = check.value;
  if (r.method === "POST" && (r.params.has("consent") || r.params.has("consent_request"))) return handleConsentForm(r, v);
  if (r.method === "POST" && (r.params.has("account") || r.params.has("cancel"))) return handlePick(r, v);

  const fault = takeFault(r.ctx.state, faultCriteria(r, v));
  if (fault) return deliverFault(r, v, fault);
  if (v.prompt === "none") return signInSilently(r, v);
  return showPicker(r, v);
}

function faultCriteria(r: IdentityRequest, v: ValidAuthorize, user?: User) {
  return criteriaFor("authorize", r.tenantSegment, { clientId: v.app.clientId, tenantRef: v.tenantRef, user });
}

/** What /authorize and /adminconsent both know once the client is trusted. */
export type SignInRequest = Pick<ValidAuthorize, "tenantRef" | "app"> & { target: { redirectUri: string }; loginHint?: string };

export function messageParams(r: IdentityRequest, v: SignInRequest, user?: User): Record<string, string | undefined> {
  const tenant = v.tenantRef.kind === "tenant" ? v.tenantRef.tenant : user ? r.ctx.state.tenants.get(user.tenantId) : undefined;
  return {
    appId: v.app.clientId,
    appName: v.app.displayName,
    upn: user?.upn ?? v.loginHint,
    tenantName: tenant?.displayName,
    tenantId: tenant?.id,
    tenant: r.tenantSegment,
    redirectUri: v.target.redirectUri,
    idp: user ? `https://sts.windows.net/${user.tenantId}/` : undefined,
  };
}

function deliverFault(r: IdentityRequest, v: ValidAuthorize, fault: IdentityFault, user?: User): void {
  const e = aadError(fault.code, r.ctx.state.now(), messageParams(r, v, user), "authorize");
  if (fault.delivery === "page") return sendHtml(r.res, 400, errorPage(e));
  respondToClient(r.res, v.target, errorRedirectParams(e, v.target.state));
}

function fail(r: IdentityRequest, v: ValidAuthorize, code: number, user?: User, extra: Record<string, string> = {}): void {
  const e: AadError = aadError(code, r.ctx.state.now(), messageParams(r, v, user), "authorize");
  respondToClient(r.res, v.target, errorRedirectParams(e, v.target.state, extra));
}

function showPicker(r: IdentityRequest, v: ValidAuthorize): void {
  const all = r.ctx.state.usersForEndpoint(v.tenantRef, r.cloud);
  const hinted = v.loginHint ? all.filter((u) => u.upn.toLowerCase() === v.loginHint?.toLowerCase()) : [];
  let allAccountsHref: string | undefined;
  if (hinted.length > 0) {
    const without = new URLSearchParams(v.passthrough);
    without.delete("login_hint");
    allAccountsHref = `${r.url.pathname}?${without.toString()}`;
  }
  const html = pickerPage({
    action: r.url.pathname,
    params: v.passthrough,
    users: hinted.length > 0 ? hinted : all,
    appName: v.app.displayName,
    ...(allAccountsHref ? { allAccountsHref } : {}),
  });
  sendHtml(r.res, 200, html);
}

async function handlePick(r: IdentityRequest, v: ValidAuthorize): Promise<void> {
  if (r.params.has("cancel")) return fail(r, v, 65004, undefined, { error_subcode: "cancel" });
  const user = pickedUser(r, v);
  if (!user.ok) return sendHtml(r.res, 400, errorPage(user.error));
  const fault = takeFault(r.ctx.state, faultCriteria(r, v, user.user));
  if (fault) return deliverFault(r, v, fault, user.user);
  afterSignIn(r, v, user.user, rememberSession(r, user.user));
}

/**
 * The `account` a picker form names, if it may sign in at this endpoint. Microsoft shows
 * these on its own page (the user can pick another account there): a shared mailbox has
 * sign-in blocked (50057), a user of another tenant is 50020.
 */
export function pickedUser(
  r: IdentityRequest,
  v: SignInRequest,
): { ok: true; user: User } | { ok: false; error: AadError } {
  const { state } = r.ctx;
  const user = state.users.get((r.params.get("account") ?? "").toLowerCase());
  const allowed = state.usersForEndpoint(v.tenantRef, r.cloud);
  if (user && allowed.some((u) => u.id === user.id)) return { ok: true, user };
  const code = user?.kind === "shared" ? 50057 : 50020;
  return { ok: false, error: aadError(code, state.now(), messageParams(r, v, user), "authorize") };
}

/**
 * After the account is known: consent when the request isn't covered (or prompt=consent),
 * else the code. A preAuthorized app never asks.
 */
function afterSignIn(r: IdentityRequest, v: ValidAuthorize, user: User, headers: Record<string, string>): void {
  const { state } = r.ctx;
  const ask = !v.app.preAuthorized && (v.prompt === "consent" || missingConsent(state, v.app, user, v.scopes).length > 0);
  if (!ask) return issueCode(r, v, user, headers);
  if (v.prompt === "none") return fail(r, v, 65001, user);
  const tenant = state.tenants.get(user.tenantId);
  if (tenant?.userConsent === "disabled" && !user.admin) return showAdminApproval(r, v, user, headers);
  const pending = createPendingConsent(state, { flow: "authorize", user, app: v.app, params: v.passthrough });
  const html = consentPage({
    action: r.url.pathname,
    params: { ...v.passthrough, consent_request: pending.id },
    appName: v.app.displayName,
    upn: user.upn,
    permissions: permissionLines(v.scopes, v.app, { includeAppRoles: false }),
    offerOrgConsent: user.admin,
    adminConsent: false,
  });
  sendHtml(r.res, 200, html, headers);
}

function showAdminApproval(r: IdentityRequest, v: ValidAuthorize, user: User, headers: Record<string, string>): void {
  const again = new URLSearchParams(v.passthrough);
  again.delete("login_hint");
  again.set("prompt", "select_account");
  const html = adminApprovalPage({
    action: r.url.pathname,
    params: v.passthrough,
    appName: v.app.displayName,
    upn: user.upn,
    message: catalogMessage(90094),
    otherAccountHref: `${r.url.pathname}?${again.toString()}`,
  });
  sendHtml(r.res, 200, html, headers);
}

/** The 90094 error the "Need admin approval" page returns with (see the README on why it is this specific). */
export function adminApprovalError(r: IdentityRequest, v: { app: { clientId: string; displayName: string } }): AadError {
  const e = aadError(90094, r.ctx.state.now(), { appId: v.app.clientId, appName: v.app.displayName }, "authorize");
  return { ...e, error: "access_denied" };
}

/** The consent screen's Accept/Cancel, or the "Need admin approval" page's return button. */
function handleConsentForm(r: IdentityRequest, v: ValidAuthorize): void {
  const { state } = r.ctx;
  const decision = r.params.get("consent");
  if (decision === "return") return respondToClient(r.res, v.target, errorRedirectParams(adminApprovalError(r, v), v.target.state));
  const pending = takePendingConsent(state, r.params.get("consent_request"), { flow: "authorize", app: v.app, params: v.passthrough });
  const user = pending && state.users.get(pending.userId);
  const account = r.params.get("account");
  if (!pending || !user || (account !== null && account.toLowerCase() !== user.id) || (decision !== "accept" && decision !== "cancel")) {
    return sendHtml(r.res, 400, errorPage(aadError(9002313, state.now(), {}, "authorize")));
  }
  if (decision === "cancel") return fail(r, v, 65004, user, { error_subcode: "cancel" });
  const tenant = state.tenants.get(user.tenantId);
  if (tenant?.userConsent === "disabled" && !user.admin) return showAdminApproval(r, v, user, {});
  // Only an admin's tick counts; a forged consent_org from anyone else is a user consent.
  const tenantWide = user.admin && r.params.get("consent_org") === "1";
  const { scopes } = canonicalScopes(v.scopes, tenantPartition(state, user.tenantId));
  grantConsent(state, { clientId: v.app.clientId, tenantId: user.tenantId, ...(tenantWide ? {} : { userId: user.id }), scopes });
  issueCode(r, v, user, rememberSession(r, user));
}

function signInSilently(r: IdentityRequest, v: ValidAuthorize): void {
  const sid = parseCookies(headerValue(r.headers.cookie))[SESSION_COOKIE];
  const ids = (sid && r.ctx.state.sessions.get(sid)) || new Set<string>();
  const allowed = r.ctx.state.usersForEndpoint(v.tenantRef, r.cloud).filter((u) => ids.has(u.id));
  const candidates = v.loginHint ? allowed.filter((u) => u.upn.toLowerCase() === v.loginHint?.toLowerCase()) : allowed;
  const [user] = candidates;
  if (!user) return fail(r, v, 50058);
  if (candidates.length > 1) return fail(r, v, 16000);
  const fault = takeFault(r.ctx.state, faultCriteria(r, v, user));
  if (fault) return deliverFault(r, v, fault, user);
  afterSignIn(r, v, user, {});
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join("; ") : value;
}

export function rememberSession(r: IdentityRequest, user: User): Record<string, string> {
  const existing = parseCookies(headerValue(r.headers.cookie))[SESSION_COOKIE];
  const sid = existing && r.ctx.state.sessions.has(existing) ? existing : randomToken(24);
  const users = r.ctx.state.sessions.get(sid) ?? new Set<string>();
  users.add(user.id);
  r.ctx.state.sessions.set(sid, users);
  // Not Secure: the browser-facing listener is plain HTTP in demo mode.
  return { "set-cookie": `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax` };
}

function issueCode(r: IdentityRequest, v: ValidAuthorize, user: User, headers: Record<string, string>): void {
  const now = r.ctx.state.now();
  const code = `1.A${randomToken(144)}`;
  r.ctx.state.codes.set(code, {
    code,
    clientId: v.app.clientId,
    redirectUri: v.target.redirectUri,
    ...(v.codeChallenge !== undefined ? { codeChallenge: v.codeChallenge, codeChallengeMethod: v.codeChallengeMethod ?? "plain" } : {}),
    ...(v.nonce !== undefined ? { nonce: v.nonce } : {}),
    scopes: v.scopes,
    userId: user.id,
    tenantSegment: r.tenantSegment,
    loginHost: r.url.pathname.split("/")[1] ?? "",
    issuedAt: now,
    expiresAt: now + CODE_LIFETIME_MS,
  });
  const params: Record<string, string> = { code };
  if (v.target.state !== undefined) params.state = v.target.state;
  params.session_state = guid();
  respondToClient(r.res, v.target, params, headers);
}

export function respondToClient(
  res: ServerResponse,
  target: ClientTarget,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): void {
  if (target.responseMode === "form_post") return sendHtml(res, 200, formPostPage(target.redirectUri, params), headers);
  const url = new URL(target.redirectUri);
  if (target.responseMode === "fragment") {
    url.hash = new URLSearchParams(params).toString();
  } else {
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  }
  redirect(res, url.toString(), headers);
}
