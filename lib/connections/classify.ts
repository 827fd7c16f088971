import { classOfAadsts, type FailureClass } from "@/lib/diagnosis/catalog";
import type { MicrosoftError } from "@/lib/microsoft/token-client";

// What a failed token request means for a connection. Microsoft asks clients to branch on
// `error` and `suberror` and to use AADSTS numbers only for explanations (reference §4.1), so
// those decide first; the number's catalog entry (lib/diagnosis/aadsts.ts, which says each code's
// class beside its text) decides only where `error` alone is ambiguous: invalid_grant covers both
// a revoked grant and, for example, a Conditional Access block.

/** `error` values whose meaning does not depend on the number. */
const BY_ERROR: Record<string, FailureClass> = {
  temporarily_unavailable: "transient",
  server_error: "transient",
  invalid_client: "misconfigured",
  unauthorized_client: "misconfigured",
  invalid_scope: "misconfigured",
  invalid_resource: "misconfigured",
  unsupported_grant_type: "misconfigured",
};

/** `suberror` values (MSAL's "user interaction required" set, reference §4.1). */
const BY_SUBERROR: Record<string, FailureClass> = {
  message_only: "blocked",
  basic_action: "blocked",
  additional_action: "blocked",
  consent_required: "needs_reconsent",
  bad_token: "needs_reconsent",
  user_password_expired: "needs_reconsent",
};

/** `error` values that ask for a new interactive sign-in. */
const INTERACTIVE = new Set(["interaction_required", "consent_required"]);

export function classifyFailure(e: MicrosoftError): FailureClass {
  // Before (or instead of) an answer from Microsoft: try again later.
  if (e.kind === "timeout" || e.kind === "unreachable" || e.kind === "bad_response" || e.kind === "unavailable") return "transient";
  if (e.httpStatus !== undefined && (e.httpStatus === 429 || e.httpStatus >= 500)) return "transient";
  if (e.kind === "invalid_id_token") return "misconfigured";
  const entry = e.aadsts !== undefined ? classOfAadsts(e.aadsts) : undefined;
  const byError = e.error !== undefined ? BY_ERROR[e.error] : undefined;
  if (byError) return byError;
  const bySuberror = e.suberror !== undefined ? BY_SUBERROR[e.suberror] : undefined;
  // A policy that wants MFA or blocks the sign-in also asks for interaction: the entry says which.
  if (bySuberror === "needs_reconsent" || (e.error !== undefined && INTERACTIVE.has(e.error))) return entry === "blocked" ? "blocked" : "needs_reconsent";
  if (bySuberror) return bySuberror;
  if (entry) return entry;
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
