import { OIDC_SCOPES, appRolesFor, resourceForUri, splitScope, RESOURCES } from "./resources";
import type { App } from "./state";

/**
 * Plain-words lines for the consent screens, as Microsoft words the permissions
 * (delegated descriptions of Microsoft Graph and Office 365 Exchange Online).
 * Unknown scopes show their name.
 */
const DELEGATED: Record<string, string> = {
  openid: "Sign in",
  profile: "View your basic profile",
  email: "View your email address",
  offline_access: "Maintain access to data you have given it access to",
  "user.read": "Sign you in and read your profile",
  "mail.read": "Read your mail",
  "mail.readwrite": "Read and write access to your mail",
  "mail.send": "Send mail as you",
  "mail.read.shared": "Read user and shared mail",
  "mail.readwrite.shared": "Read and write user and shared mail",
  "mail.send.shared": "Send mail on behalf of others",
  "imap.accessasuser.all": "Read and write access to mailboxes via IMAP",
  "pop.accessasuser.all": "Read and write access to mailboxes via POP",
  "smtp.send": "Send emails from mailboxes using SMTP AUTH",
  "ews.accessasuser.all": "Access mailboxes as the signed-in user via Exchange Web Services",
};

/** Application permissions (app roles), shown when an admin consents to `{resource}/.default`. */
const APPLICATION: Record<string, string> = {
  "mail.read": "Read mail in all mailboxes",
  "mail.readwrite": "Read and write mail in all mailboxes",
  "mail.send": "Send mail as any user",
  "user.read.all": "Read all users' full profiles",
  "imap.accessasapp": "Access all mailboxes via IMAP as the app",
  "pop.accessasapp": "Access all mailboxes via POP as the app",
  "smtp.sendasapp": "Send emails from all mailboxes using SMTP AUTH as the app",
  full_access_as_app: "Use Exchange Web Services with full access to all mailboxes",
};

export interface PermissionLine {
  label: string;
  /** Which resource and kind, in small print. */
  detail?: string;
}

/**
 * One line per requested scope, in request order. `{resource}/.default` stands for
 * what the app has configured for that resource: with `includeAppRoles` (admin
 * consent) its application permissions are listed.
 */
export function permissionLines(scopes: string[], app: App, opts: { includeAppRoles: boolean }): PermissionLine[] {
  const lines: PermissionLine[] = [];
  const seen = new Set<string>();
  const add = (line: PermissionLine) => {
    const key = `${line.label}|${line.detail ?? ""}`;
    if (!seen.has(key)) lines.push(line);
    seen.add(key);
  };
  for (const scope of scopes) {
    if (OIDC_SCOPES.includes(scope.toLowerCase())) {
      add({ label: DELEGATED[scope.toLowerCase()] ?? scope });
      continue;
    }
    const { resource: uri, name } = splitScope(scope);
    const resource = uri ? resourceForUri(uri) : RESOURCES.find((r) => r.ownsBareScopes);
    const detail = resource?.displayName;
    if (name === ".default" && resource) {
      const roles = opts.includeAppRoles ? appRolesFor(app.appPermissions, resource) : [];
      for (const role of roles) add({ label: APPLICATION[role.toLowerCase()] ?? role, detail: `${resource.displayName} · application permission` });
      if (roles.length === 0) add({ label: `Permissions configured for ${resource.displayName}`, detail: scope });
      continue;
    }
    add({ label: (resource && DELEGATED[name.toLowerCase()]) ?? scope, ...(detail ? { detail } : {}) });
  }
  return lines;
}
