/** Only same-site paths may be a post-sign-in destination (no open redirects). */
export function safeReturnPath(value: string | string[] | undefined, fallback = "/orgs"): string {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v || !v.startsWith("/") || v.startsWith("//") || v.startsWith("/\\")) return fallback;
  return v;
}
