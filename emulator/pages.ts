import type { AadError } from "./aad-error";
import { escapeHtml as h } from "./http";
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
