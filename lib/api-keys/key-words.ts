import type { ApiKeyView } from "./keys";
import type { KeyChoices } from "./key-choices";

// API keys in words for the keys page: what a key reaches, which tokens it gets, and whether it
// still works. Ids that name nothing any more (a deleted mailbox) are counted, never shown raw.

export const RESOURCE_LABELS: Record<string, string> = {
  graph: "Microsoft Graph",
  outlook: "Outlook: IMAP, POP and SMTP (XOAUTH2)",
};
export const resourceWords = (resources: readonly string[]) => resources.map((r) => RESOURCE_LABELS[r] ?? r);

export type KeyStatus = "active" | "expired" | "revoked";
export function keyStatus(k: Pick<ApiKeyView, "revokedAt" | "expiresAt">, now = new Date()): KeyStatus {
  if (k.revokedAt) return "revoked";
  if (k.expiresAt && k.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

const SHOWN = 3;
const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "All mailboxes", "Mailboxes of: Helpdesk app", "3 mailboxes: a@…, b@…, c@…". */
export function reachWords(k: Pick<ApiKeyView, "reach" | "integrationIds" | "connectionIds">, choices: KeyChoices): string {
  if (k.reach === "ORG") return "All mailboxes";
  if (k.reach === "INTEGRATIONS") {
    const byId = new Map(choices.integrations.map((i) => [i.id, i.name]));
    const names = k.integrationIds.map((id) => byId.get(id)).filter((n): n is string => Boolean(n));
    const gone = k.integrationIds.length - names.length;
    if (names.length === 0) return `Mailboxes of ${plural(gone, "deleted integration", "deleted integrations")} (reaches nothing)`;
    return `Mailboxes of: ${names.join(", ")}${gone ? ` (and ${plural(gone, "deleted integration", "deleted integrations")})` : ""}`;
  }
  const byId = new Map(choices.mailboxes.map((m) => [m.id, m.mailbox]));
  const found = k.connectionIds.map((id) => byId.get(id)).filter((m): m is string => Boolean(m));
  const gone = k.connectionIds.length - found.length;
  if (found.length === 0) return `${plural(gone, "deleted mailbox", "deleted mailboxes")} (reaches nothing)`;
  const shown = found.slice(0, SHOWN).join(", ");
  const more = found.length > SHOWN ? ` and ${found.length - SHOWN} more` : "";
  return `${plural(found.length, "mailbox", "mailboxes")}: ${shown}${more}${gone ? ` (and ${plural(gone, "deleted one", "deleted ones")})` : ""}`;
}
