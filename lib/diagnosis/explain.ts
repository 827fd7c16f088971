// An explanation for any failure, also one the catalog has no entry for: built from what
// Microsoft (or the mail server) sent and where it happened, in plain words, with the class and
// the next step that fits the class. Catalog entries stay the better text where they exist; the
// context then adds what is specific to this attempt (the HTTP status, Microsoft's own sentence).
// Facts: shared reference "microsoft-identity.md" §2.1 and §4.1 (OAuth `error` values), §6 (Graph).

import { diagnose, type Diagnosis, type FailureClass } from "./catalog";

/** Where a failure happened. */
export type FailureStep = "authorize" | "admin_consent" | "token" | "refresh" | "graph" | "imap" | "pop" | "smtp";

export type FailureContext = {
  step?: FailureStep;
  /** OAuth `error`, or Graph's error code. */
  error?: string;
  suberror?: string;
  httpStatus?: number;
  /** error_description (without the AADSTS prefix and ids) or Graph's `message`. */
  message?: string;
  /** The class decided where the failure was caught (lib/connections/classify.ts, the probes). */
  class?: FailureClass;
  /** The server, for network failures and mail replies. */
  at?: { protocol: string; host: string; port: number };
};

/** The class in words, for every failure view. */
export const CLASS_WORDS: Record<FailureClass, { label: string; next: string }> = {
  needs_reconsent: { label: "Needs re-consent", next: "The mailbox owner signs in with Microsoft again (Re-consent on the mailbox page, or a new consent link); nothing else needs to change." },
  misconfigured: { label: "Misconfigured", next: "An admin changes the setting named here (app registration, tenant or mailbox settings), then tests again; signing in again alone will not fix it." },
  blocked: { label: "Blocked by a policy or the account's state", next: "The user cannot fix this by signing in: an admin of the Microsoft 365 tenant checks the Entra sign-in logs for the policy or account state that blocks it." },
  transient: { label: "Temporary", next: "Nothing to change: try again in a few minutes. If it persists, check Microsoft 365 service health and the network between the portal and Microsoft." },
};

const STEP_WORDS: Record<FailureStep, { during: string; who: string; refused: string }> = {
  authorize: { during: "the sign-in at Microsoft (authorize)", who: "Microsoft", refused: "the sign-in" },
  admin_consent: { during: "admin consent at Microsoft", who: "Microsoft", refused: "the admin consent" },
  token: { during: "the token request (code redemption)", who: "Microsoft's token endpoint", refused: "to issue tokens for the sign-in" },
  refresh: { during: "the access-token refresh", who: "Microsoft's token endpoint", refused: "to refresh the access token" },
  graph: { during: "a Microsoft Graph call", who: "Microsoft Graph", refused: "the call" },
  imap: { during: "the IMAP session", who: "the IMAP server", refused: "the sign-in or command" },
  pop: { during: "the POP session", who: "the POP server", refused: "the sign-in or command" },
  smtp: { during: "the SMTP session", who: "the SMTP server", refused: "the sign-in or message" },
};

/** What each OAuth `error` value means (RFC 6749 §4.1.2.1 and §5.2, reference §2.1 and §4.1). */
const OAUTH_ERRORS: Record<string, string> = {
  invalid_request: "the request was malformed or missing a parameter",
  invalid_grant: "the authorization code or refresh token is invalid, expired or revoked, or a policy no longer accepts it",
  invalid_client: "the app's credentials (client ID, secret or certificate) were not accepted",
  unauthorized_client: "this app may not use this kind of request",
  unsupported_grant_type: "the token endpoint does not support this kind of grant",
  unsupported_response_type: "the sign-in asked for a response type the app may not use",
  invalid_scope: "a requested permission (scope) is invalid or unknown",
  invalid_resource: "the requested resource (for example Exchange Online) does not exist in the tenant",
  access_denied: "access was refused: consent was declined or a policy refused it",
  interaction_required: "Microsoft needs the user to sign in interactively",
  login_required: "Microsoft needs the user to sign in",
  consent_required: "consent for the app's permissions is missing",
  server_error: "Microsoft had an internal error",
  temporarily_unavailable: "Microsoft is temporarily unable to handle the request",
};

const STATUS_WORDS: Record<number, string> = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests",
  500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
};
export const statusText = (s: number) => `HTTP ${s}${STATUS_WORDS[s] ? ` ${STATUS_WORDS[s]}` : ""}`;

/** The first sentence of Microsoft's message, without the AADSTS prefix and trailing ids. */
export function firstSentence(message: string | undefined): string | undefined {
  const line = message?.split(/\r?\n/)[0]?.replace(/^AADSTS\d+:\s*/, "").trim();
  if (!line) return undefined;
  const m = line.match(/^.*?[.!?](?=\s|$)/);
  return (m ? m[0] : line).slice(0, 300);
}

/** A class from the context alone, for codes without a catalog entry and no class given. */
function classFromContext(ctx: FailureContext): FailureClass {
  const s = ctx.httpStatus;
  if (s !== undefined && (s === 429 || s >= 500)) return "transient";
  if (ctx.error === "temporarily_unavailable" || ctx.error === "server_error") return "transient";
  if (ctx.error === "consent_required" || ctx.error === "interaction_required" || ctx.error === "invalid_grant" || s === 401) return "needs_reconsent";
  return "misconfigured";
}

/** One sentence on what was sent and where: shown beside the catalog's text for this attempt. */
export function whatHappened(ctx: FailureContext): string | undefined {
  const parts: string[] = [];
  if (ctx.httpStatus !== undefined) parts.push(statusText(ctx.httpStatus));
  if (ctx.error) parts.push(`error ${ctx.error}${ctx.suberror ? ` (suberror ${ctx.suberror})` : ""}`);
  else if (ctx.suberror) parts.push(`suberror ${ctx.suberror}`);
  const said = firstSentence(ctx.message);
  if (!parts.length && !said) return undefined;
  const step = ctx.step ? STEP_WORDS[ctx.step] : undefined;
  const where = ctx.at ? ` (${ctx.at.protocol.toUpperCase()} ${ctx.at.host}:${ctx.at.port})` : "";
  const who = step ? `${capital(step.who)}${where} answered` : `The server${where} answered`;
  const during = step ? ` during ${step.during}` : "";
  return `${who}${parts.length ? ` ${parts.join(", ")}` : ""}${during}${said ? `: “${said}”` : "."}`;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function fallback(code: string, ctx: FailureContext): Diagnosis {
  const cls = ctx.class ?? classFromContext(ctx);
  const step = ctx.step ? STEP_WORDS[ctx.step] : undefined;
  const who = step?.who ?? "Microsoft";
  const status = ctx.httpStatus;
  const unavailable = status !== undefined && status >= 500;
  const throttled = status === 429;
  const title = unavailable
    ? `${capital(who)} is unavailable (${statusText(status)})`
    : throttled
      ? `${capital(who)} is throttling requests (HTTP 429)`
      : `${capital(who)} refused ${step ? step.refused : "the request"}${code && !/^graph_http_/.test(code) ? ` (${code.replace(/^graph:/, "")})` : ""}`;
  const errorMeaning = ctx.error ? OAUTH_ERRORS[ctx.error] : undefined;
  const meaning = whatHappened(ctx) ?? `${capital(who)} reported ${code} ${step ? `during ${step.during}` : ""}.`.replace(/ \./, ".");
  const cause = unavailable
    ? "A temporary problem on Microsoft's side (an outage or an overloaded service), or a proxy in between."
    : throttled
      ? "Too many requests from this app or for this mailbox in a short time."
      : errorMeaning
        ? `In OAuth terms, ${errorMeaning}. Microsoft's own message above names the detail.`
        : "Microsoft's own message above names the detail; the portal has no more specific explanation for this code yet.";
  return {
    code,
    title,
    meaning,
    cause,
    fix: CLASS_WORDS[cls].next,
    class: cls,
    ...(code.startsWith("graph") ? { docs: "https://learn.microsoft.com/graph/errors" } : {}),
    ...(/^AADSTS\d+$/.test(code) ? { docs: `https://login.microsoftonline.com/error?code=${code.slice(6)}` } : {}),
  };
}

export type Explanation = Diagnosis & {
  /** What this attempt sent, beside the catalog's general text (absent when the text was built from it). */
  happened?: string;
  /** The class in words and what it means for next steps; absent for failures that are not about a connection. */
  classLabel?: string;
};

/**
 * The explanation for a code in its context: the catalog entry when there is one, else one built
 * from the context. A class decided where the failure was caught wins over the entry's.
 */
export function explain(code: string, ctx: FailureContext = {}): Explanation {
  const known = diagnose(code);
  if (!known.unknown) {
    const cls = ctx.class ?? known.class;
    const happened = whatHappened(ctx);
    return { ...known, ...(cls ? { class: cls, classLabel: CLASS_WORDS[cls].label } : {}), ...(happened ? { happened } : {}) };
  }
  const built = fallback(code, ctx);
  return { ...built, classLabel: CLASS_WORDS[built.class!].label };
}
