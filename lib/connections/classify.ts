import type { MicrosoftError } from "@/lib/microsoft/token-client";

// What a failed token request means for a connection. Microsoft asks clients to branch on
// `error` and `suberror` and to use AADSTS numbers only for explanations; the numbers are the
// fallback here for errors whose `error` alone is ambiguous (invalid_grant covers both a revoked
// grant and, for example, a Conditional Access block). Facts: reference §4.

export type FailureClass = "needs_reconsent" | "misconfigured" | "blocked" | "transient";

const RECONSENT_CODES = new Set([50173, 700082, 70008, 70043, 65001, 700003, 54005, 70000, 50055, 700084]);
const MISCONFIGURED_CODES = new Set([7000215, 7000222, 700016, 90002, 50194, 70011, 500011, 700024, 700027, 7000218, 650052, 700022, 650056, 650057, 700025, 700005, 90014, 900144, 9002313, 50128, 500113, 700054]);
const BLOCKED_CODES = new Set([53003, 50076, 50057, 50053, 50105, 530032, 530035, 50079]);
const TRANSIENT_ERRORS = new Set(["temporarily_unavailable", "server_error"]);

export function classifyFailure(e: MicrosoftError): FailureClass {
  if (e.kind === "timeout" || e.kind === "unreachable") return "transient";
  if (e.httpStatus !== undefined && (e.httpStatus === 429 || e.httpStatus >= 500)) return "transient";
  if (e.error && TRANSIENT_ERRORS.has(e.error)) return "transient";
  if (e.kind === "bad_response") return "transient";
  // 50196: Microsoft saw a request loop; backing off is the fix.
  if (e.aadsts === 50196) return "transient";
  if (e.kind === "invalid_id_token") return "misconfigured";
  // invalid_client and invalid_scope are the app's configuration whatever the number says.
  if (e.error === "invalid_client" || e.error === "unauthorized_client" || e.error === "invalid_scope" || e.error === "invalid_resource") return "misconfigured";
  if (e.error === "interaction_required" || e.error === "consent_required" || e.suberror === "consent_required" || e.suberror === "bad_token") {
    // A policy that wants MFA or blocks the sign-in also says interaction_required.
    return e.aadsts !== undefined && BLOCKED_CODES.has(e.aadsts) ? "blocked" : "needs_reconsent";
  }
  if (e.suberror === "message_only" || e.suberror === "basic_action") return "blocked";
  if (e.aadsts !== undefined) {
    if (BLOCKED_CODES.has(e.aadsts)) return "blocked";
    if (MISCONFIGURED_CODES.has(e.aadsts)) return "misconfigured";
    if (RECONSENT_CODES.has(e.aadsts)) return "needs_reconsent";
  }
  // invalid_grant without a recognised detail: the grant is unusable, a new consent fixes it.
  if (e.error === "invalid_grant") return "needs_reconsent";
  return "misconfigured";
}

/** Seconds to wait before the next attempt: Retry-After when given, else exponential backoff with full jitter. */
export function backoffMs(attempt: number, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return Math.min(retryAfterSeconds, 60) * 1000;
  const cap = Math.min(8_000, 250 * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}
