// OAuth `error` values that arrive without an AADSTS number (the stored code is then the value
// itself, lib/connections/failure.ts). Facts: shared reference "microsoft-identity.md" §2.1
// (authorize errors), §2.3 (admin consent), §4.1 (token endpoint errors), from Microsoft Learn
// [R1] v2-oauth2-auth-code-flow and [R15] reference-error-codes.
// access_denied, consent_required and interaction_required are portal-flow entries (portal-flow-codes.ts).
import type { ClassifiedEntry } from "./catalog";

const AUTH_CODE_FLOW = "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow";
const ERROR_CODES = "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes";

// `class` matches what lib/connections/classify.ts decides for the value alone (a test holds them together).
export const OAUTH_ERRORS: Record<string, ClassifiedEntry & { docs?: string }> = {
  login_required: {
    class: "needs_reconsent",
    title: "Microsoft needs a fresh sign-in",
    meaning: "A sign-in without a prompt (prompt=none) was not possible: Microsoft has no usable session for this account.",
    cause: "The browser has no Microsoft session, it expired, or several accounts are signed in and none was chosen.",
    fix: "Start the connection again and sign in on Microsoft's page.",
    docs: AUTH_CODE_FLOW,
  },
  invalid_request: {
    class: "misconfigured",
    title: "Microsoft rejected the request as malformed",
    meaning: "A required parameter was missing, repeated or invalid in the authorize or token request.",
    cause: "A wrong endpoint override, a redirect URI or scope the app does not allow, or a request a proxy altered; the AADSTS number, when given, says which.",
    fix: "Check the integration's endpoint overrides, redirect URI and scopes against the app registration; send the details below (with the correlation ID) to support if they look right.",
    docs: AUTH_CODE_FLOW,
  },
  invalid_grant: {
    class: "needs_reconsent",
    title: "The stored grant no longer works",
    meaning: "Microsoft refused the authorization code or refresh token: it expired, was revoked or was already used.",
    cause: "The refresh token was idle for 90 days, the user's sessions were revoked or their password was reset by an admin, or a Conditional Access sign-in frequency ran out.",
    fix: "Re-consent the mailbox: the owner signs in again through a new consent link.",
    docs: ERROR_CODES,
  },
  invalid_client: {
    class: "misconfigured",
    title: "Microsoft did not accept the app's credentials",
    meaning: "The client ID, client secret or certificate assertion of the integration was rejected.",
    cause: "The secret expired or was deleted, the Secret ID was pasted instead of its Value, or the certificate on the app registration is not the one the portal signs with.",
    fix: "In the Azure portal open App registrations → your app → Certificates & secrets, create a new secret (copy its Value) or upload the certificate, and update the integration.",
    docs: ERROR_CODES,
  },
  unauthorized_client: {
    class: "misconfigured",
    title: "The app may not use this flow",
    meaning: "The app registration is not allowed to request tokens this way.",
    cause: "The app is registered as a public client or SPA, the grant type is not enabled for it, or the client ID belongs to another app.",
    fix: "Register the portal's redirect URI under the Web platform of the app registration and check the integration's client ID.",
    docs: AUTH_CODE_FLOW,
  },
  unsupported_grant_type: {
    class: "misconfigured",
    title: "Microsoft does not support the requested grant type",
    meaning: "The token endpoint did not recognise the grant_type sent.",
    cause: "The endpoint override points at a server that is not Microsoft's v2.0 token endpoint, or a proxy altered the request.",
    fix: "Use the v2.0 token endpoint from the app's Endpoints tab, or remove the override.",
    docs: ERROR_CODES,
  },
  unsupported_response_type: {
    class: "misconfigured",
    title: "The app may not receive this response type",
    meaning: "The authorize request asked for a response type the app registration does not allow.",
    cause: "An ID token was requested with the code, but ID tokens are not enabled on the app registration.",
    fix: "In the Azure portal open App registrations → your app → Authentication and enable ID tokens, or use the code flow alone.",
    docs: AUTH_CODE_FLOW,
  },
  invalid_resource: {
    class: "misconfigured",
    title: "The requested resource does not exist in the tenant",
    meaning: "Microsoft could not find the API (resource) the scopes point to in this organization.",
    cause: "The tenant has no Exchange Online (no subscription), or a scope names a misspelled resource URI.",
    fix: "Check the integration's scopes (https://outlook.office.com/… for IMAP, POP and SMTP; Graph names for Graph) and that the tenant has Exchange Online.",
    docs: AUTH_CODE_FLOW,
  },
  invalid_scope: {
    class: "misconfigured",
    title: "A requested scope is not valid",
    meaning: "Microsoft refused one of the scopes in the request.",
    cause: "A typo, a scope of another resource in a token request (one resource per token), or .default mixed with named scopes.",
    fix: "Check the integration's scopes: request one resource per token and do not combine .default with named scopes.",
    docs: "https://learn.microsoft.com/en-us/entra/identity-platform/scopes-oidc",
  },
  server_error: {
    class: "transient",
    title: "Microsoft's sign-in service had an error",
    meaning: "Microsoft reported an unexpected error on its side.",
    cause: "A temporary problem at Microsoft.",
    fix: "Nothing to change: try again in a few minutes; check Microsoft 365 service health if it persists.",
    docs: AUTH_CODE_FLOW,
  },
  temporarily_unavailable: {
    class: "transient",
    title: "Microsoft's sign-in service is busy",
    meaning: "Microsoft said it cannot handle the request right now.",
    cause: "The service is overloaded or under maintenance.",
    fix: "Nothing to change: the portal retries on its own; try again in a few minutes.",
    docs: AUTH_CODE_FLOW,
  },
  permission_denied: {
    class: "misconfigured",
    title: "The administrator declined admin consent",
    meaning: "The admin consent request came back refused (permission_denied), so the app has no permissions in the organization.",
    cause: "The administrator cancelled or declined the consent screen.",
    fix: "Ask the administrator to open the admin consent link again and accept the permissions listed.",
    docs: "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow",
  },
};
