import type { AadError } from "./aad-error";
import { escapeHtml as h } from "./http";
import type { PermissionLine } from "./permissions";
import type { User } from "./state";

const STYLE = `
  body { font-family: "Segoe UI", system-ui, sans-serif; background: #f2f2f2; color: #1b1b1b; margin: 0; }
  main { max-width: 440px; margin: 48px auto; background: #fff; padding: 44px; box-shadow: 0 2px 6px rgba(0,0,0,.2); }
  h1 { font-size: 1.5rem; font-weight: 600; margin: 0 0 16px; }
  p { line-height: 1.4; }
  .brand { font-size: .9rem; color: #505050; margin-bottom: 16px; }
  ul { list-style: none; padding: 0; margin: 0 0 24px; }
  li { border-top: 1px solid #e0e0e0; }
  li:last-child { border-bottom: 1px solid #e0e0e0; }
  .account { display: block; width: 100%; text-align: left; background: none; border: 0; padding: 12px 8px; cursor: pointer; font: inherit; color: inherit; }
  .account:hover, .account:focus-visible { background: #e6e6e6; }
  .account:focus-visible, .secondary:focus-visible { outline: 2px solid #0067b8; outline-offset: 2px; }
  .name { display: block; font-weight: 600; }
  .upn { display: block; color: #404040; font-size: .9rem; }
  .secondary { background: #e0e0e0; border: 1px solid #8a8a8a; padding: 8px 20px; font: inherit; cursor: pointer; color: #1b1b1b; }
  .primary { background: #0067b8; border: 1px solid #0067b8; padding: 8px 20px; font: inherit; cursor: pointer; color: #fff; }
  .primary:focus-visible { outline: 2px solid #1b1b1b; outline-offset: 2px; }
  .signed-in { font-size: .9rem; color: #404040; margin: 0 0 12px; }
  h2 { font-size: 1.1rem; font-weight: 600; margin: -8px 0 16px; }
  .app-name { display: block; font-weight: 600; }
  .publisher { display: block; color: #a4262c; font-size: .9rem; }
  .permissions li { padding: 8px 0; }
  .detail { display: block; color: #505050; font-size: .8rem; }
  .fine { font-size: .8rem; color: #505050; }
  .org { margin: 0 0 16px; }
  .actions { display: flex; gap: 8px; justify-content: flex-end; }
  .error { color: #a4262c; }
  dl { font-size: .85rem; color: #404040; word-break: break-all; }
  dt { font-weight: 600; margin-top: 8px; }
  a { color: #0067b8; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)}</title><style>${STYLE}</style></head>
<body><main>
<div class="brand" aria-hidden="true">Microsoft (emulator)</div>
${body}
</main></body></html>`;
}

export function hiddenFields(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([k, v]) => `<input type="hidden" name="${h(k)}" value="${h(v)}">`)
    .join("\n");
}

export interface PickerInput {
  action: string;
  params: Record<string, string>;
  users: User[];
  appName: string;
  /** Set when a login_hint narrowed the list; offers the full list back. */
  allAccountsHref?: string;
}

export function pickerPage(input: PickerInput): string {
  const items = input.users
    .map(
      (u) => `<li><button class="account" type="submit" name="account" value="${h(u.id)}">
<span class="name">${h(u.displayName)}</span><span class="upn">${h(u.upn)}</span></button></li>`,
    )
    .join("\n");
  const empty = input.users.length === 0 ? `<p>No accounts can sign in here.</p>` : "";
  const others = input.allAccountsHref ? `<p><a href="${h(input.allAccountsHref)}">Use another account</a></p>` : "";
  return layout(
    "Sign in to your account",
    `<h1 id="pick-heading">Pick an account</h1>
<p>to continue to ${h(input.appName)}</p>
<form method="post" action="${h(input.action)}">
${hiddenFields(input.params)}
<ul aria-labelledby="pick-heading">${items}</ul>
${empty}
${others}
<button class="secondary" type="submit" name="cancel" value="1">Cancel</button>
</form>`,
  );
}

/** Microsoft's own "Sorry, but we're having trouble signing you in" page, used where it can't trust the redirect URI. */
export function errorPage(e: AadError): string {
  return layout(
    "Sign in",
    `<h1>Sign in</h1>
<p>Sorry, but we’re having trouble signing you in.</p>
<p class="error" role="alert">AADSTS${e.code}: ${h(e.message)}</p>
<details open><summary>Troubleshooting details</summary>
<dl><dt>Request Id</dt><dd>${h(e.traceId)}</dd>
<dt>Correlation Id</dt><dd>${h(e.correlationId)}</dd>
<dt>Timestamp</dt><dd>${h(e.timestamp)}</dd>
<dt>Message</dt><dd>AADSTS${e.code}: ${h(e.message)}</dd></dl></details>`,
  );
}

export function signedOutPage(): string {
  return layout(
    "Sign out",
    `<h1>You have signed out of your account</h1>
<p>It’s a good idea to close all browser windows.</p>`,
  );
}

/** response_mode=form_post: the browser posts the result to the client instead of a redirect. */
export function formPostPage(action: string, params: Record<string, string>): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Working...</title></head>
<body><form method="post" name="hiddenform" action="${h(action)}">
${hiddenFields(params)}
<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit"></noscript>
</form>
<script>document.forms[0].submit();</script></body></html>`;
}

export interface ConsentPageInput {
  action: string;
  /** The original request parameters plus the pending-consent id. */
  params: Record<string, string>;
  appName: string;
  upn: string;
  permissions: PermissionLine[];
  /** /authorize: an admin may tick "Consent on behalf of your organization". */
  offerOrgConsent: boolean;
  /** /adminconsent: the grant is for the whole organization. */
  adminConsent: boolean;
}

function permissionList(lines: PermissionLine[], appName: string): string {
  const items = lines
    .map((l) => `<li>${h(l.label)}${l.detail ? ` <span class="detail">${h(l.detail)}</span>` : ""}</li>`)
    .join("\n");
  return `<p id="perm-intro">This app would like to:</p>
<ul class="permissions" aria-label="Permissions ${h(appName)} would like">${items}</ul>`;
}

/** Microsoft's "Permissions requested" screen (user consent at /authorize, or "Accept for your organization" at /adminconsent). */
export function consentPage(input: ConsentPageInput): string {
  const org = input.offerOrgConsent
    ? `<p class="org"><input type="checkbox" id="consent-org" name="consent_org" value="1"> <label for="consent-org">Consent on behalf of your organization</label></p>`
    : "";
  const scopeNote = input.adminConsent
    ? `<p>If you accept, this app will get access to the specified resources for all users in your organization. No one else will be prompted to review these permissions.</p>`
    : "";
  return layout(
    "Permissions requested",
    `<p class="signed-in">${h(input.upn)}</p>
<h1 id="consent-heading">Permissions requested</h1>
${input.adminConsent ? "<h2>Accept for your organization</h2>" : ""}
<p><span class="app-name">${h(input.appName)}</span><span class="publisher">unverified</span></p>
${permissionList(input.permissions, input.appName)}
<form method="post" action="${h(input.action)}">
${hiddenFields(input.params)}
${org}
${scopeNote}
<p class="fine">Accepting these permissions means that you allow this app to use your data as specified in their terms of service and privacy statement. The publisher has not provided links to their terms for you to review.</p>
<div class="actions">
<button class="secondary" type="submit" name="consent" value="cancel">Cancel</button>
<button class="primary" type="submit" name="consent" value="accept">Accept</button>
</div>
</form>`,
  );
}

export interface AdminApprovalInput {
  action: string;
  params: Record<string, string>;
  appName: string;
  upn: string;
  /** AADSTS90094 as Microsoft words it. */
  message: string;
  /** Back to the account picker, for someone who has an admin account. */
  otherAccountHref: string;
}

/** Microsoft's "Need admin approval" page, shown when the user may not consent (AADSTS90094). */
export function adminApprovalPage(input: AdminApprovalInput): string {
  return layout(
    "Need admin approval",
    `<p class="signed-in">${h(input.upn)}</p>
<h1>Need admin approval</h1>
<p><span class="app-name">${h(input.appName)}</span><span class="publisher">unverified</span></p>
<p>${h(input.appName)} needs permission to access resources in your organization that only an admin can grant. Please ask an admin to grant permission to this app before you can use it.</p>
<p class="error" role="alert">AADSTS90094: ${h(input.message)}</p>
<p><a href="${h(input.otherAccountHref)}">Have an admin account? Sign in with that account</a></p>
<form method="post" action="${h(input.action)}">
${hiddenFields(input.params)}
<button class="secondary" type="submit" name="consent" value="return">Return to the application without granting consent</button>
</form>`,
  );
}
