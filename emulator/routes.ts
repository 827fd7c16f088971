import type { IncomingMessage, ServerResponse } from "node:http";
import { handleAdmin } from "./admin";
import { handleAdminConsent } from "./admin-consent";
import { handleAuthorize } from "./authorize";
import { CLOUDS, CLOUD_NAMES, GRAPH_HOSTS, cloudForLoginHost } from "./clouds";
import type { EmulatorContext, IdentityRequest } from "./context";
import { handleDiscovery, handleKeys, handleLogout, handleUserinfo } from "./discovery";
import { handleGraph } from "./graph";
import { BodyTooLargeError, isForm, readBody, sendJson } from "./http";
import type { Seed } from "./seed";
import { handleToken } from "./token-endpoint";

type IdentityHandler = (r: IdentityRequest) => void | Promise<void>;

/** Paths after `/{login host}/{tenant}/`, exactly as Microsoft spells them. */
const IDENTITY_ROUTES: Record<string, IdentityHandler> = {
  "v2.0/.well-known/openid-configuration": handleDiscovery,
  "discovery/v2.0/keys": handleKeys,
  "oauth2/v2.0/authorize": handleAuthorize,
  "oauth2/v2.0/token": handleToken,
  "oauth2/v2.0/logout": handleLogout,
  "v2.0/adminconsent": handleAdminConsent,
  // The older form Microsoft's client-credentials doc still shows.
  adminconsent: handleAdminConsent,
};

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notFound(res: ServerResponse, path: string): void {
  sendJson(res, 404, { error: "not_found", error_description: `The emulator has no route for ${path}` });
}

async function dispatch(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse, loadDefaultSeed: () => Promise<Seed>): Promise<void> {
  const url = new URL(req.url ?? "/", ctx.httpsOrigin);
  const method = (req.method ?? "GET").toUpperCase();
  const segments = url.pathname.split("/").filter(Boolean);
  const body = method === "GET" || method === "HEAD" ? "" : await readBody(req);
  const [first = "", second = "", ...rest] = segments;

  if (first === "_emulator") {
    return handleAdmin({ ctx, method, path: segments.slice(1), query: url.searchParams, body, res, loadDefaultSeed });
  }

  const cloud = cloudForLoginHost(first);
  const handler = cloud && second ? IDENTITY_ROUTES[rest.join("/")] : undefined;
  if (cloud && handler) {
    const params = new URLSearchParams(url.searchParams);
    // Form fields win over query parameters, as a POSTed authorize/token request carries its params in the body.
    if (method === "POST" && isForm(req)) new URLSearchParams(body).forEach((v, k) => params.set(k, v));
    return handler({ ctx, method, url, cloud, tenantSegment: decodeURIComponent(second), params, headers: req.headers, res });
  }

  if (GRAPH_HOSTS.includes(first) && second === "oidc" && rest.join("/") === "userinfo") {
    return handleUserinfo(ctx, req.headers, res);
  }

  if (GRAPH_HOSTS.includes(first) && (second === "v1.0" || second === "beta")) {
    const path = url.pathname.split("/").filter(Boolean).slice(2).map(safeDecode);
    return handleGraph({ ctx, host: first, version: second, method, path, query: url.searchParams, headers: req.headers, body, res });
  }

  if (segments.length === 0) {
    return sendJson(res, 200, {
      name: "Mailgrant Microsoft identity emulator",
      loginBases: Object.fromEntries(CLOUD_NAMES.map((c) => [c, `${ctx.httpsOrigin}/${CLOUDS[c].loginHost}`])),
      browserOrigin: ctx.httpOrigin ?? ctx.httpsOrigin,
      admin: `${ctx.httpsOrigin}/_emulator/state`,
      graphBases: Object.fromEntries(GRAPH_HOSTS.map((h) => [h, `${ctx.httpsOrigin}/${h}/v1.0`])),
      mail: ctx.mail,
    });
  }
  notFound(res, url.pathname);
}

export function createRequestHandler(ctx: EmulatorContext, loadDefaultSeed: () => Promise<Seed>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Reads leave the state as it was; anything else may have changed it (the state file saver debounces).
    if (req.method !== "GET" && req.method !== "HEAD") res.once("close", () => ctx.state.changed());
    dispatch(ctx, req, res, loadDefaultSeed).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, { error: "request_too_large" });
      console.error("emulator: request failed", err);
      sendJson(res, 500, { error: "server_error", error_description: "The emulator hit an unexpected error." });
    });
  };
}
