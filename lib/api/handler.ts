import "server-only";
import { randomUUID } from "node:crypto";
import { z, type ZodError } from "zod";
import { database } from "@/lib/db";
import { appKeyring, publicUrl } from "@/lib/deployment";
import { env } from "@/lib/env";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { logger } from "@/lib/logger";
import { AppError } from "@/lib/errors";
import type { Db } from "@/lib/db-client";
import { directSql, type DirectSql, type SqlReader } from "@/lib/db-sql";
import type { Keyring } from "@/lib/crypto";
import { authenticateKey, type AuthenticatedKey, type KeyRefusal } from "@/lib/api-keys/keys";
import { createUsageRecorder, type UsageRecorder } from "@/lib/api-keys/usage";
import { ApiError, NO_STORE, apiErrorResponse } from "./errors";
import { createLimiters, DEFAULT_LIMITS, type ApiLimiters } from "./rate-limit";
import { metrics } from "@/lib/metrics/metrics";

// The one way into a token API route (/api/v1/…): it finds the key in the Authorization header
// (checked against its hash, revocation and expiry on every call), applies the per-key rate limit,
// parses params, query and body with strict zod schemas, and answers every error in one JSON
// shape with Cache-Control: no-store. No cookie is read: a browser session never reaches these
// routes, and a key cannot reach the portal's pages.

export const API_ROUTE_BRAND = Symbol.for("mailgrant.api-route");

type Process = { limiters: ApiLimiters; usage: UsageRecorder; sql: DirectSql };
const g = globalThis as unknown as { __mailgrantApi?: Promise<Process>; __mailgrantApiUsage?: UsageRecorder };

/** This process's rate limiters, use counter and direct SQL reader (server.ts flushes the counter when it stops). */
function apiProcess(): Promise<Process> {
  g.__mailgrantApi ??= (async () => {
    const d = await database();
    const e = env();
    const sql = directSql(d);
    const limiters = createLimiters(sql.pool, { ...DEFAULT_LIMITS, perKey: e.MAILGRANT_API_RATE_PER_KEY, perConnection: e.MAILGRANT_API_RATE_PER_CONNECTION });
    const usage = createUsageRecorder(async () => (await database()).prisma);
    g.__mailgrantApiUsage = usage;
    return { limiters, usage, sql };
  })();
  return g.__mailgrantApi;
}

/** Writes the counted uses and closes the pool the readers and limiters share (server shutdown, tests). */
export async function stopApiProcess(): Promise<void> {
  const p = g.__mailgrantApi;
  g.__mailgrantApi = undefined;
  g.__mailgrantApiUsage = undefined;
  if (!p) return;
  const { usage, sql } = await p;
  await usage.stop();
  await sql.close();
}

export type ApiContext<P, Q, B> = {
  db: Db;
  /** The hot reads straight to the driver (lib/db-sql.ts). */
  sql: SqlReader;
  keyring: Keyring;
  key: AuthenticatedKey;
  params: P;
  query: Q;
  body: B;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  portalUrl: string;
  limiters: ApiLimiters;
  usage: UsageRecorder;
};

type Handler = ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Promise<Response>) & { readonly [API_ROUTE_BRAND]: true };

const REFUSALS: Record<KeyRefusal, string> = {
  missing: "This API needs an API key: send it as Authorization: Bearer mgk_…. An org admin creates keys on the portal's API keys page.",
  malformed: 'That is not a Mailgrant API key: keys start with "mgk_" followed by 48 letters and digits. Check that the whole key was copied.',
  unknown: "That API key is not known: it may have been mistyped, or deleted. Ask an org admin for a key from the portal's API keys page.",
  revoked: "That API key was revoked. Ask an org admin for a new key from the portal's API keys page.",
  expired: "That API key has expired. Ask an org admin for a new key from the portal's API keys page.",
};

function invalid(e: ZodError, where: string): ApiError {
  const issue = e.issues[0];
  if (issue?.code === "unrecognized_keys") return new ApiError("invalid_request", `Unexpected ${where} field(s): ${issue.keys.join(", ")}.`);
  const field = issue ? String(issue.path[0] ?? "") : "";
  const message = issue?.message && !issue.message.startsWith("Invalid") ? issue.message : `${field || where} is not valid${issue?.message ? `: ${issue.message}` : ""}.`;
  return new ApiError("invalid_request", message, field ? { field } : {});
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_request", 'The request body is not valid JSON. Send e.g. {"resource": "graph"} with Content-Type: application/json.');
  }
}

function fromAppError(e: AppError): ApiError {
  if (e.status === 404) return new ApiError("not_found", e.message);
  if (e.status < 500) return new ApiError("invalid_request", e.message, e.field ? { field: e.field } : {});
  return new ApiError("internal", e.message);
}

/** Bearer credentials from the Authorization header ("Bearer" case-insensitive, as RFC 6750 allows). */
export function bearerOf(header: string | null): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m ? m[1]! : null;
}

export function withApiKey<P extends z.ZodObject = z.ZodObject<Record<string, never>>, Q extends z.ZodObject = z.ZodObject<Record<string, never>>, B extends z.ZodObject = z.ZodObject<Record<string, never>>>(
  opts: { operation: "list" | "get" | "token" | "check"; params?: P; query?: Q; body?: B },
  handler: (ctx: ApiContext<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<Response>,
): Handler {
  // Made once per route, not per call: zod 4 compiles a parser for each schema on its first parse,
  // so a schema made inside the call (`.strict()` makes a new one) is compiled on every call.
  const paramsSchema = (opts.params ?? z.object({})).strict();
  const querySchema = (opts.query ?? z.object({})).strict();
  const bodySchema = opts.body?.strict();
  const fn = async (request: Request, context: { params: Promise<Record<string, string | string[]>> }) => {
    const requestId = request.headers.get("x-request-id")?.slice(0, 100) || randomUUID();
    const ip = request.headers.get(CLIENT_IP_HEADER);
    try {
      const [{ limiters, usage, sql }, d] = await Promise.all([apiProcess(), database()]);
      await limiters.badKeyGate(ip ?? "unknown");
      const auth = await authenticateKey(sql, bearerOf(request.headers.get("authorization")));
      if (!auth.ok) {
        await limiters.badKey(ip ?? "unknown");
        throw new ApiError("invalid_key", REFUSALS[auth.reason], {}, { "WWW-Authenticate": `Bearer realm="mailgrant", error="invalid_token"` });
      }
      const key = auth.key;
      await limiters.key(key.id);
      usage.keyUsed(key.id, ip);
      // A route without dynamic segments gets no params from Next (undefined), not an empty object.
      const rawParams = (await context?.params) ?? {};
      const params = paramsSchema.safeParse(rawParams);
      if (!params.success) throw new ApiError("not_found", "No connection with that id within this API key's reach (ids are UUIDs; GET /api/v1/connections lists them).");
      const query = querySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
      if (!query.success) throw invalid(query.error, "query");
      let body: unknown = {};
      if (bodySchema) {
        const parsed = bodySchema.safeParse(await readJson(request));
        if (!parsed.success) throw invalid(parsed.error, "body");
        body = parsed.data;
      }
      const answer = await handler({
        db: d.prisma,
        sql,
        keyring: appKeyring(),
        key,
        params: params.data as z.infer<P>,
        query: query.data as z.infer<Q>,
        body: body as z.infer<B>,
        ip,
        userAgent: request.headers.get("user-agent")?.slice(0, 400) ?? null,
        requestId,
        portalUrl: publicUrl(),
        limiters,
        usage,
      });
      metrics().apiRequests.inc({ operation: opts.operation, code: "ok" });
      return answer;
    } catch (e) {
      const known = e instanceof ApiError ? e : e instanceof AppError ? fromAppError(e) : null;
      metrics().apiRequests.inc({ operation: opts.operation, code: known?.code ?? "internal" });
      if (known) return withRequestId(apiErrorResponse(known, requestId), requestId);
      logger.error({ err: e, requestId, method: request.method, path: new URL(request.url).pathname }, "token API call failed");
      return withRequestId(apiErrorResponse(new ApiError("internal", `Something went wrong on Mailgrant's side. Retry; if it keeps happening, contact support with this request id: ${requestId}`), requestId), requestId);
    }
  };
  return Object.assign(fn, { [API_ROUTE_BRAND]: true as const });
}

function withRequestId(response: Response, requestId: string): Response {
  response.headers.set("X-Request-Id", requestId);
  return response;
}

/** A JSON answer with Cache-Control: no-store (tokens must never sit in a cache). */
export function apiJson(body: unknown, requestId: string, status = 200): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, "X-Request-Id": requestId } });
}

/** For methods a v1 route does not take. */
export function apiMethodNotAllowed(allowed: string[]) {
  return async () =>
    Response.json({ error: { code: "method_not_allowed", message: `Use ${allowed.join(" or ")} for this address.` } }, { status: 405, headers: { ...NO_STORE, Allow: allowed.join(", ") } });
}
