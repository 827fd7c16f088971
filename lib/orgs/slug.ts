// Runs in the browser (the new-org form suggests a slug as the name is typed).

/** A URL slug suggested from an org name: lowercase ASCII letters, digits and single hyphens. */
export function suggestSlug(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
}
