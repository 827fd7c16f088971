// Graph and IMAP/POP/SMTP failures seen by the connection test.
import type { Entry } from "./catalog";

/** Graph errors ("graph:<code>") and IMAP/POP/SMTP replies, for the connection test. Facts: reference §5.5, §6. */
export const MAIL: Record<string, Entry & { docs?: string }> = {
  "graph:ErrorAccessDenied": {
    title: "Graph denied access to the mailbox",
    meaning: "The token is valid, but it does not allow this mailbox or this operation.",
    cause: "A missing permission (Mail.Read, Mail.Send; Mail.Read.Shared or Mail.Send.Shared for a shared mailbox), or the signed-in user has no Full Access to the shared mailbox, or an application access policy limits the app.",
    fix: "Add the permission in Azure (API permissions → Microsoft Graph → Delegated) and re-consent; for a shared mailbox add the .Shared permission as an extra scope and give the delegate Full Access (Add-MailboxPermission -Identity <shared> -User <delegate> -AccessRights FullAccess).",
    docs: "https://learn.microsoft.com/graph/api/resources/mail-api-overview",
  },
  "graph:MailboxNotEnabledForRESTAPI": {
    title: "The mailbox is not in Exchange Online",
    meaning: "Graph found the user but no Exchange Online mailbox it can serve.",
    cause: "The user has no Exchange Online licence, the mailbox is on-premises, inactive or soft-deleted.",
    fix: "Assign an Exchange Online licence (Microsoft 365 admin center → Users → Licences), or move the mailbox to Exchange Online; then test again.",
    docs: "https://learn.microsoft.com/graph/api/resources/mail-api-overview",
  },
  "graph:ErrorInvalidUser": {
    title: "Graph does not know this mailbox",
    meaning: "The address used for the mailbox is not a user or shared mailbox in the tenant.",
    cause: "A typo in the shared mailbox address, or the mailbox belongs to another tenant.",
    fix: "Check the mailbox address; reconnect the mailbox with the correct address.",
  },
  "graph:InvalidAuthenticationToken": {
    title: "Graph rejected the access token",
    meaning: "The token is expired, for the wrong audience, or otherwise unusable by Graph.",
    cause: "A token for Exchange was sent to Graph (or the other way round), the clock is off, or the token was revoked.",
    fix: "Refresh now and test again; if it keeps failing, re-consent the mailbox.",
  },
  graph_claims_challenge: {
    title: "Microsoft asked for a fresh sign-in",
    meaning: "Graph answered 401 with a claims challenge (insufficient_claims): under continuous access evaluation or Conditional Access, the current tokens are no longer enough.",
    cause: "The user's password changed, their sessions were revoked, they moved to a location a policy blocks, or a policy now needs a stronger sign-in.",
    fix: "Re-consent the mailbox: the portal carries the requested claims into the new sign-in, so Microsoft asks for exactly what it needs.",
    docs: "https://learn.microsoft.com/entra/identity-platform/claims-challenge",
  },
  graph_throttled: {
    title: "Microsoft Graph is throttling this app",
    meaning: "Graph answered 429 Too Many Requests more often than the portal retries.",
    cause: "Too many requests for this mailbox or app in a short time (Outlook limits: about 10,000 requests per 10 minutes per app and mailbox).",
    fix: "Wait a few minutes and test again; reduce how often the software polls this mailbox.",
    docs: "https://learn.microsoft.com/graph/throttling-limits",
  },
  smtp_auth_disabled: {
    title: "SMTP AUTH is disabled",
    meaning: "Exchange refused SMTP sign-in (535 5.7.139): authenticated SMTP is turned off for the tenant or this mailbox.",
    cause: "Microsoft turns SMTP AUTH off by default; the tenant-wide setting or the mailbox's own setting disallows it.",
    fix: "Enable it for this mailbox: Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false (or Microsoft 365 admin center → Users → Mail → Manage email apps → Authenticated SMTP). Tenant-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $false. Changes can take an hour.",
    docs: "https://aka.ms/smtp_auth_disabled",
  },
  smtp_auth_failed: {
    title: "SMTP sign-in failed",
    meaning: "Exchange refused the XOAUTH2 sign-in (535 5.7.3).",
    cause: "The token lacks SMTP.Send, is for another mailbox than the one signing in, or the account can't send as that mailbox.",
    fix: "Make sure the integration includes SMTP.Send and the mailbox re-consented; for a shared mailbox grant the delegate Send As (Add-RecipientPermission -Identity <shared> -Trustee <delegate> -AccessRights SendAs).",
  },
  imap_auth_failed: {
    title: "IMAP sign-in failed",
    meaning: "Exchange answered \"AUTHENTICATE failed\" to the XOAUTH2 sign-in.",
    cause: "IMAP is disabled for the mailbox, the token lacks IMAP.AccessAsUser.All, or the signed-in account has no access to that mailbox.",
    fix: "Enable IMAP for the mailbox (Set-CASMailbox -Identity <mailbox> -ImapEnabled $true), check the integration includes IMAP and re-consent; for a shared mailbox give the delegate Full Access.",
  },
  pop_auth_failed: {
    title: "POP sign-in failed",
    meaning: "Exchange answered \"-ERR Authentication failure\" to the XOAUTH2 sign-in.",
    cause: "POP is disabled for the mailbox, the token lacks POP.AccessAsUser.All, or the account has no access to that mailbox.",
    fix: "Enable POP for the mailbox (Set-CASMailbox -Identity <mailbox> -PopEnabled $true), check the integration includes POP and re-consent.",
  },
  pop_unavailable: {
    title: "The POP server refused the connection",
    meaning: "The server's greeting was not the expected +OK.",
    cause: "The server is busy or the host and port are not a POP3 server.",
    fix: "Test again in a few minutes; check the POP host (outlook.office365.com:995 for Global).",
  },
  pop_error: {
    title: "The POP conversation failed",
    meaning: "The POP server answered an error or closed the connection.",
    cause: "See the server's reply below.",
    fix: "Test again; if it persists, send the details to support.",
  },
  unknown: {
    title: "The step failed unexpectedly",
    meaning: "Something failed that the portal does not recognise.",
    cause: "See the message below.",
    fix: "Test again; if it persists, send the details to support.",
  },
};
