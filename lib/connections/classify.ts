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

/**
 * `suberror` values, by what MSAL documents they mean (reference §4.1; [R39] UiRequiredExceptionClassification,
 * [R40] InteractionRequiredAuthError). The question for a connection: does signing in again fix it?
 */
const BY_SUBERROR: Record<string, FailureClass> = {
  // [R39] BasicAction: "can be resolved by user interaction during the interactive authentication flow" (MFA, terms of use).
  basic_action: "needs_reconsent",
  // [R39] UserPasswordExpired: the user changes the password during the interactive sign-in.
  user_password_expired: "needs_reconsent",
  // [R39] ConsentRequired: "user consent is missing, or has been revoked".
  consent_required: "needs_reconsent",
  // [R39] BadToken / [I5]: the grant is unusable (revoked, expired); re-authentication fixes it.
  bad_token: "needs_reconsent",
  // [R40] newer MSAL.js: interaction needed but not allowed here, or interrupted; an interactive sign-in resolves both.
  ux_not_allowed: "needs_reconsent",
  interrupted_user: "needs_reconsent",
  // [R39] MessageOnly: "cannot be resolved at this time"; the sign-in page only shows why (e.g. a Conditional Access block).
  message_only: "blocked",
  // [R39] AdditionalAction: "resolved by additional remedial interaction with the system, outside of the
  // interactive authentication flow" (enrol the device, an admin action): signing in alone does not fix it.
  additional_action: "blocked",
};

/** `error` values that ask for a new interactive sign-in (§2.1, §4.1). */
const INTERACTIVE = new Set(["interaction_required", "consent_required", "login_required"]);

export function classifyFailure(e: MicrosoftError): FailureClass {
  // Before (or instead of) an answer from Microsoft: try again later.
  if (e.kind === "timeout" || e.kind === "unreachable" || e.kind === "bad_response" || e.kind === "unavailable") return "transient";
  // §6 "Identity-platform throttling" and RFC 6749 server_error/temporarily_unavailable: the service, not the grant.
  if (e.httpStatus !== undefined && (e.httpStatus === 429 || e.httpStatus >= 500)) return "transient";
  if (e.kind === "invalid_id_token") return "misconfigured";
  const entry = e.aadsts !== undefined ? classOfAadsts(e.aadsts) : undefined;
  // §4.1: branch on error first; these values mean the same whatever the number.
  const byError = e.error !== undefined ? BY_ERROR[e.error] : undefined;
  if (byError) return byError;
  // §4.1: then on suberror, which says whether an interactive sign-in can resolve it.
  const bySuberror = e.suberror !== undefined ? BY_SUBERROR[e.suberror] : undefined;
  if (bySuberror) return bySuberror;
  // interaction_required without a suberror: a sign-in resolves it unless the number's entry says
  // the user cannot satisfy it (Conditional Access block 53003, disabled or locked account).
  if (e.error !== undefined && INTERACTIVE.has(e.error)) return entry === "blocked" ? "blocked" : "needs_reconsent";
  // §4.2: the number's catalog entry decides where `error` alone is ambiguous (invalid_grant, invalid_request).
  if (entry) return entry;
  // invalid_grant without a recognised detail: the grant is unusable, a new consent fixes it (§3.3).
  if (e.error === "invalid_grant") return "needs_reconsent";
  return "misconfigured";
}

/** Seconds to wait before the next attempt: Retry-After when given, else exponential backoff with full jitter. */
export function backoffMs(attempt: number, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds !== undefined && retryAfterSeconds >= 0) return Math.min(retryAfterSeconds, 60) * 1000;
  const cap = Math.min(8_000, 250 * 2 ** attempt);
  return Math.round(cap / 2 + random() * (cap / 2));
}
