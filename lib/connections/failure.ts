import { parseMicrosoftErrorDescription } from "@/lib/diagnosis/catalog";
import type { MicrosoftError } from "@/lib/microsoft/token-client";

// A failure as it is stored (on a flow row, on a connection's last refresh) and shown: a
// diagnosis code plus Microsoft's own words and ids, never a token.

/** What the result page shows. Stored on the flow row; never contains a token. */
export type Failure = {
  /** A diagnosis code: "AADSTS65004", "access_denied", "mailbox_mismatch", "timeout", … */
  code: string;
  error?: string;
  description?: string;
  traceId?: string;
  correlationId?: string;
  timestamp?: string;
  details?: Record<string, string>;
};

/** Microsoft's error on the redirect: error, error_description ("AADSTS…: … Trace ID: …"), error_subcode. */
export function failureFromRedirect(params: URLSearchParams): Failure {
  const error = params.get("error") ?? "server_error";
  const description = params.get("error_description") ?? "";
  const parsed = parseMicrosoftErrorDescription(description);
  // A cancel on the consent screen sometimes comes back without a number.
  const aadsts = parsed.aadsts ?? (error === "access_denied" && params.get("error_subcode") === "cancel" ? 65004 : undefined);
  return {
    code: aadsts ? `AADSTS${aadsts}` : error,
    error,
    ...(parsed.message ? { description: parsed.message } : {}),
    ...(parsed.traceId ?? params.get("trace_id") ? { traceId: parsed.traceId ?? params.get("trace_id")! } : {}),
    ...(parsed.correlationId ?? params.get("correlation_id") ? { correlationId: parsed.correlationId ?? params.get("correlation_id")! } : {}),
    ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
  };
}

export function failureFromMicrosoftError(e: MicrosoftError): Failure {
  const parsed = e.description ? parseMicrosoftErrorDescription(e.description) : undefined;
  const code = e.kind === "oauth" ? (e.aadsts ? `AADSTS${e.aadsts}` : (e.error ?? "bad_response")) : e.kind;
  return {
    code,
    ...(e.error ? { error: e.error } : {}),
    ...(parsed?.message ? { description: parsed.message } : e.description ? { description: e.description } : {}),
    ...(e.traceId ? { traceId: e.traceId } : {}),
    ...(e.correlationId ? { correlationId: e.correlationId } : {}),
    ...(e.timestamp ? { timestamp: e.timestamp } : {}),
  };
}
