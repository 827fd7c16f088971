// Scopes per purpose and cloud. Facts: shared reference "microsoft-identity.md" §2.4, §5.3, §8.
import { AppError } from "@/lib/errors";
import { CLOUDS, cloudsUsingHost, describeClouds, outlookResourcesOf, type CloudId } from "./clouds";

export const PURPOSES = ["graph-read", "graph-send", "imap", "pop", "smtp", "ews"] as const;
export type Purpose = (typeof PURPOSES)[number];

export type ScopeResource = "graph" | "outlook";

export type ScopeInfo = {
  scope: string;
  resource: ScopeResource | "openid";
  meaning: string;
  purpose?: Purpose;
  azurePermission?: { api: string; name: string; type: "Delegated" };
};

const GRAPH_API = "Microsoft Graph";
const EXCHANGE_API = "Office 365 Exchange Online";

const OIDC: ScopeInfo[] = [
  { scope: "openid", resource: "openid", meaning: "Sign the user in and tell the portal who they are (ID token)." },
  { scope: "profile", resource: "openid", meaning: "Read the user's name from their sign-in." },
  { scope: "email", resource: "openid", meaning: "Read the user's email address from their sign-in." },
  {
    scope: "offline_access",
    resource: "openid",
    meaning:
      'Keep access after the user leaves (a refresh token). Microsoft shows it as "Maintain access to data you have given it access to".',
  },
];

type ScopeDef = { resource: ScopeResource; name: string; meaning: string };

// SMTP: §8.3 — one Exchange doc version lists SMTP.SendAsApp as delegated; that is the
// app-only permission, and SMTP.Send is what delegated clients actually request.
const BY_PURPOSE: Record<Purpose, ScopeDef[]> = {
  "graph-read": [
    { resource: "graph", name: "Mail.Read", meaning: "Read the mailbox's messages through Microsoft Graph." },
    // /me is how the connection check learns which mailbox the grant belongs to.
    { resource: "graph", name: "User.Read", meaning: "Read the signed-in user's basic profile (to identify the mailbox)." },
  ],
  "graph-send": [
    { resource: "graph", name: "Mail.Send", meaning: "Send mail as the user through Microsoft Graph." },
    { resource: "graph", name: "User.Read", meaning: "Read the signed-in user's basic profile (to identify the mailbox)." },
  ],
  imap: [{ resource: "outlook", name: "IMAP.AccessAsUser.All", meaning: "Read and manage the mailbox over IMAP." }],
  pop: [{ resource: "outlook", name: "POP.AccessAsUser.All", meaning: "Read the mailbox over POP." }],
  smtp: [{ resource: "outlook", name: "SMTP.Send", meaning: "Send mail as the user over SMTP (SMTP AUTH)." }],
  ews: [{ resource: "outlook", name: "EWS.AccessAsUser.All", meaning: "Access the mailbox through Exchange Web Services (EWS)." }],
};

const OUTLOOK_PERMISSIONS = new Set(
  Object.values(BY_PURPOSE)
    .flat()
    .filter((d) => d.resource === "outlook")
    .map((d) => d.name.toLowerCase()),
);

const resourcePrefix = (cloud: CloudId, resource: ScopeResource) =>
  resource === "graph" ? `https://${CLOUDS[cloud].graphHost}` : CLOUDS[cloud].outlookDelegatedResource;

// Fully qualified everywhere: bare names mean Graph only by Microsoft's default, and the
// prefix makes the target cloud visible in every stored scope list.
function purposeScopes(cloud: CloudId, purposes: readonly Purpose[]): ScopeInfo[] {
  const seen = new Set<string>();
  const out: ScopeInfo[] = [];
  for (const purpose of PURPOSES) {
    if (!purposes.includes(purpose)) continue;
    for (const def of BY_PURPOSE[purpose]) {
      const scope = `${resourcePrefix(cloud, def.resource)}/${def.name}`;
      if (seen.has(scope)) continue;
      seen.add(scope);
      const api = def.resource === "graph" ? GRAPH_API : EXCHANGE_API;
      out.push({ scope, resource: def.resource, meaning: def.meaning, purpose, azurePermission: { api, name: def.name, type: "Delegated" } });
    }
  }
  return out;
}

function validatedExtras(cloud: CloudId, extra: readonly string[]): ScopeInfo[] {
  return extra.map((raw) => {
    const r = validateExtraScope(cloud, raw);
    if (!r.ok) throw new AppError("invalid_input", `Extra scope "${raw}": ${r.message}`, "extraScopes");
    return r.info;
  });
}

export function delegatedScopes(
  cloud: CloudId,
  purposes: Purpose[],
  extra: string[] = [],
): { scopes: ScopeInfo[]; authorizeScope: string; resources: ScopeResource[] } {
  const base = purposeScopes(cloud, purposes);
  const ordered = [...base.filter((s) => s.resource === "graph"), ...base.filter((s) => s.resource === "outlook")];
  const seen = new Set(ordered.map((s) => s.scope.toLowerCase()));
  for (const info of validatedExtras(cloud, extra)) {
    if (seen.has(info.scope.toLowerCase())) continue;
    seen.add(info.scope.toLowerCase());
    ordered.push(info);
  }
  const scopes = [...OIDC, ...ordered];
  const resources = (["graph", "outlook"] as const).filter((r) => scopes.some((s) => s.resource === r));
  return { scopes, authorizeScope: scopes.map((s) => s.scope).join(" "), resources };
}

/**
 * The token endpoint mints one token per resource (§2.4), so refresh/redeem requests carry only
 * that resource's scopes. offline_access goes last because Microsoft picks the token's resource
 * from the first scope.
 */
export function tokenScopesFor(cloud: CloudId, purposes: Purpose[], resource: ScopeResource, extra: string[] = []): string {
  const { scopes } = delegatedScopes(cloud, purposes, extra);
  const mine = scopes.filter((s) => s.resource === resource).map((s) => s.scope);
  if (mine.length === 0) {
    const what = resource === "graph" ? "Microsoft Graph (Graph read or Graph send)" : "Exchange Online (IMAP, POP, SMTP or EWS)";
    throw new AppError("invalid_input", `None of the chosen purposes needs a ${what} token.`, "purposes");
  }
  return [...mine, "offline_access"].join(" ");
}

/** Client-credentials scope: app-only tokens must use .default, one resource per request (§2.4). */
export function appOnlyScope(cloud: CloudId, resource: ScopeResource): string {
  const p = CLOUDS[cloud];
  return resource === "graph" ? `https://${p.graphHost}/.default` : `${p.outlookAppResource}/.default`;
}

// Graph permission names are dotted words, some with hyphens (User-LifeCycleInfo.Read.All).
const PERMISSION_NAME = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/;
const PREFIXED = /^https:\/\/([^/\s]+)\/([^/\s]+)$/i;
const OIDC_NAMES = new Set(OIDC.map((s) => s.scope));

type ExtraScopeResult = { ok: true; info: ScopeInfo } | { ok: false; message: string };

export function validateExtraScope(cloud: CloudId, scope: string): ExtraScopeResult {
  const s = scope.trim();
  const p = CLOUDS[cloud];
  const graphExample = `https://${p.graphHost}/Calendars.Read`;
  if (!s) return { ok: false, message: `Enter a permission name such as Calendars.Read or ${graphExample}.` };
  if (/\s/.test(s)) return { ok: false, message: "A scope cannot contain spaces. Add each scope separately, one per entry." };
  if (OIDC_NAMES.has(s.toLowerCase())) {
    return { ok: false, message: `${s} is always requested by the portal; you don't need to add it.` };
  }
  const name = s.slice(s.lastIndexOf("/") + 1);
  if (name.toLowerCase() === ".default") {
    return {
      ok: false,
      message:
        ".default cannot be combined with named scopes in one request, and the portal always requests named scopes. Add the individual permissions (for example Mail.ReadWrite) instead; the portal uses .default only for app-only tokens, which it builds itself.",
    };
  }
  if (/AsApp$/i.test(name)) {
    return {
      ok: false,
      message: `${name} is an application (app-only) permission; a user's sign-in cannot request it. Use the delegated permission instead (for example SMTP.Send or IMAP.AccessAsUser.All).`,
    };
  }

  const m = PREFIXED.exec(s);
  if (!m && s.includes("/")) {
    return { ok: false, message: `"${s}" is not a scope. Use a permission name (Calendars.Read) or a full scope such as ${graphExample}.` };
  }
  const host = m ? m[1]!.toLowerCase() : undefined;
  if (!PERMISSION_NAME.test(name)) {
    return { ok: false, message: `"${name}" is not a Microsoft permission name. Permission names look like Calendars.Read or Mail.ReadWrite.Shared.` };
  }
  const isOutlookName = OUTLOOK_PERMISSIONS.has(name.toLowerCase());
  const outlookHosts = outlookResourcesOf(cloud).map((r) => new URL(r).host);
  const outlookFix = `${p.outlookDelegatedResource}/${name}`;

  if (host === undefined || host === p.graphHost) {
    if (isOutlookName) {
      return {
        ok: false,
        message: `${name} is an Exchange Online permission, but ${host ? "this prefix" : "a name without a prefix"} asks Microsoft Graph for it and the token will be refused by the mail server. Use ${outlookFix}, or tick the matching purpose instead.`,
      };
    }
    return { ok: true, info: extraInfo(`https://${p.graphHost}/${name}`, "graph", name) };
  }
  if (outlookHosts.includes(host)) return { ok: true, info: extraInfo(`https://${host}/${name}`, "outlook", name) };

  const graphOwners = cloudsUsingHost(host, "graph");
  const outlookOwners = cloudsUsingHost(host, "outlook");
  const owners = graphOwners.length ? graphOwners : outlookOwners;
  if (owners.length) {
    const right = graphOwners.length ? `https://${p.graphHost}/${name}` : outlookFix;
    return {
      ok: false,
      message: `${host} belongs to ${describeClouds(owners)}, but this integration is in the ${p.label} cloud. Use ${right}.`,
    };
  }
  return {
    ok: false,
    message: `${host} is not a Microsoft Graph or Exchange Online host of the ${p.label} cloud. Only https://${p.graphHost}/… and ${p.outlookDelegatedResource}/… scopes (or bare Graph permission names) can be added.`,
  };
}

function extraInfo(scope: string, resource: ScopeResource, name: string): ScopeInfo {
  const api = resource === "graph" ? GRAPH_API : EXCHANGE_API;
  return { scope, resource, meaning: `Added by an admin: the ${api} delegated permission ${name}.`, azurePermission: { api, name, type: "Delegated" } };
}
