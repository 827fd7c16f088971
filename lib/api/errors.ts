// The token API's errors: one JSON shape, {"error": {"code", "message", …}}, with a stable code a
// program can branch on and a message a developer understands. Codes are listed here once; the
// OpenAPI document and the reference page read them from this table.

export const API_ERRORS = {
  invalid_request: { status: 400, meaning: "The request is malformed: a parameter or the body failed validation (`field` names it)." },
  invalid_key: { status: 401, meaning: "No API key, or one that is malformed, unknown, revoked or expired." },
  resource_not_allowed: { status: 403, meaning: "The key may not get tokens for this resource." },
  not_found: { status: 404, meaning: "No such connection within the key's reach (the API does not say whether it exists elsewhere)." },
  method_not_allowed: { status: 405, meaning: "That address does not take this HTTP method." },
  needs_reconsent: { status: 409, meaning: "Microsoft no longer honours the mailbox's grant: someone must sign in again (`diagnosis` says why, `mailbox_url` where)." },
  connection_failing: { status: 409, meaning: "The grant may be good, but something an admin must fix stops it (`diagnosis` has the fix)." },
  resource_not_configured: { status: 409, meaning: "The connection's integration does not request permissions for this resource." },
  rate_limited: { status: 429, meaning: "Too many calls for this key or connection; wait `Retry-After` seconds." },
  internal: { status: 500, meaning: "Something failed on Mailgrant's side; retry, and contact support with `request_id` if it persists." },
  microsoft_unavailable: { status: 503, meaning: "Microsoft did not answer or asked to slow down; retry after `Retry-After` seconds." },
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = API_ERRORS[code].status;
  }
}

export const NO_STORE = { "Cache-Control": "no-store" } as const;

export function apiErrorResponse(e: ApiError, requestId?: string): Response {
  return Response.json(
    { error: { code: e.code, message: e.message, ...e.extra, ...(requestId && e.status >= 500 ? { request_id: requestId } : {}) } },
    { status: e.status, headers: { ...NO_STORE, ...e.headers } },
  );
}
