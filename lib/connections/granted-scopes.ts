// Comparing the scopes an integration asked for with the ones Microsoft granted. Microsoft spells
// Graph scopes bare ("Mail.Read") and Exchange ones with a resource prefix whose host varies
// (outlook.office.com / outlook.office365.com), so scopes are compared by (resource, name).

const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

function scopeKey(scope: string): string {
  const lower = scope.toLowerCase();
  if (OIDC.has(lower)) return `oidc:${lower}`;
  const slash = lower.lastIndexOf("/");
  if (slash <= 0) return `graph:${lower}`;
  const prefix = lower.slice(0, slash);
  return `${prefix.includes("graph.") ? "graph" : "outlook"}:${lower.slice(slash + 1)}`;
}

export const splitScopes = (value: string | undefined | null): string[] => (value ?? "").split(/\s+/).filter(Boolean);

/**
 * Requested resource scopes (not openid/profile/email/offline_access) that are not among the
 * granted ones. offline_access is judged by whether a refresh token came back, not by `scope`.
 */
export function missingScopes(requested: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted.map(scopeKey));
  return requested.filter((s) => !OIDC.has(s.toLowerCase()) && !have.has(scopeKey(s)));
}

/** Fully qualified, so a stored list shows which API each scope is for. */
export function qualifyGranted(granted: readonly string[], graphOrigin: string): string[] {
  return granted.map((s) => (OIDC.has(s.toLowerCase()) || s.includes("/") ? s : `${graphOrigin}/${s}`));
}

/** A scope's short name for display: "https://graph.microsoft.com/Mail.Read" → "Mail.Read". */
export const scopeName = (scope: string) => scope.slice(scope.lastIndexOf("/") + 1);
