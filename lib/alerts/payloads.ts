import { diagnose } from "@/lib/diagnosis/catalog";
import type { ConnectionRef, FailureInWords, IntegrationRef, OrgRef } from "./events";

// The pieces every payload is built from: names and ids, links to the portal's pages, and a
// failure in the catalog's words. Nothing here reads a secret.

export type OrgRow = { id: string; slug: string; name: string };
export type IntegrationRow = { id: string; name: string; cloud: string };
export type ConnectionRow = { id: string; mailbox: string; mailboxKind: "USER" | "SHARED"; displayName: string | null; tenantId: string };

export const orgRef = (o: OrgRow): OrgRef => ({ id: o.id, slug: o.slug, name: o.name });
export const integrationRef = (i: IntegrationRow): IntegrationRef => ({ id: i.id, name: i.name, cloud: i.cloud });

export const mailboxUrl = (publicUrl: string, slug: string, connectionId: string) => `${publicUrl}/orgs/${slug}/mailboxes/${connectionId}`;
export const integrationUrl = (publicUrl: string, slug: string, integrationId: string) => `${publicUrl}/orgs/${slug}/integrations/${integrationId}`;
export const mailboxesUrl = (publicUrl: string, slug: string) => `${publicUrl}/orgs/${slug}/mailboxes`;

export const connectionRef = (c: ConnectionRow, org: OrgRow, publicUrl: string): ConnectionRef => ({
  id: c.id,
  mailbox: c.mailbox,
  kind: c.mailboxKind === "SHARED" ? "shared" : "user",
  displayName: c.displayName,
  tenantId: c.tenantId,
  url: mailboxUrl(publicUrl, org.slug, c.id),
});

export function failureInWords(code: string, cls: string | null, reason: string | null): FailureInWords {
  const d = diagnose(code);
  return { class: cls, code, title: d.title, reason: reason ?? `${d.title} (${code}).`, explanation: [d.meaning, d.cause].filter(Boolean).join(" "), fix: d.fix };
}
