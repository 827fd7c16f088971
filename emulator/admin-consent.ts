import { aadError, errorRedirectParams, type AadError } from "./aad-error";
import { adminApprovalError, messageParams, pickedUser, rememberSession, respondToClient, type SignInRequest } from "./authorize";
import { passthroughParams, validateClient, type ClientTarget } from "./authorize-validate";
import { canonicalScopes, createPendingConsent, grantConsent, takePendingConsent, tenantPartition } from "./consent";
import type { IdentityRequest } from "./context";
import { catalogMessage } from "./error-catalog";
import { criteriaFor, takeFault } from "./faults";
import { sendHtml } from "./http";
import { adminApprovalPage, consentPage, errorPage, pickerPage } from "./pages";
import { permissionLines } from "./permissions";
import { resourceById } from "./resources";
import type { User } from "./state";

/**
 * The admin consent endpoint (`/{tenant}/v2.0/adminconsent`, also the older
 * `/{tenant}/adminconsent`): an administrator grants the app its permissions for
 * the whole tenant. Every answer to the client carries `admin_consent=True`.
 */

interface ValidAdminConsent extends SignInRequest {
  target: ClientTarget;
  /** `scope` as sent; absent means the cloud's Graph `.default`, decided once the admin's tenant is known. */
  scope: string | undefined;
  passthrough: Record<string, string>;
}

export async function handleAdminConsent(r: IdentityRequest): Promise<void> {
  const client = validateClient(r, { missingRedirectCode: 50011 });
  if (client.kind === "page") return sendHtml(r.res, 400, errorPage(client.error));
  const { tenantRef, app, redirectUri } = client.value;
  const v: ValidAdminConsent = {
    tenantRef,
    app,
    target: { redirectUri, responseMode: "query", ...(r.params.has("state") ? { state: r.params.get("state") ?? "" } : {}) },
    scope: r.params.get("scope")?.trim() || undefined,
    passthrough: passthroughParams(r.params),
  };
  if (r.method === "POST" && (r.params.has("consent") || r.params.has("consent_request"))) return handleConsentForm(r, v);
  if (r.method === "POST" && (r.params.has("account") || r.params.has("cancel"))) return handlePick(r, v);

  const fault = takeFault(r.ctx.state, faultCriteria(r, v));
  if (fault) return deliverError(r, v, aadError(fault.code, r.ctx.state.now(), messageParams(r, v), "authorize"), fault.delivery);
  sendHtml(
    r.res,
    200,
    pickerPage({ action: r.url.pathname, params: v.passthrough, users: r.ctx.state.usersForEndpoint(v.tenantRef, r.cloud), appName: app.displayName }),
  );
}

function faultCriteria(r: IdentityRequest, v: ValidAdminConsent, user?: User) {
  return criteriaFor("adminconsent", r.tenantSegment, { clientId: v.app.clientId, tenantRef: v.tenantRef, user });
}

function toClient(r: IdentityRequest, v: ValidAdminConsent, params: Record<string, string>, headers: Record<string, string> = {}): void {
  respondToClient(r.res, v.target, { admin_consent: "True", ...params }, headers);
}

function deliverError(r: IdentityRequest, v: ValidAdminConsent, e: AadError, delivery: "redirect" | "page" = "redirect", extra: Record<string, string> = {}): void {
  if (delivery === "page") return sendHtml(r.res, 400, errorPage(e));
  toClient(r, v, errorRedirectParams(e, v.target.state, extra));
}

const declined = (r: IdentityRequest, v: ValidAdminConsent, user?: User) =>
  deliverError(r, v, aadError(65004, r.ctx.state.now(), messageParams(r, v, user), "authorize"), "redirect", { error_subcode: "cancel" });

/** The scopes asked for, with the default (Graph `.default` of the admin's cloud) filled in. */
function requestedScopes(r: IdentityRequest, v: ValidAdminConsent, user: User): string[] {
  if (v.scope) return v.scope.split(/\s+/).filter(Boolean);
  const graph = resourceById("graph").uris[tenantPartition(r.ctx.state, user.tenantId)][0] ?? "https://graph.microsoft.com";
  return [`${graph}/.default`];
}

async function handlePick(r: IdentityRequest, v: ValidAdminConsent): Promise<void> {
  const { state } = r.ctx;
  if (r.params.has("cancel")) return declined(r, v);
  const picked = pickedUser(r, v);
  if (!picked.ok) return sendHtml(r.res, 400, errorPage(picked.error));
  const user = picked.user;
  const fault = takeFault(state, faultCriteria(r, v, user));
  if (fault) return deliverError(r, v, aadError(fault.code, state.now(), messageParams(r, v, user), "authorize"), fault.delivery);
  const headers = rememberSession(r, user);
  if (!user.admin) return showAdminApproval(r, v, user, headers);

  const scopes = requestedScopes(r, v, user);
  const { unknown } = canonicalScopes(scopes, tenantPartition(state, user.tenantId));
  if (unknown.length > 0) {
    const tenantName = state.tenants.get(user.tenantId)?.displayName;
    return deliverError(r, v, aadError(500011, state.now(), { resource: unknown[0], tenantName }, "authorize"));
  }
  const pending = createPendingConsent(state, { flow: "adminconsent", user, app: v.app, params: v.passthrough });
  const html = consentPage({
    action: r.url.pathname,
    params: { ...v.passthrough, consent_request: pending.id },
    appName: v.app.displayName,
    upn: user.upn,
    permissions: permissionLines(scopes, v.app, { includeAppRoles: true }),
    offerOrgConsent: false,
    adminConsent: true,
  });
  sendHtml(r.res, 200, html, headers);
}

function showAdminApproval(r: IdentityRequest, v: ValidAdminConsent, user: User, headers: Record<string, string>): void {
  const html = adminApprovalPage({
    action: r.url.pathname,
    params: v.passthrough,
    appName: v.app.displayName,
    upn: user.upn,
    message: catalogMessage(90094),
    otherAccountHref: `${r.url.pathname}?${new URLSearchParams(v.passthrough).toString()}`,
  });
  sendHtml(r.res, 200, html, headers);
}

function handleConsentForm(r: IdentityRequest, v: ValidAdminConsent): void {
  const { state } = r.ctx;
  const decision = r.params.get("consent");
  if (decision === "return") return deliverError(r, v, adminApprovalError(r, v));
  const pending = takePendingConsent(state, r.params.get("consent_request"), { flow: "adminconsent", app: v.app, params: v.passthrough });
  const user = pending && state.users.get(pending.userId);
  const account = r.params.get("account");
  if (!pending || !user || (account !== null && account.toLowerCase() !== user.id) || (decision !== "accept" && decision !== "cancel")) {
    return sendHtml(r.res, 400, errorPage(aadError(9002313, state.now(), {}, "authorize")));
  }
  if (decision === "cancel") return declined(r, v, user);
  if (!user.admin) return showAdminApproval(r, v, user, {});
  const requested = requestedScopes(r, v, user);
  // `{resource}/.default` is recorded as such: it covers every scope of that resource for this app.
  const { scopes } = canonicalScopes(requested, tenantPartition(state, user.tenantId));
  grantConsent(state, { clientId: v.app.clientId, tenantId: user.tenantId, scopes });
  toClient(r, v, {
    tenant: user.tenantId,
    scope: requested.join(" "),
    ...(v.target.state !== undefined ? { state: v.target.state } : {}),
  });
}
