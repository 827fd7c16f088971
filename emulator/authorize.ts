import type { ServerResponse } from "node:http";
import { aadError, errorRedirectParams, type AadError } from "./aad-error";
import { validateAuthorize, type ClientTarget, type ValidAuthorize } from "./authorize-validate";
import type { IdentityRequest } from "./context";
import { takeFault, type AnswerFault } from "./faults";
import { parseCookies, redirect, sendHtml } from "./http";
import { guid, randomToken } from "./ids";
import { errorPage, formPostPage, pickerPage } from "./pages";
import type { User } from "./state";

const CODE_LIFETIME_MS = 10 * 60_000;
export const SESSION_COOKIE = "ESTSAUTH";

export async function handleAuthorize(r: IdentityRequest): Promise<void> {
  const check = validateAuthorize(r);
  if (check.kind === "page") return sendHtml(r.res, 400, errorPage(check.error));
  if (check.kind === "redirect") return respondToClient(r.res, check.target, errorRedirectParams(check.error, check.target.state));
  const v = check.value;
  if (r.method === "POST" && (r.params.has("account") || r.params.has("cancel"))) return handlePick(r, v);

  const fault = takeFault(r.ctx.state, faultCriteria(r, v));
  if (fault) return deliverFault(r, v, fault);
  if (v.prompt === "none") return signInSilently(r, v);
  return showPicker(r, v);
}

function faultCriteria(r: IdentityRequest, v: ValidAuthorize, user?: User) {
  return {
    endpoint: "authorize" as const,
    clientId: v.app.clientId,
    tenantSegment: r.tenantSegment,
    ...(v.tenantRef.kind === "tenant" ? { tenant: v.tenantRef.tenant } : {}),
    ...(user ? { upn: user.upn } : {}),
  };
}

function messageParams(r: IdentityRequest, v: ValidAuthorize, user?: User): Record<string, string | undefined> {
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

function deliverFault(r: IdentityRequest, v: ValidAuthorize, fault: AnswerFault, user?: User): void {
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
  const user = r.ctx.state.users.get((r.params.get("account") ?? "").toLowerCase());
  const allowed = r.ctx.state.usersForEndpoint(v.tenantRef, r.cloud);
  if (!user || !allowed.some((u) => u.id === user.id)) {
    // Microsoft shows 50020 on its own page: the user can pick another account there.
    const e = aadError(50020, r.ctx.state.now(), messageParams(r, v, user), "authorize");
    return sendHtml(r.res, 400, errorPage(e));
  }
  const fault = takeFault(r.ctx.state, faultCriteria(r, v, user));
  if (fault) return deliverFault(r, v, fault, user);
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
  issueCode(r, v, user, {});
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join("; ") : value;
}

function rememberSession(r: IdentityRequest, user: User): Record<string, string> {
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
