// Where a browser may be sent after sign-in: a path on the portal itself, never another host.
// The candidate is resolved the way a browser would resolve it (WHATWG URL: tabs and newlines
// dropped, backslashes as slashes, "//host" as another host) against a placeholder origin; only
// a result on that same origin is accepted, and what comes back is the normalized, percent-encoded
// path, so it is also safe to put in a Location header.
const PLACEHOLDER = "https://portal.invalid";

export function safeReturnPath(value: string | string[] | undefined, fallback = "/orgs"): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith("/")) return fallback;
  let url: URL;
  try {
    url = new URL(v, PLACEHOLDER);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // A path that still starts with two slashes would be read as a host by the next resolver.
  return path.startsWith("//") || path.startsWith("/\\") ? fallback : path;
}
