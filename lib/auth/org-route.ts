import "server-only";
import { randomUUID } from "node:crypto";
import { z, ZodError } from "zod";
import { db } from "@/lib/db";
import { appKeyring, publicUrl } from "@/lib/deployment";
import { requestMeta } from "@/lib/request-meta";
import { logger } from "@/lib/logger";
import { currentUser } from "@/lib/auth/guards";
import { authorizeOrg, type OrgAccess } from "@/lib/auth/authorize";
import type { Permission } from "@/lib/auth/permissions";
import { AppError, toErrorBody } from "@/lib/errors";
import type { Deps } from "@/lib/auth/org-action";

// The one way into an org route handler (/api/orgs/{slug}/…): it authorizes the session's user
// in the org, refuses state-changing requests that do not come from the portal's own origin with
// a JSON body (a cross-site form post carries the SameSite=Lax cookie on same-site origins),
// parses params and body with strict zod schemas (ids as UUIDs: a bad id is a 404), and answers
// every error in one shape: {"error": {"code", "message", "field"?}}.

export const ROUTE_BRAND = Symbol.for("mailgrant.route");

export type OrgRouteContext<P, B> = Deps & OrgAccess & { params: P; body: B; request: Request; requestId: string };

type RouteHandler = ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & { readonly [ROUTE_BRAND]: true };

const NO_STORE = { "Cache-Control": "no-store" };

export function errorResponse(e: AppError, headers: Record<string, string> = {}): Response {
  return Response.json(toErrorBody(e), { status: e.status, headers: { ...NO_STORE, ...headers } });
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A state-changing request must come from the portal's own origin and carry JSON. */
export function checkSameOriginJson(request: Request, portalOrigin: string): AppError | null {
  if (SAFE_METHODS.has(request.method)) return null;
  const origin = request.headers.get("origin");
  if (origin !== portalOrigin) return new AppError("forbidden", "This request did not come from the portal's own pages, so it was refused. Use the portal, or the token API with an API key.");
  const type = request.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") return new AppError("bad_request", "Send the request body as JSON (Content-Type: application/json).");
  return null;
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "The request body is not valid JSON.");
  }
}

function zodToAppError(e: ZodError, status: "not_found" | "invalid_input"): AppError {
  const issue = e.issues[0];
  const field = issue && issue.code !== "unrecognized_keys" ? String(issue.path[0] ?? "") || undefined : undefined;
  const message = issue?.code === "unrecognized_keys" ? `Unexpected field(s): ${issue.keys.join(", ")}.` : (issue?.message ?? "Invalid request.");
  return new AppError(status, status === "not_found" ? "That does not exist (any more), or you do not have access to it. Reload the page and try again." : message, field);
}

export function withOrgRoute<P extends z.ZodObject, B extends z.ZodObject>(
  opts: { permission: Permission; params: P; body?: B },
  handler: (ctx: OrgRouteContext<z.infer<P>, z.infer<B>>) => Promise<Response>,
): RouteHandler {
  const paramsSchema = opts.params.extend({ slug: z.string().min(1).max(64) }).strict();
  const bodySchema = opts.body?.strict();
  const fn = async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => {
    const requestId = request.headers.get("x-request-id") ?? randomUUID();
    const rawParams = await context.params;
    try {
      const refused = checkSameOriginJson(request, new URL(publicUrl()).origin);
      if (refused) throw refused;
      const database = await db();
      const access = await authorizeOrg(database, await currentUser(), String(rawParams.slug ?? ""), opts.permission);
      const params = paramsSchema.safeParse(rawParams);
      if (!params.success) throw zodToAppError(params.error, "not_found");
      let body: unknown = undefined;
      if (bodySchema) {
        const parsed = bodySchema.safeParse(await readJson(request));
        if (!parsed.success) throw zodToAppError(parsed.error, "invalid_input");
        body = parsed.data;
      }
      return await handler({ db: database, keyring: appKeyring(), meta: await requestMeta(), ...access, params: params.data as z.infer<P>, body: body as z.infer<B>, request, requestId });
    } catch (e) {
      if (e instanceof AppError) return errorResponse(e);
      logger.error({ err: e, requestId, slug: rawParams.slug, method: request.method, path: new URL(request.url).pathname }, "route failed");
      return errorResponse(new AppError("internal", "Something went wrong on our side. Try again; if it keeps happening, contact support with this request id: " + requestId));
    }
  };
  return Object.assign(fn, { [ROUTE_BRAND]: true as const });
}

/** For methods a route does not take: a JSON 405 instead of the framework's page. */
export function methodNotAllowed(allowed: string[]) {
  return async () => Response.json({ error: { code: "method_not_allowed", message: `Use ${allowed.join(" or ")} for this address.` } }, { status: 405, headers: { ...NO_STORE, Allow: allowed.join(", ") } });
}
