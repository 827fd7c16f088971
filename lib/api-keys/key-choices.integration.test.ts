import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import { auditNames, detailEntries, listAuditPage, targetOf } from "@/lib/audit/audit-list";
import { createApiKey, listApiKeys } from "./keys";
import { apiKeyChoices } from "./key-choices";
import { reachWords } from "./key-words";

// What the API keys page reads: the org's own integrations and mailboxes to choose from, and its
// keys named in the audit log, never another org's.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

const slug = (p: string) => `${p}-${randomBytes(3).toString("hex")}`;

describe("API key choices and names", () => {
  it("offers only the org's integrations and mailboxes, and names what a key reaches from them", async () => {
    const db = database.prisma;
    const a = await orgWithIntegration(db, keyring, slug("keys-a"));
    const b = await orgWithIntegration(db, keyring, slug("keys-b"));
    const [zed, amy] = [await savedConnection(db, keyring, a, { mailbox: "zed@contoso.test" }), await savedConnection(db, keyring, a, { mailbox: "amy@contoso.test" })];
    await savedConnection(db, keyring, b, { mailbox: "other@fabrikam.test" });

    const choices = await apiKeyChoices(db, a.org.id);
    expect(choices.integrations).toEqual([{ id: a.integration.id, name: "Helpdesk", mailboxes: 2 }]);
    expect(choices.mailboxes.map((m) => [m.id, m.mailbox, m.integrationName])).toEqual([[amy, "amy@contoso.test", "Helpdesk"], [zed, "zed@contoso.test", "Helpdesk"]]);

    const { view } = await createApiKey(db, a.org.id, a.owner, { name: "Helpdesk sync", reach: "CONNECTIONS", connectionIds: [zed, amy], resources: ["graph"], expiresAt: null });
    expect(reachWords(view, choices)).toBe("2 mailboxes: zed@contoso.test, amy@contoso.test");
    expect((await listApiKeys(db, b.org.id))).toEqual([]);
  });

  it("names the org's keys in its audit log, and leaves another org's key unnamed", async () => {
    const db = database.prisma;
    const a = await orgWithIntegration(db, keyring, slug("keys-audit-a"));
    const b = await orgWithIntegration(db, keyring, slug("keys-audit-b"));
    const own = await createApiKey(db, a.org.id, a.owner, { name: "Ours", reach: "INTEGRATIONS", integrationIds: [a.integration.id], resources: ["graph"], expiresAt: null });
    const theirs = await createApiKey(db, b.org.id, b.owner, { name: "Theirs", reach: "ORG", resources: ["graph"], expiresAt: null });
    // A row of A that (wrongly) mentions B's key id must not reveal B's key name.
    await db.auditEvent.create({ data: { orgId: a.org.id, action: "api_key.tokens_issued", targetType: "connection", targetId: theirs.view.id, data: { apiKeyId: theirs.view.id, count: 1 } } });

    const { rows } = await listAuditPage(db, a.org.id, {});
    const names = await auditNames(db, a.org.id, rows);
    const created = rows.find((r) => r.action === "api_key.created")!;
    expect(targetOf(names, created)).toMatchObject({ kind: "api_key", name: `Ours (${own.view.prefix}…)`, gone: false });
    expect(detailEntries(created.data, names)).toContainEqual({ key: "integrations", value: ["Helpdesk"] });
    const foreign = rows.find((r) => r.action === "api_key.tokens_issued")!;
    expect(detailEntries(foreign.data, names)[0]!.value).not.toContain("Theirs");
  });
});
