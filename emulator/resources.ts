import type { Cloud, Subcloud } from "./clouds";

/**
 * Resources the emulator can mint access tokens for. One token = one resource,
 * so this table decides audience, scope spelling and which cloud may ask for it.
 * Resource principals are per cloud at Microsoft: a GCC High tenant has no
 * `https://graph.microsoft.com` service principal, so asking for it gives
 * AADSTS500011, exactly as a misspelled resource URI does.
 */
export type ResourceId = "graph" | "outlook";

/** Where a tenant lives for resource purposes: GCC (moderate) is "global"; GCC High and DoD split usgov. */
export type Partition = "global" | "gcchigh" | "dod" | "china";

export interface Resource {
  id: ResourceId;
  /** First-party application ID: also accepted as a scope prefix in every cloud. */
  appId: string;
  displayName: string;
  /** Identifier URIs a tenant of each partition can ask for; the first is the default audience. */
  uris: Record<Partition, string[]>;
  /** Bare scope names (`User.Read`) belong to this resource, as they do to Graph at Microsoft. */
  ownsBareScopes: boolean;
  /** How the resource's scopes appear in the token response `scope` field. */
  scopeSpelling: "bare" | "uri";
  /** Needs an Exchange Online subscription in the tenant (else AADSTS650052). */
  needsExchange: boolean;
}

export const RESOURCES: Resource[] = [
  {
    id: "graph",
    appId: "00000003-0000-0000-c000-000000000000",
    displayName: "Microsoft Graph",
    uris: {
      global: ["https://graph.microsoft.com"],
      gcchigh: ["https://graph.microsoft.us"],
      dod: ["https://dod-graph.microsoft.us"],
      china: ["https://microsoftgraph.chinacloudapi.cn"],
    },
    ownsBareScopes: true,
    scopeSpelling: "bare",
    needsExchange: false,
  },
  {
    id: "outlook",
    appId: "00000002-0000-0ff1-ce00-000000000000",
    displayName: "Office 365 Exchange Online",
    uris: {
      // Delegated IMAP/POP/SMTP scopes use outlook.office.com; app-only uses outlook.office365.com,
      // and Microsoft's IMAP/POP admin-consent instructions use ps.outlook.com (reference §5.3–5.4).
      global: ["https://outlook.office.com", "https://outlook.office365.com", "https://ps.outlook.com"],
      gcchigh: ["https://outlook.office365.us"],
      // Microsoft's script says outlook-dod, EmailEngine's docs use outlook.office365.us (reference §8.2): accept both.
      dod: ["https://outlook-dod.office365.us", "https://outlook.office365.us"],
      china: ["https://partner.outlook.cn"],
    },
    ownsBareScopes: false,
    scopeSpelling: "uri",
    needsExchange: true,
  },
];

export const OIDC_SCOPES = ["openid", "profile", "email", "offline_access"];

export function partitionOf(tenant: { cloud: Cloud; subcloud?: Subcloud }): Partition {
  if (tenant.cloud === "usgov") return tenant.subcloud ?? "gcchigh";
  return tenant.cloud;
}

export function resourceById(id: ResourceId): Resource {
  const found = RESOURCES.find((r) => r.id === id);
  if (!found) throw new Error(`unknown resource ${id}`);
  return found;
}

const sameUri = (a: string, b: string) => a.replace(/\/+$/, "").toLowerCase() === b.replace(/\/+$/, "").toLowerCase();

/** The resource a URI (or first-party app ID) names in any cloud, regardless of who asks. */
export function resourceForUri(uri: string): Resource | undefined {
  return RESOURCES.find((r) => sameUri(r.appId, uri) || Object.values(r.uris).some((list) => list.some((u) => sameUri(u, uri))));
}

/**
 * The audience for a resource asked for by this URI in this partition, or
 * undefined when the tenant has no such resource principal. The app ID form
 * maps to the partition's default URI.
 */
export function audienceFor(resource: Resource, uri: string | undefined, partition: Partition): string | undefined {
  const allowed = resource.uris[partition];
  if (uri === undefined || sameUri(uri, resource.appId)) return allowed[0];
  return allowed.find((u) => sameUri(u, uri));
}

/** Every Graph audience in every cloud (userinfo accepts any Graph token the emulator minted). */
export function graphAudiences(): string[] {
  return Object.values(resourceById("graph").uris).flat();
}

export interface ResourceScopes {
  names: string[];
  /** The identifier URI the request used (the token's `aud`). */
  audience: string;
}

export interface ScopedRequest {
  /** openid / profile / email / offline_access, lower-cased. */
  oidc: Set<string>;
  /** resource → scope names without the resource prefix, in request order (Map order = first scope first). */
  byResource: Map<ResourceId, ResourceScopes>;
  /** Resource URIs this tenant has no principal for: unknown anywhere, or another cloud's (→ 500011). */
  unknownResources: string[];
}

export function splitScope(scope: string): { resource?: string; name: string } {
  const slash = scope.lastIndexOf("/");
  if (slash <= 0) return { name: scope };
  return { resource: scope.slice(0, slash), name: scope.slice(slash + 1) };
}

export function parseScopes(raw: string | string[], partition: Partition): ScopedRequest {
  const list = Array.isArray(raw) ? raw : raw.split(/\s+/).filter(Boolean);
  const result: ScopedRequest = { oidc: new Set(), byResource: new Map(), unknownResources: [] };
  for (const scope of list) {
    if (OIDC_SCOPES.includes(scope.toLowerCase())) {
      result.oidc.add(scope.toLowerCase());
      continue;
    }
    const { resource: uri, name } = splitScope(scope);
    const owner = uri ? resourceForUri(uri) : RESOURCES.find((r) => r.ownsBareScopes);
    const audience = owner && audienceFor(owner, uri, partition);
    if (!owner || !audience) {
      result.unknownResources.push(uri ?? scope);
      continue;
    }
    const entry = result.byResource.get(owner.id) ?? { names: [], audience };
    if (!entry.names.some((n) => n.toLowerCase() === name.toLowerCase())) entry.names.push(name);
    result.byResource.set(owner.id, entry);
  }
  return result;
}

export function formatResourceScopes(resource: Resource, names: string[], audience: string): string[] {
  return resource.scopeSpelling === "bare" ? names : names.map((n) => `${audience}/${n}`);
}

/** Application permissions an app holds on a resource, whichever of the resource's URIs they were keyed by. */
export function appRolesFor(appPermissions: Record<string, string[]>, resource: Resource): string[] {
  const roles = Object.entries(appPermissions)
    .filter(([uri]) => resourceForUri(uri)?.id === resource.id)
    .flatMap(([, names]) => names);
  return [...new Set(roles)];
}
