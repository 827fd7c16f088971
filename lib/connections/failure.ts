import { parseMicrosoftErrorDescription, type FailureClass } from "@/lib/diagnosis/catalog";
import { explain, type Explanation, type FailureStep } from "@/lib/diagnosis/explain";
import type { MicrosoftError } from "@/lib/microsoft/token-client";
import { classifyFailure } from "./classify";

// A failure as it is stored (on a flow row, on a connection's last refresh) and shown: a
// diagnosis code plus Microsoft's own words and ids, never a token.

/** What the result page shows. Stored on the flow row; never contains a token. */
export type Failure = {
  /** A diagnosis code: "AADSTS65004", "access_denied", "mailbox_mismatch", "timeout", … */
  code: string;
  error?: string;
  suberror?: string;
  httpStatus?: number;
  /** Where it happened, so an explanation can be built for codes the catalog does not know. */
  step?: FailureStep;
  /** Decided when it was caught (lib/connections/classify.ts); absent for the portal's own flow failures. */
  class?: FailureClass;
  description?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  details?: Record<string, string>;
  /** Retry-After the token endpoint (or Graph) sent with a 429/503, in seconds. */
  retryAfterSeconds?: number;
};

/** Microsoft's error on the redirect: error, error_description ("AADSTS…: … Trace ID: …"), error_subcode. */
export function failureFromRedirect(params: URLSearchParams, step: "authorize" | "admin_consent" = "authorize"): Failure {
  const error = params.get("error") ?? "server_error";
  const description = params.get("error_description") ?? "";
  const parsed = parseMicrosoftErrorDescription(description);
  // A cancel on the consent screen sometimes comes back without a number.
  const aadsts = parsed.aadsts ?? (error === "access_denied" && params.get("error_subcode") === "cancel" ? 65004 : undefined);
  const suberror = params.get("suberror") ?? undefined;
  return {
    code: aadsts ? `AADSTS${aadsts}` : error,
    error,
    ...(suberror ? { suberror } : {}),
    step,
    class: classifyFailure({ kind: "oauth", error, ...(suberror ? { suberror } : {}), ...(aadsts ? { aadsts } : {}) }),
    ...(parsed.message ? { description: parsed.message } : {}),
    ...(parsed.traceId ?? params.get("trace_id") ? { traceId: parsed.traceId ?? params.get("trace_id")! } : {}),
    ...(parsed.correlationId ?? params.get("correlation_id") ? { correlationId: parsed.correlationId ?? params.get("correlation_id")! } : {}),
    ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
  };
}

/** A failed token request; `step` is "token" for code redemption, "refresh" (the default) for a refresh. */
export function failureFromMicrosoftError(e: MicrosoftError, step: "token" | "refresh" = "refresh"): Failure {
  const parsed = e.description ? parseMicrosoftErrorDescription(e.description) : undefined;
  const code = e.kind === "oauth" ? (e.aadsts ? `AADSTS${e.aadsts}` : (e.error ?? "bad_response")) : e.kind;
  return {
    code,
    ...(e.error ? { error: e.error } : {}),
    ...(e.suberror ? { suberror: e.suberror } : {}),
    ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
    step,
    class: classifyFailure(e),
    ...(parsed?.message ? { description: parsed.message } : e.description ? { description: e.description } : {}),
    ...(e.traceId ? { traceId: e.traceId } : {}),
    ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    ...(e.timestamp ? { timestamp: e.timestamp } : {}),
    ...(e.retryAfterSeconds !== undefined ? { retryAfterSeconds: e.retryAfterSeconds } : {}),
  };
}

/** The explanation of a stored failure: its catalog entry, or one built from what Microsoft sent. */
export function explainFailure(f: Failure & { classification?: string }): Explanation {
  const cls = f.class ?? (f.classification as FailureClass | undefined);
  return explain(f.code, {
    ...(f.step ? { step: f.step } : {}),
    ...(f.error && f.error !== f.code ? { error: f.error } : {}),
    ...(f.suberror ? { suberror: f.suberror } : {}),
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    ...(f.description ? { message: f.description } : {}),
    ...(cls ? { class: cls } : {}),
  });
}

/** What identifies a failure for a support ticket, in the order support asks for it. */
export function supportRows(f: { code: string; error?: string; suberror?: string; httpStatus?: number; description?: string; traceId?: string; correlationId?: string; timestamp?: string; requestId?: string; clientRequestId?: string; reply?: string }): [string, string][] {
  const rows: [string, string | undefined][] = [
    ["Error code", f.code],
    ["OAuth error", f.error && f.error !== f.code ? f.error : undefined],
    ["Suberror", f.suberror],
    ["HTTP status", f.httpStatus !== undefined ? String(f.httpStatus) : undefined],
    ["Server reply", f.reply],
    ["Message", f.description],
    ["Trace ID", f.traceId],
    ["Correlation ID", f.correlationId],
    ["request-id", f.requestId],
    ["client-request-id", f.clientRequestId],
    ["Timestamp", f.timestamp],
  ];
  return rows.filter((r): r is [string, string] => Boolean(r[1]));
}
