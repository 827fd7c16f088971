import { aadError, type AadError } from "./aad-error";
import type { IdentityRequest } from "./context";
import type { App, TenantRef } from "./state";

export type ResponseMode = "query" | "fragment" | "form_post";

export interface ClientTarget {
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

export interface ValidAuthorize {
  tenantRef: TenantRef;
  app: App;
  target: ClientTarget;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  prompt?: string;
  loginHint?: string;
  /** The original request parameters, carried through the picker form. */
  passthrough: Record<string, string>;
}

export type AuthorizeCheck =
  | { kind: "page"; error: AadError }
  | { kind: "redirect"; target: ClientTarget; error: AadError }
  | { kind: "ok"; value: ValidAuthorize };

const RESPONSE_MODES: ResponseMode[] = ["query", "fragment", "form_post"];
const PROMPTS = ["login", "none", "consent", "select_account"];
/** Fields the emulator's own forms add (picker, consent screen); never part of the client's request. */
export const FORM_FIELDS = new Set(["account", "cancel", "consent", "consent_request", "consent_org"]);

export interface TrustedClient {
  tenantRef: TenantRef;
  app: App;
  redirectUri: string;
}

/**
 * The checks /authorize and /adminconsent share, in Microsoft's order: until these
 * pass, errors are shown on Microsoft's own page (never redirected to an unverified URI).
 */
export function validateClient(
  r: IdentityRequest,
  opts: { missingRedirectCode: number },
): { kind: "page"; error: AadError } | { kind: "ok"; value: TrustedClient } {
  const { ctx, params, cloud, tenantSegment } = r;
  const now = ctx.state.now();
  const page = (code: number, p: Record<string, string | undefined> = {}) => ({
    kind: "page" as const,
    error: aadError(code, now, p, "authorize"),
  });

  const tenantRef = ctx.state.resolveTenantSegment(tenantSegment, cloud);
  if (!tenantRef) return page(90002, { tenant: tenantSegment });

  const clientId = params.get("client_id");
  if (!clientId) return page(900144, { param: "client_id" });
  const app = ctx.state.apps.get(clientId.toLowerCase());
  const tenantName = tenantRef.kind === "tenant" ? tenantRef.tenant.displayName : tenantSegment;
  if (!app || !ctx.state.appVisibleAt(app, tenantRef, cloud)) return page(700016, { appId: clientId, tenantName });

  const redirectUri = params.get("redirect_uri");
  if (!redirectUri) return page(opts.missingRedirectCode, { redirectUri: "", appId: app.clientId });
  if (!app.redirectUris.includes(redirectUri)) return page(50011, { redirectUri, appId: app.clientId });
  if (tenantRef.kind === "alias" && !app.multiTenant) return page(50194, { appId: app.clientId, appName: app.displayName });
  return { kind: "ok", value: { tenantRef, app, redirectUri } };
}

/** The request parameters without the emulator's form fields, carried through the picker and consent forms. */
export function passthroughParams(params: URLSearchParams): Record<string, string> {
  const passthrough: Record<string, string> = {};
  params.forEach((value, key) => {
    if (!FORM_FIELDS.has(key)) passthrough[key] = value;
  });
  return passthrough;
}

/**
 * Microsoft's order matters to clients: until client_id and redirect_uri are
 * trusted, errors are shown on Microsoft's own page (never redirected to an
 * unverified URI); after that they go back to the client's redirect URI.
 */
export function validateAuthorize(r: IdentityRequest): AuthorizeCheck {
  const { ctx, params } = r;
  const now = ctx.state.now();
  const client = validateClient(r, { missingRedirectCode: 900971 });
  if (client.kind === "page") return client;
  const { tenantRef, app, redirectUri } = client.value;

  const requestedMode = params.get("response_mode") as ResponseMode | null;
  const target: ClientTarget = {
    redirectUri,
    responseMode: requestedMode && RESPONSE_MODES.includes(requestedMode) ? requestedMode : "query",
    ...(params.has("state") ? { state: params.get("state") ?? "" } : {}),
  };
  const fail = (code: number, p: Record<string, string | undefined> = {}): AuthorizeCheck => ({
    kind: "redirect",
    target,
    error: aadError(code, now, p, "authorize"),
  });

  const responseType = params.get("response_type");
  if (!responseType) return fail(900144, { param: "response_type" });
  // Hybrid (code id_token) needs the implicit ID-token setting, which emulated apps don't have.
  if (responseType.trim() !== "code") return fail(700054, { responseType });

  const scopes = (params.get("scope") ?? "").split(/\s+/).filter(Boolean);
  if (scopes.length === 0) return fail(900144, { param: "scope" });

  const prompt = params.get("prompt") ?? undefined;
  if (prompt !== undefined && !PROMPTS.includes(prompt)) return fail(9002313);

  const codeChallenge = params.get("code_challenge") ?? undefined;
  let codeChallengeMethod: "S256" | "plain" | undefined;
  if (codeChallenge !== undefined) {
    const method = params.get("code_challenge_method") ?? "plain";
    if (method !== "S256" && method !== "plain") return fail(9002313);
    codeChallengeMethod = method;
  }

  const passthrough = passthroughParams(params);

  return {
    kind: "ok",
    value: {
      tenantRef,
      app,
      target,
      scopes,
      ...(params.has("nonce") ? { nonce: params.get("nonce") ?? "" } : {}),
      ...(codeChallenge !== undefined ? { codeChallenge, codeChallengeMethod } : {}),
      ...(prompt !== undefined ? { prompt } : {}),
      ...(params.get("login_hint") ? { loginHint: params.get("login_hint") ?? "" } : {}),
      passthrough,
    },
  };
}
