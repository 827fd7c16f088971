// One catalog explains every error Mailgrant shows: what happened, the likely cause and the
// exact fix. Screens look errors up here; they never write their own explanations.
// Facts: shared reference "microsoft-identity.md" §4.2 (AADSTS codes), from Microsoft Learn.

export type Diagnosis = {
  code: string;
  title: string;
  meaning: string;
  cause: string;
  fix: string;
  docs?: string;
};

const errorLookup = (n: number) => `https://login.microsoftonline.com/error?code=${n}`;

const AADSTS: Record<number, Omit<Diagnosis, "code" | "docs">> = {
  50011: {
    title: "The redirect URI is not registered on the app",
    meaning: "Microsoft refused to send the sign-in back because the address it was asked to return to is not one of the app's registered redirect URIs.",
    cause: "The URI differs in scheme, host, port, path or trailing slash, or it was registered under the wrong platform (SPA or Mobile instead of Web).",
    fix: "In the Azure portal open App registrations → your app → Authentication, and add the exact redirect URI under the Web platform.",
  },
  50020: {
    title: "This account is not from an allowed organization",
    meaning: "The account you picked belongs to a directory (tenant) that this app does not accept on this endpoint.",
    cause: "A personal Microsoft account, or an account from another organization, was used with an app or endpoint limited to one tenant.",
    fix: "Sign in with your work account from the organization that uses this portal. Admins: make the app multi-tenant (Accounts in any organizational directory) or invite the user as a guest.",
  },
  50034: {
    title: "The account does not exist in this directory",
    meaning: "Microsoft could not find that user name in the tenant.",
    cause: "A typo in the user name, or the wrong tenant.",
    fix: "Check the user name, or sign in through your own organization.",
  },
  50053: {
    title: "The account is locked",
    meaning: "Microsoft locked the account after repeated failed sign-ins, or blocked sign-in from a suspicious IP address.",
    cause: "Too many wrong passwords, or sign-in from an IP address Microsoft considers malicious.",
    fix: "Wait and try again, or ask your admin to check the Entra sign-in logs (Failure reason) and unlock the account.",
  },
  50057: {
    title: "The account is disabled",
    meaning: "The user account exists but sign-in is blocked for it.",
    cause: "An administrator disabled the account (Block sign-in).",
    fix: "Ask your Microsoft 365 admin to re-enable the account in the Entra admin center → Users.",
  },
  50076: {
    title: "Multi-factor authentication is required",
    meaning: "Your organization requires MFA for this sign-in and it was not completed.",
    cause: "A Conditional Access policy, per-user MFA, or a sign-in from a new location.",
    fix: "Sign in again interactively and complete the MFA prompt.",
  },
  50105: {
    title: "You are not assigned to this app",
    meaning: "The app requires user assignment and your account is not assigned to it.",
    cause: "'Assignment required' is on for the app's enterprise application.",
    fix: "Ask your admin to assign you (or your group) to the app in Enterprise applications → Users and groups, or to turn off 'Assignment required'.",
  },
  50194: {
    title: "A single-tenant app was used through a multi-tenant endpoint",
    meaning: "The app is registered for one organization only, but the sign-in went through /common or /organizations.",
    cause: "The app's supported account type is 'Accounts in this organizational directory only'.",
    fix: "Use the tenant-specific endpoint (your tenant ID or domain), or change the app's supported account types to 'Accounts in any organizational directory'.",
  },
  53003: {
    title: "Blocked by Conditional Access",
    meaning: "A Conditional Access policy in your organization blocked this sign-in.",
    cause: "The policy's conditions (location, device, app, risk) were not met.",
    fix: "Ask your admin to check the Entra sign-in logs for the policy that applied, and to exclude or satisfy its conditions.",
  },
  65001: {
    title: "Consent has not been granted",
    meaning: "The user or the administrator has not consented to the app's permissions.",
    cause: "The app was never consented in this tenant, or it asks for permissions that were added after consent.",
    fix: "Sign in again and accept the consent prompt, or ask an admin to grant admin consent for the organization.",
  },
  500113: {
    title: "The app has no reply address registered",
    meaning: "Microsoft could not send the sign-in back because the app registration has no redirect URI at all.",
    cause: "No platform (Web) with a redirect URI was added to the app registration.",
    fix: "In the Azure portal open App registrations → your app → Authentication → Add a platform → Web, and add the portal's redirect URI shown on the integration page.",
  },
  900971: {
    title: "The sign-in request had no reply address",
    meaning: "The request to Microsoft did not say where to send the sign-in back.",
    cause: "A request built without redirect_uri (a bug or a hand-made link).",
    fix: "Start again from the portal; if it keeps happening, report it with the details below.",
  },
  50055: {
    title: "The password has expired",
    meaning: "Microsoft refused the sign-in because the account's password expired.",
    cause: "The organization's password expiry policy.",
    fix: "Sign in to https://myaccount.microsoft.com to change the password (or ask an admin to reset it), then try again.",
  },
  50058: {
    title: "No one is signed in for a silent sign-in",
    meaning: "A sign-in without a prompt found no usable Microsoft session.",
    cause: "The browser has no Microsoft session, or it belongs to another account.",
    fix: "Start again: the interactive sign-in will ask for the account.",
  },
  50079: {
    title: "The account must register for multi-factor authentication",
    meaning: "Microsoft wants the user to set up MFA before signing in.",
    cause: "A policy requires MFA registration for this account.",
    fix: "Sign in once at https://aka.ms/mysecurityinfo to register a method, then try again.",
  },
  50126: {
    title: "Wrong user name or password",
    meaning: "Microsoft could not verify the credentials.",
    cause: "A typo in the password, or the wrong account.",
    fix: "Try again with the right password, or reset it.",
  },
  50128: {
    title: "The domain name is not a Microsoft 365 tenant",
    meaning: "Microsoft found no tenant for the domain in the request.",
    cause: "A wrong domain in the tenant field or in the sign-in name.",
    fix: "Check the integration's tenant (Directory (tenant) ID or a verified domain) and the account's domain.",
  },
  50196: {
    title: "Microsoft detected a request loop",
    meaning: "The same request reached Microsoft too often in a short time, so it was refused.",
    cause: "A client retrying a sign-in or token request in a tight loop.",
    fix: "Wait a few minutes; Mailgrant caches tokens and backs off, so report it if it keeps happening.",
  },
  530035: {
    title: "Security defaults blocked the sign-in",
    meaning: "The tenant's security defaults refused this sign-in as unsafe.",
    cause: "Security defaults block legacy authentication and risky sign-ins.",
    fix: "Use modern authentication (this portal does); admins can replace security defaults with Conditional Access policies that allow the app.",
  },
  650056: {
    title: "The app's permissions are misconfigured",
    meaning: "The requested permission is not among the app's configured permissions, or it lacks admin consent.",
    cause: "A permission (for example Office 365 Exchange Online → IMAP.AccessAsUser.All) was never added to the app registration.",
    fix: "Add the permission under App registrations → API permissions, grant admin consent if required, and re-consent the mailbox.",
  },
  650057: {
    title: "The app does not list the requested resource",
    meaning: "The app asks for a resource (API) that its registration does not include.",
    cause: "The API (for example Office 365 Exchange Online) is missing from the app's API permissions.",
    fix: "Add the API and permission in the app registration, then re-consent.",
  },
  70000: {
    title: "The grant was refused",
    meaning: "Microsoft refused the grant, commonly because a requested scope is not authorized or has expired.",
    cause: "Asking with a refresh token for scopes that were never consented, or a consent that was removed.",
    fix: "Re-consent the mailbox so the grant covers the integration's current scopes.",
  },
  700084: {
    title: "A single-page-app grant expired after 24 hours",
    meaning: "Refresh tokens issued to single-page apps have a fixed 24-hour lifetime.",
    cause: "The redirect URI is registered under the SPA platform instead of Web.",
    fix: "Register the redirect URI under the Web platform (confidential client) and reconnect.",
  },
  700025: {
    title: "A public client sent a credential",
    meaning: "The app is registered as a public client but the request carried a secret or certificate.",
    cause: "\"Allow public client flows\" is on, or the redirect URI is under Mobile/desktop.",
    fix: "Register the redirect URI under Web and turn off public client flows for a server-side integration.",
  },
  700005: {
    title: "The code was issued for another tenant",
    meaning: "The authorization code was redeemed against a different tenant than the one that issued it.",
    cause: "The authorize and token endpoints name different tenants.",
    fix: "Use the same tenant for both endpoints (check the integration's endpoint overrides).",
  },
  501481: {
    title: "The PKCE verifier did not match",
    meaning: "The code_verifier sent with the code does not match the code_challenge of the sign-in.",
    cause: "The flow's stored verifier belongs to another attempt.",
    fix: "Start the connection again from the beginning.",
  },
  90014: {
    title: "A required field is missing from the request",
    meaning: "Microsoft refused a request that lacked a required field.",
    cause: "A malformed request or client assertion.",
    fix: "Report it with the details below; it is a bug in the request.",
  },
  900144: {
    title: "A required parameter is missing",
    meaning: "The request to Microsoft lacked a parameter such as grant_type, scope or client_id.",
    cause: "A malformed request.",
    fix: "Report it with the details below; it is a bug in the request.",
  },
  9002313: {
    title: "The request to Microsoft was malformed",
    meaning: "Microsoft could not read the request.",
    cause: "An invalid parameter value or encoding.",
    fix: "Report it with the details below.",
  },
  90095: {
    title: "Admin approval was requested",
    meaning: "The user asked for admin approval (the admin consent workflow) instead of consenting.",
    cause: "User consent is restricted and the admin consent workflow is on.",
    fix: "A reviewer approves the request in the Entra admin center (Enterprise applications → Admin consent requests); then connect again.",
  },
  700054: {
    title: "The app does not allow ID tokens from the authorize endpoint",
    meaning: "The request asked for an ID token that the app registration does not enable.",
    cause: "response_type included id_token but the implicit/hybrid ID-token setting is off.",
    fix: "Mailgrant asks for code only; if an override changed that, remove it, or enable ID tokens under Authentication.",
  },
  50173: {
    title: "The mailbox's grant was revoked",
    meaning: "Microsoft no longer accepts the stored refresh token: the user's sessions were revoked, so the portal can't get tokens for this mailbox.",
    cause: "The user's password was changed or reset, an admin revoked their sessions (Revoke-MgUserSignInSession or \"Revoke sessions\" in the Entra admin center), or the account was disabled and re-enabled.",
    fix: "Connect the mailbox again (Re-consent, or send its owner a new consent link). Nothing else needs to change.",
  },
  700082: {
    title: "The grant expired after 90 days without use",
    meaning: "A refresh token that is not used for 90 days dies; this mailbox's grant was idle that long.",
    cause: "Nothing asked for a token for this mailbox for 90 days (the software using it was off, or the mailbox was unused).",
    fix: "Connect the mailbox again. To prevent it, keep the connection in use: Mailgrant refreshes grants before they go idle.",
  },
  70043: {
    title: "A sign-in frequency policy ended the grant",
    meaning: "Conditional Access requires the user to sign in again after a set time, so the refresh token stopped working.",
    cause: "A Conditional Access policy with a sign-in frequency applies to this user and app.",
    fix: "Connect the mailbox again; an admin can exclude the app or service account from the sign-in frequency policy (Entra admin center → Conditional Access).",
  },
  700003: {
    title: "The user or device behind the grant no longer exists",
    meaning: "Microsoft refused the refresh token because the object it was issued for was deleted or changed.",
    cause: "The account or its device registration was deleted, or the account moved.",
    fix: "Connect the mailbox again with the current account.",
  },
  54005: {
    title: "The sign-in code was already used",
    meaning: "Microsoft's one-time authorization code came back to the portal twice; the second use is refused.",
    cause: "The browser's Back button or a refresh replayed the return from Microsoft, or the link was opened twice.",
    fix: "Nothing was lost: start the connection again from the portal (don't reuse the address bar's return URL).",
  },
  65004: {
    title: "Consent was declined",
    meaning: "The consent screen was cancelled, so Microsoft did not grant the app access.",
    cause: "Someone chose Cancel on the Microsoft permissions screen.",
    fix: "Start again and choose Accept. If you are unsure about the permissions, ask your admin.",
  },
  70008: {
    title: "The sign-in expired",
    meaning: "The authorization code or refresh token has expired.",
    cause: "Too long passed between signing in and returning to the portal, or the grant was idle too long.",
    fix: "Sign in again.",
  },
  7000218: {
    title: "No client credential was sent",
    meaning: "The token request had neither a client secret nor a certificate assertion.",
    cause: "The app is registered as a confidential (Web) client, and the integration has no credential.",
    fix: "Add a client secret Value or a certificate to the integration.",
  },
  700024: {
    title: "The certificate assertion is outside its valid time",
    meaning: "Microsoft rejected the signed client assertion because its time window is wrong.",
    cause: "The portal server's clock is off, or an old assertion was reused.",
    fix: "Check the server's clock (NTP) and try again; each request uses a fresh assertion.",
  },
  700027: {
    title: "The certificate assertion's signature is not valid",
    meaning: "Microsoft could not verify the client assertion with any certificate registered on the app.",
    cause: "The certificate uploaded to Azure is not the one whose private key the integration holds.",
    fix: "Upload this integration's certificate (public part, .cer/.pem) in App registrations → Certificates & secrets → Certificates, or replace the integration's certificate and key.",
  },
  500011: {
    title: "The resource is not available in the tenant",
    meaning: "Microsoft could not find the API (resource) the token was requested for in this tenant.",
    cause: "Exchange Online is not present or licensed in the tenant, the scope names another cloud's resource (e.g. graph.microsoft.com from a GCC High tenant), or the resource URI is misspelled.",
    fix: "Check that the integration's cloud matches the tenant, and that the tenant has Exchange Online.",
  },
  650052: {
    title: "The tenant is not subscribed to a required service",
    meaning: "The app needs a Microsoft service (usually Exchange Online) that the tenant has no subscription for.",
    cause: "No Exchange Online licence or subscription in the tenant.",
    fix: "License Exchange Online in the tenant, or remove the IMAP/POP/SMTP purposes from the integration.",
  },
  70011: {
    title: "A requested scope is not valid",
    meaning: "Microsoft rejected one of the requested scopes.",
    cause: "A typo, a wrong resource URI, or .default mixed with named scopes.",
    fix: "Review the integration's scopes; use one resource per token request.",
  },
  700022: {
    title: "More than one resource in one token request",
    meaning: "A token can only be for one API at a time.",
    cause: "Scopes of Graph and Outlook were sent in the same token request.",
    fix: "Request one token per resource (Mailgrant does this; report it if you see this).",
  },
  50059: {
    title: "No tenant in the request",
    meaning: "Microsoft could not tell which directory (tenant) the request is for.",
    cause: "An app-only token was requested through /organizations or /common, which name no tenant.",
    fix: "Give the integration its home tenant (Directory (tenant) ID from the app's Overview page), or use a tenant-specific token endpoint.",
  },
  90009: {
    title: "The app asked for a token for itself with a non-GUID resource",
    meaning: "Microsoft could not tell which resource was meant.",
    cause: "The request named the app itself by a URI instead of its GUID.",
    fix: "Use the application ID (GUID) form of the resource.",
  },
  90002: {
    title: "The tenant was not found",
    meaning: "Microsoft has no directory with that tenant ID or domain in this cloud.",
    cause: "A typo, a domain that is not verified in the tenant, or the wrong cloud (for example a GCC High tenant on the global login host).",
    fix: "Check the tenant ID on the Entra overview page, and that the portal uses your tenant's cloud.",
  },
  90094: {
    title: "An administrator must grant consent",
    meaning: "The app asks for permissions that only an administrator may consent to, or user consent is turned off in the tenant.",
    cause: "User consent is disabled (Enterprise applications → Consent and permissions), or the permission requires admin consent.",
    fix: "Ask a Global or Privileged Role Administrator to grant admin consent for the organization.",
  },
  700016: {
    title: "The application was not found in the directory",
    meaning: "Microsoft has no app with that client ID in this tenant or cloud.",
    cause: "A wrong client ID, the wrong tenant or cloud, or a single-tenant app used from another tenant.",
    fix: "Copy the Application (client) ID from App registrations → Overview, and check the tenant and cloud.",
  },
  7000215: {
    title: "The client secret is wrong",
    meaning: "Microsoft rejected the client secret.",
    cause: "Most often the secret's 'Secret ID' was pasted instead of its 'Value', or the secret was deleted.",
    fix: "In App registrations → Certificates & secrets, create a new client secret and copy its Value (shown only once).",
  },
  7000222: {
    title: "The client secret has expired",
    meaning: "The client secret passed its expiry date.",
    cause: "Client secrets last at most 24 months.",
    fix: "Create a new client secret in App registrations → Certificates & secrets and enter its Value; consider a certificate instead.",
  },
};

/** Failures before Microsoft answered. */
const NETWORK: Record<"timeout" | "unreachable" | "bad_response", Omit<Diagnosis, "code" | "docs">> = {
  timeout: {
    title: "Microsoft did not answer in time",
    meaning: "The request to Microsoft's token endpoint timed out.",
    cause: "A network problem between the portal and Microsoft, a firewall, or a Microsoft outage.",
    fix: "Try again. If it persists, check that the portal server can reach the cloud's login host (outbound HTTPS) and Microsoft's service health.",
  },
  unreachable: {
    title: "Microsoft's login host could not be reached",
    meaning: "The portal could not connect to the token endpoint.",
    cause: "A wrong endpoint override, DNS, a proxy or firewall blocking outbound HTTPS, or the wrong cloud's host.",
    fix: "Check the integration's cloud and endpoint overrides, and that the server can reach the login host.",
  },
  bad_response: {
    title: "The answer from the token endpoint was not understood",
    meaning: "Something answered, but not like Microsoft's identity platform.",
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
  if (code in NETWORK) return diagnoseNetwork(code as keyof typeof NETWORK);
  if (Object.hasOwn(FLOW, code)) return { code, ...FLOW[code]! };
  if (Object.hasOwn(MAIL, code)) return { code, ...MAIL[code]! };
  if (code.startsWith("graph:")) return { code, ...UNKNOWN, title: `Microsoft Graph error ${code.slice(6)}`, docs: "https://learn.microsoft.com/graph/errors" };
  return { code, ...UNKNOWN, title: `Error ${code}` };
}

/** Auth.js error types, for failures on the portal's side of a sign-in. */
const AUTHJS: Record<string, Omit<Diagnosis, "code" | "docs">> = {
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

/**
 * Failures on the portal's side of a consent flow (state checks, identity checks), and OAuth
 * `error` values that arrive without an AADSTS number.
 */
const FLOW: Record<string, Omit<Diagnosis, "code" | "docs">> = {
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

/** Graph errors ("graph:<code>") and IMAP/POP/SMTP replies, for the connection test. Facts: reference §5.5, §6. */
const MAIL: Record<string, Omit<Diagnosis, "code" | "docs"> & { docs?: string }> = {
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

const UNKNOWN: Omit<Diagnosis, "code" | "docs"> = {
  title: "Sign-in failed",
  meaning: "Microsoft returned an error we do not have an explanation for yet.",
  cause: "See the error code below.",
  fix: "Try again. If it keeps happening, send the details below to your admin or to support.",
};

export function diagnoseAadsts(code: number): Diagnosis {
  const entry = AADSTS[code] ?? { ...UNKNOWN, title: `Microsoft error AADSTS${code}` };
  return { code: `AADSTS${code}`, docs: errorLookup(code), ...entry };
}

export function diagnoseAuthError(type: string): Diagnosis {
  return { code: type, ...(AUTHJS[type] ?? AUTHJS.Configuration!) };
}

export const knownFlowCodes = () => Object.keys(FLOW);
export const knownMailCodes = () => Object.keys(MAIL);

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
