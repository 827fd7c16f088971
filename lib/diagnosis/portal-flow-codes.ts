// Failures on the portal's side of consent flows and token refreshes.
import type { Entry } from "./catalog";

/**
 * Failures on the portal's side of a consent flow (state checks, identity checks), and OAuth
 * `error` values that arrive without an AADSTS number.
 */
export const PORTAL_FLOW_CODES: Record<string, Entry> = {
  state_missing: {
    title: "The return from Microsoft carried no state",
    meaning: "The portal could not tell which connection attempt this return belongs to, so it refused it and stored nothing.",
    cause: "The address was opened directly or edited, or a link from elsewhere tried to finish a sign-in (possible cross-site request forgery).",
    fix: "Start the connection again from the portal, in this browser.",
  },
  state_unknown: {
    title: "This sign-in return is not one the portal started",
    meaning: "The state value does not match any connection attempt, so the portal refused it and stored nothing.",
    cause: "The state was altered or made up (possible cross-site request forgery), or the attempt was cleaned up long ago.",
    fix: "Start the connection again from the portal. If you did not start one, close this page: nothing happened.",
  },
  state_browser: {
    title: "The sign-in was finished in a different browser",
    meaning: "A connection attempt can only be finished in the browser that started it; this one did not, so nothing was stored.",
    cause: "The Microsoft sign-in link was copied to another browser or device, or cookies were cleared in between (also what a forged link looks like).",
    fix: "Start the connection again and complete it in the same browser window.",
  },
  state_expired: {
    title: "The connection attempt expired",
    meaning: "More than 10 minutes passed between starting and finishing the sign-in, so the portal refused it and stored nothing.",
    cause: "The Microsoft sign-in page was left open too long.",
    fix: "Start the connection again and finish the sign-in within 10 minutes.",
  },
  state_used: {
    title: "This connection attempt was already finished",
    meaning: "Each attempt can be finished once; this return was a repeat, so it was ignored.",
    cause: "The page was reloaded, or Back was pressed after the sign-in.",
    fix: "Check the mailbox list: the first return may have connected it. Otherwise start again.",
  },
  mailbox_mismatch: {
    title: "You signed in with a different account than the link is for",
    meaning: "The connection is for one mailbox, but Microsoft signed in another account, so nothing was stored.",
    cause: "The browser was already signed in to Microsoft with another account, or the wrong account was picked.",
    fix: "Start again and pick the account of the mailbox named below (use \"Use another account\" on Microsoft's page). For a shared mailbox, ask your admin to mark it shared so a delegate can sign in.",
  },
  no_refresh_token: {
    title: "Microsoft granted no lasting access",
    meaning: "Microsoft returned no refresh token, so the portal could not keep this mailbox connected and stored nothing.",
    cause: "The offline_access permission (\"Maintain access to data you have given it access to\") was not granted, or a policy removed it.",
    fix: "Admins: make sure offline_access is among the app's delegated permissions in Azure (API permissions → Microsoft Graph → offline_access) and grant consent again; then reconnect.",
  },
  invalid_id_token: {
    title: "Microsoft's sign-in answer failed validation",
    meaning: "The ID token did not match this sign-in (issuer, audience, nonce, signature or expiry), so the portal refused it and stored nothing.",
    cause: "The account belongs to a tenant this integration does not accept, the machine's clock is wrong, or the answer was tampered with.",
    fix: "Sign in with an account from the integration's tenant. If it keeps happening, check the server's clock and the integration's tenant and cloud settings.",
  },
  tenant_mismatch: {
    title: "Consent came back from a different tenant",
    meaning: "The admin consent answer named another tenant than the one the portal sent the admin to, so it was not recorded.",
    cause: "The admin signed in to another organization, or the answer was altered.",
    fix: "Start admin consent again and sign in with an administrator of the tenant shown below.",
  },
  admin_consent_not_installed: {
    title: "Microsoft says the app is not installed in that tenant",
    meaning: "The redirect reported admin consent, but Microsoft refused the app a token in that tenant (AADSTS700016), so no administrator there has consented. Nothing was recorded.",
    cause: "The consent page was closed or cancelled before it finished, the admin signed in to another organization, or the return address was typed or altered by hand.",
    fix: "Start admin consent again, sign in with a Global Administrator (or Privileged Role / Cloud Application Administrator) of the tenant, and press Accept.",
  },
  link_withdrawn: {
    title: "The consent link stopped working during the sign-in",
    meaning: "The organization withdrew the link, sent a newer one, or it expired while you were at Microsoft, so nothing was stored.",
    cause: "A newer link was created for this mailbox, or the link was withdrawn on the portal.",
    fix: "Use the newest link you received, or ask the organization for a new one.",
  },
  refresh_busy: {
    title: "Another refresh of this mailbox did not finish in time",
    meaning: "Tokens of one mailbox are refreshed one at a time; the refresh under way took too long, so this request gave up.",
    cause: "Microsoft answered slowly, or a portal process stopped while refreshing (its turn runs out after 30 seconds).",
    fix: "Try again in a minute. Nothing was lost: the stored grant still works.",
  },
  connection_gone: {
    title: "The mailbox was disconnected",
    meaning: "The connection was removed while its token was being requested.",
    cause: "An admin disconnected the mailbox.",
    fix: "Connect the mailbox again if it is still needed.",
  },
  internal: {
    title: "The portal could not finish the connection",
    meaning: "Something failed on the portal's side after Microsoft answered, so nothing was stored.",
    cause: "See the message below; the server log has the details.",
    fix: "Try again. If it keeps happening, send the details below to support.",
  },
  access_denied: {
    title: "Access was denied",
    meaning: "Microsoft did not grant access to the app.",
    cause: "The consent screen was cancelled, or a policy blocked the sign-in.",
    fix: "Start again and accept the consent screen; if a policy blocks it, ask your Microsoft 365 admin.",
  },
  consent_required: {
    title: "Consent is required",
    meaning: "The app needs permissions nobody has consented to yet in this organization.",
    cause: "User consent is off for these permissions, or the permissions need an administrator.",
    fix: "Ask an administrator to grant admin consent (send them the link below), then connect again.",
  },
  interaction_required: {
    title: "Microsoft needs you to sign in interactively",
    meaning: "A silent sign-in was not possible: Microsoft wants an extra step (MFA, terms of use, a password change).",
    cause: "A Conditional Access policy or the account's state requires interaction.",
    fix: "Start again and complete every prompt on Microsoft's page.",
  },
};
