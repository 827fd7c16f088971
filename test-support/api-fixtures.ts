// Helpers for the token API's integration tests (not a test file itself): keys made through the
// app's own createApiKey, and calls to the real route handlers with a Request, as Next calls them.
import type { Db } from "@/lib/db-client";
import { createApiKey, type CreateKeyInput } from "@/lib/api-keys/keys";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

export type Answer = { status: number; headers: Headers; body: Record<string, unknown> & { error?: { code: string; message: string; field?: string; [k: string]: unknown } } };

export async function newKey(db: Db, s: { org: { id: string }; owner: { id: string; email: string } }, over: Partial<CreateKeyInput> = {}) {
  const input = { name: "Helpdesk sync", resources: ["graph", "outlook"], expiresAt: null, reach: "ORG", ...over } as CreateKeyInput;
  return (await createApiKey(db, s.org.id, s.owner, input)).key;
}

/** Calls a route handler as Next would: a Request with the key (and the client IP server.ts sets), and its params. */
export async function call(route: Route, opts: { key?: string | null; params?: Record<string, string>; body?: unknown; query?: string; ip?: string; method?: string; path?: string; authorization?: string }): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json", [CLIENT_IP_HEADER]: opts.ip ?? "203.0.113.7" });
  if (opts.authorization !== undefined) headers.set("authorization", opts.authorization);
  else if (opts.key) headers.set("authorization", `Bearer ${opts.key}`);
  const url = `http://localhost:3000${opts.path ?? "/api/v1/test"}${opts.query ? `?${opts.query}` : ""}`;
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const request = new Request(url, { method, headers, ...(opts.body !== undefined ? { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) } : {}) });
  // Next gives a route without dynamic segments no params at all: so does this, unless given.
  const res = await route(request, (opts.params ? { params: Promise.resolve(opts.params) } : {}) as { params: Promise<Record<string, string>> });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Answer["body"]) : {} };
}
