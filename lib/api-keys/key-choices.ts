import type { Db } from "@/lib/db-client";

// What the API keys page offers to choose from and names keys by: the org's integrations and
// connected mailboxes, read within the org only. An org with thousands of mailboxes still gets
// one small row per mailbox (id, address, integration), which the form filters in the browser.

export type IntegrationChoice = { id: string; name: string; mailboxes: number };
export type MailboxChoice = { id: string; mailbox: string; kind: "USER" | "SHARED"; integrationId: string; integrationName: string };
export type KeyChoices = { integrations: IntegrationChoice[]; mailboxes: MailboxChoice[] };

export async function apiKeyChoices(db: Db, orgId: string): Promise<KeyChoices> {
  const [integrations, connections] = await Promise.all([
    db.integration.findMany({ where: { orgId }, select: { id: true, name: true, _count: { select: { connections: true } } }, orderBy: [{ name: "asc" }, { id: "asc" }] }),
    db.connection.findMany({ where: { orgId }, select: { id: true, mailbox: true, mailboxKind: true, integrationId: true, integration: { select: { name: true } } }, orderBy: [{ mailbox: "asc" }, { id: "asc" }] }),
  ]);
  return {
    integrations: integrations.map((i) => ({ id: i.id, name: i.name, mailboxes: i._count.connections })),
    mailboxes: connections.map((c) => ({ id: c.id, mailbox: c.mailbox, kind: c.mailboxKind, integrationId: c.integrationId, integrationName: c.integration.name })),
  };
}
