// One catalog explains every error Mailgrant shows: what happened, the likely cause and the
// exact fix. Screens look errors up here; they never write their own explanations.
// Facts: shared reference "microsoft-identity.md" §4.2 (AADSTS codes), from Microsoft Learn.

import { AADSTS } from "./aadsts";
import { PORTAL_FLOW_CODES } from "./portal-flow-codes";
import { MAIL } from "./mail";
import { OAUTH_ERRORS } from "./oauth-errors";

/**
 * What a failure means for a connection, and so what happens next: needs_reconsent (the mailbox
 * owner signs in again), misconfigured (an admin fixes the app, tenant or mailbox settings),
 * blocked (a policy or the account's state stops it), transient (try again later).
 */
export type FailureClass = "needs_reconsent" | "misconfigured" | "blocked" | "transient";

export type Diagnosis = {
  code: string;
  title: string;
  meaning: string;
  cause: string;
  fix: string;
  docs?: string;
  /** Absent for failures that are not about a connection (portal sign-in, a consent link's state). */
  class?: FailureClass;
  /** Set when the catalog has no entry for the code; lib/diagnosis/explain.ts then builds one from the context. */
  unknown?: true;
};

/** What an entry holds; `code` and the AADSTS lookup link are added when it is looked up. */
export type Entry = Omit<Diagnosis, "code" | "docs" | "unknown">;
/** An entry for an error a connection can hit (token refresh, Graph, mail protocols): it says its class. */
export type ClassifiedEntry = Entry & { class: FailureClass };

const errorLookup = (n: number) => `https://login.microsoftonline.com/error?code=${n}`;


/** Failures before Microsoft answered. */
const NETWORK: Record<"timeout" | "unreachable" | "bad_response" | "unavailable", ClassifiedEntry> = {
  timeout: {
    class: "transient",
    title: "Microsoft did not answer in time",
    meaning: "The request to Microsoft's token endpoint timed out.",
    cause: "A network problem between the portal and Microsoft, a firewall, or a Microsoft outage.",
    fix: "Try again. If it persists, check that the portal server can reach the cloud's login host (outbound HTTPS) and Microsoft's service health.",
  },
  unreachable: {
    class: "transient",
    title: "Microsoft's login host could not be reached",
    meaning: "The portal could not connect to the token endpoint.",
    cause: "A wrong endpoint override, DNS, a proxy or firewall blocking outbound HTTPS, or the wrong cloud's host.",
    fix: "Check the integration's cloud and endpoint overrides, and that the server can reach the login host.",
  },
  // A 5xx or 429 whose body is not Microsoft's JSON error: the front door (or a proxy) answered for
  // an unavailable service. The status is what matters; the body says nothing about the override.
  unavailable: {
    class: "transient",
    title: "Microsoft's sign-in service is unavailable",
    meaning: "The token endpoint answered with a server error or asked to slow down, without an OAuth error: the service did not handle the request.",
    cause: "A Microsoft outage or overload, or throttling of this app (HTTP 429).",
    fix: "Nothing to change: the portal retries on its own; try again in a few minutes. If it persists, check Microsoft 365 service health.",
  },
  bad_response: {
    class: "transient",
    title: "The answer from the token endpoint was not understood",
    meaning: "Something answered, but not like Microsoft's identity platform (not its JSON token or error body).",
    cause: "The endpoint override points at a proxy or a page instead of a v2.0 token endpoint.",
    fix: "Use the v2.0 token endpoint from your app's Endpoints tab, or remove the override.",
  },
};

export function diagnoseNetwork(kind: keyof typeof NETWORK): Diagnosis {
  return { code: kind, ...NETWORK[kind] };
}

/** Any stored code: "AADSTS7000215", "timeout", … */
export function diagnose(code: string): Diagnosis {
  const n = code.match(/^AADSTS(\d+)$/)?.[1];
  if (n) return diagnoseAadsts(Number(n));
  if (Object.hasOwn(NETWORK, code)) return diagnoseNetwork(code as keyof typeof NETWORK);
  if (Object.hasOwn(PORTAL_FLOW_CODES, code)) return { code, ...PORTAL_FLOW_CODES[code]! };
  if (Object.hasOwn(OAUTH_ERRORS, code)) return { code, ...OAUTH_ERRORS[code]! };
  if (Object.hasOwn(MAIL, code)) return { code, ...MAIL[code]! };
  if (code.startsWith("graph:")) return { code, ...UNKNOWN, title: `Microsoft Graph error ${code.slice(6)}`, docs: "https://learn.microsoft.com/graph/errors", unknown: true };
  return { code, ...UNKNOWN, title: `Error ${code}`, unknown: true };
}

/** Auth.js error types, for failures on the portal's side of a sign-in. */
const AUTHJS: Record<string, Entry> = {
  AccessDenied: {
    title: "Sign-in was refused",
    meaning: "The portal did not accept this sign-in.",
    cause: "The account is not allowed to use the portal.",
    fix: "Sign in with your work account, or ask an owner of your org for an invitation.",
  },
  Configuration: {
    title: "The portal's sign-in is misconfigured",
    meaning: "Signing in failed on the portal's side, so nothing was changed.",
    cause: "The portal's Microsoft Entra app settings (client ID, secret or issuer) were rejected, or Microsoft could not be reached.",
    fix: "Try again in a minute. Operators: check the server log for the AADSTS code and the AUTH_MICROSOFT_ENTRA_ID_* settings.",
  },
  Verification: {
    title: "The sign-in link is no longer valid",
    meaning: "The link was used already or has expired.",
    cause: "Links work once, for a short time.",
    fix: "Start the sign-in again.",
  },
};



const UNKNOWN: Entry = {
  title: "Sign-in failed",
  meaning: "Microsoft returned an error we do not have an explanation for yet.",
  cause: "See the error code below.",
  fix: "Try again. If it keeps happening, send the details below to your admin or to support.",
};

export function diagnoseAadsts(code: number): Diagnosis {
  const entry = AADSTS[code];
  if (!entry) return { code: `AADSTS${code}`, docs: errorLookup(code), ...UNKNOWN, title: `Microsoft error AADSTS${code}`, unknown: true };
  return { code: `AADSTS${code}`, docs: errorLookup(code), ...entry };
}

export function diagnoseAuthError(type: string): Diagnosis {
  return { code: type, ...(AUTHJS[type] ?? AUTHJS.Configuration!) };
}

/** The class of a stored code, from its catalog entry; undefined for codes without one. */
export function classOf(code: string): FailureClass | undefined {
  return diagnose(code).class;
}

/** The class of an AADSTS number, from its catalog entry; undefined when the catalog does not know it. */
export function classOfAadsts(code: number): FailureClass | undefined {
  return AADSTS[code]?.class;
}

export const knownFlowCodes = () => Object.keys(PORTAL_FLOW_CODES);
export const knownMailCodes = () => Object.keys(MAIL);
export const knownOAuthErrorCodes = () => Object.keys(OAUTH_ERRORS);

export const knownAadstsCodes = () => Object.keys(AADSTS).map(Number);

/** Microsoft's error_description: "AADSTS50020: text\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …". */
export function parseMicrosoftErrorDescription(description: string) {
  const code = description.match(/AADSTS(\d+)/)?.[1];
  const field = (name: string) => description.match(new RegExp(`${name}:\\s*([^\\r\\n]+)`))?.[1]?.trim();
  const message = description.split(/\r?\n/)[0]?.replace(/^AADSTS\d+:\s*/, "").trim();
  return {
    aadsts: code ? Number(code) : undefined,
    message: message || undefined,
    traceId: field("Trace ID"),
    correlationId: field("Correlation ID"),
    timestamp: field("Timestamp"),
  };
}
