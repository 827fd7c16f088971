import type { Cloud } from "./clouds";

/**
 * Resources the emulator can mint access tokens for. One token = one resource,
 * so this table decides audience, scope spelling and token shape. Add Exchange
 * Online (`https://outlook.office.com`, `https://outlook.office365.us`, …) here.
 */
export interface Resource {
  id: string;
  /** Scope prefixes (resource URIs and app ID) that name this resource. */
  uris: string[];
  /** Bare scope names (`User.Read`) belong to this resource, as they do to Graph at Microsoft. */
  ownsBareScopes: boolean;
  /** How the resource's scopes appear in the token response `scope` field. */
  scopeSpelling: "bare" | "uri";
  audience: (cloud: Cloud) => string;
}

const GRAPH_AUDIENCE: Record<Cloud, string> = {
  global: "https://graph.microsoft.com",
  usgov: "https://graph.microsoft.us",
  china: "https://microsoftgraph.chinacloudapi.cn",
};

export const RESOURCES: Resource[] = [
  {
    id: "graph",
    uris: [
      "https://graph.microsoft.com",
      "https://graph.microsoft.us",
      "https://dod-graph.microsoft.us",
      "https://microsoftgraph.chinacloudapi.cn",
      "00000003-0000-0000-c000-000000000000",
    ],
    ownsBareScopes: true,
    scopeSpelling: "bare",
    audience: (cloud) => GRAPH_AUDIENCE[cloud],
  },
];

export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

export interface ScopedRequest {
  /** openid / profile / email / offline_access, lower-cased. */
  oidc: Set<string>;
  /** resource id → scope names without the resource prefix, in request order. */
  byResource: Map<string, string[]>;
  /** Scopes whose resource the emulator doesn't know (resource URI prefix). */
  unknownResources: string[];
}

function splitScope(scope: string): { resource?: string; name: string } {
  const slash = scope.lastIndexOf("/");
  if (slash <= 0) return { name: scope };
  return { resource: scope.slice(0, slash).toLowerCase(), name: scope.slice(slash + 1) };
}

export function parseScopes(raw: string | string[]): ScopedRequest {
  const list = Array.isArray(raw) ? raw : raw.split(/\s+/).filter(Boolean);
  const result: ScopedRequest = { oidc: new Set(), byResource: new Map(), unknownResources: [] };
  for (const scope of list) {
    if (OIDC_SCOPES.includes(scope.toLowerCase())) {
      result.oidc.add(scope.toLowerCase());
      continue;
    }
    const { resource, name } = splitScope(scope);
    const owner = resource
      ? RESOURCES.find((r) => r.uris.some((u) => u.toLowerCase() === resource))
      : RESOURCES.find((r) => r.ownsBareScopes);
    if (!owner) {
      result.unknownResources.push(resource ?? scope);
      continue;
    }
    const names = result.byResource.get(owner.id) ?? [];
    if (!names.some((n) => n.toLowerCase() === name.toLowerCase())) names.push(name);
    result.byResource.set(owner.id, names);
  }
  return result;
}

export function resourceById(id: string): Resource {
  const found = RESOURCES.find((r) => r.id === id);
  if (!found) throw new Error(`unknown resource ${id}`);
  return found;
}

export function formatResourceScopes(resource: Resource, names: string[], cloud: Cloud): string[] {
  return resource.scopeSpelling === "bare" ? names : names.map((n) => `${resource.audience(cloud)}/${n}`);
}
