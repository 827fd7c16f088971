// Microsoft's multi-tenant discovery documents (common, organizations) return the issuer as a
// template, "https://login.microsoftonline.com/{tenantid}/v2.0". Auth.js's built-in fix for
// that only recognises hosts ending in microsoftonline.com, so it fails for the US Government
// and China clouds and for any stand-in. This fetch substitutes the tenant segment of the
// discovery URL itself, which is what a spec-following client would compare against.
export async function entraDiscoveryFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const response = await fetch(input, init);
  if (!url.pathname.endsWith("/.well-known/openid-configuration") || !response.ok) return response;
  const tenant = url.pathname.match(/\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/)?.[1];
  const json = (await response.clone().json()) as { issuer?: string };
  if (!tenant || typeof json.issuer !== "string" || !json.issuer.includes("{tenantid}")) return response;
  return Response.json({ ...json, issuer: json.issuer.replace("{tenantid}", tenant) });
}

/** Claims of a Microsoft identity platform v2.0 ID token that the portal relies on. */
export type EntraIdClaims = {
  tid?: string;
  oid?: string;
  name?: string;
  preferred_username?: string;
  email?: string;
};

export function emailFromClaims(c: EntraIdClaims): string {
  return (c.preferred_username ?? c.email ?? "").toLowerCase();
}
