import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import type { MailMessage, OutboundMail } from "@/lib/mail/outbound";
import { sendFreshConsentLinks, testSelectedNow } from "./bulk-actions";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let a: Awaited<ReturnType<typeof orgWithIntegration>>;
let b: Awaited<ReturnType<typeof orgWithIntegration>>;
let healthy: string, failing: string, outdated: string, revoked: string, shared: string, otherOrg: string;

beforeAll(async () => {
  database = await openTestDb();
  const db = database.prisma;
  a = await orgWithIntegration(db, keyring, "bulk-a");
  b = await orgWithIntegration(db, keyring, "bulk-b");
  healthy = await savedConnection(db, keyring, a, { mailbox: "healthy@contoso.test" });
  failing = await savedConnection(db, keyring, a, { mailbox: "failing@contoso.test" });
  await db.connection.update({ where: { id: failing }, data: { health: "FAILING", healthClass: "needs_reconsent", healthReason: "The user revoked access (AADSTS50173)." } });
  outdated = await savedConnection(db, keyring, a, { mailbox: "outdated@contoso.test" });
  await db.connection.update({ where: { id: outdated }, data: { consentedConfigVersion: 0 } });
  revoked = await savedConnection(db, keyring, a, { mailbox: "revoked@contoso.test" });
  await db.connection.update({ where: { id: revoked }, data: { status: "REVOKED" } });
  shared = await savedConnection(db, keyring, a, { mailbox: "shared@contoso.test" });
  await db.connection.update({ where: { id: shared }, data: { mailboxKind: "SHARED", upn: "Delegate@contoso.test", health: "FAILING", healthClass: "needs_reconsent" } });
  otherOrg = await savedConnection(db, keyring, b, { mailbox: "other@fabrikam.test" });
  await db.connection.update({ where: { id: otherOrg }, data: { health: "FAILING", healthClass: "needs_reconsent" } });
}, 120_000);
afterAll(async () => { await database?.close(); });

describe("testSelectedNow", () => {
  it("makes the org's selected connected mailboxes due, skips those that need consent, ignores other orgs' ids, and audits", async () => {
    const db = database.prisma;
    const now = new Date(Date.UTC(2026, 11, 2, 7));
    const r = await testSelectedNow(db, a.org.id, a.owner, [healthy, outdated, revoked, otherOrg], undefined, now);
    expect(r.queued).toBe(1);
    expect(r.mailboxes).toEqual(["healthy@contoso.test"]);
    expect(r.skipped.map((s) => s.mailbox)).toEqual(["outdated@contoso.test", "revoked@contoso.test"]);
    expect(r.ignored).toBe(1);
    expect((await db.connection.findUniqueOrThrow({ where: { id: healthy } })).nextCheckAt).toEqual(now);
    expect((await db.connection.findUniqueOrThrow({ where: { id: otherOrg } })).nextCheckAt).not.toEqual(now);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: "connection.bulk_test_requested" } });
    expect(audit.data).toMatchObject({ queued: 1, mailboxes: ["healthy@contoso.test"] });
    expect(await db.auditEvent.count({ where: { orgId: b.org.id, action: "connection.bulk_test_requested" } })).toBe(0);
  });
});

describe("sendFreshConsentLinks", () => {
  it("mails a new single-use link to each selected mailbox that needs re-consent and to no other", async () => {
    const db = database.prisma;
    const sent: MailMessage[] = [];
    const mail: OutboundMail = { mode: "outbox", from: "Mailgrant <no-reply@portal.example>", send: async (m) => (sent.push(m), { messageId: null, code: 250, response: "250 OK" }) };
    const deps = { db, linkSecret: "s".repeat(32), publicUrl: "https://portal.example", mail };
    const r = await sendFreshConsentLinks(deps, a.org, a.owner, [healthy, failing, outdated, revoked, shared, otherOrg, failing], undefined);
    expect(r.sent).toEqual([
      { mailbox: "failing@contoso.test", to: "failing@contoso.test" },
      { mailbox: "outdated@contoso.test", to: "outdated@contoso.test" },
      { mailbox: "revoked@contoso.test", to: "revoked@contoso.test" },
      { mailbox: "shared@contoso.test", to: "delegate@contoso.test" },
    ]);
    expect(r.skipped).toEqual([{ mailbox: "healthy@contoso.test", why: "it does not need re-consent" }]);
    expect(sent.map((m) => m.to).sort()).toEqual(["delegate@contoso.test", "failing@contoso.test", "outdated@contoso.test", "revoked@contoso.test"]);
    for (const m of sent) expect(m.text).toMatch(/https:\/\/portal\.example\/consent\/[\w.-]+/);
    expect(await db.consentLink.count({ where: { orgId: a.org.id, status: "PENDING", emailedAt: { not: null } } })).toBe(4);
    expect(await db.consentLink.count({ where: { orgId: b.org.id } })).toBe(0);
    // A second round withdraws the first links: only the newest works.
    await sendFreshConsentLinks(deps, a.org, a.owner, [failing], undefined);
    expect(await db.consentLink.count({ where: { orgId: a.org.id, mailbox: "failing@contoso.test", status: "REVOKED" } })).toBe(1);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: "connection.bulk_consent_links_sent" }, orderBy: { createdAt: "asc" } });
    expect(audit.data).toMatchObject({ sent: ["failing@contoso.test", "outdated@contoso.test", "revoked@contoso.test", "shared@contoso.test"] });
  });

  it("says why when there is no outgoing mail", async () => {
    const r = await sendFreshConsentLinks({ db: database.prisma, linkSecret: "s".repeat(32), publicUrl: "https://portal.example", mail: null }, a.org, a.owner, [failing], undefined);
    expect(r.sent).toEqual([]);
    expect(r.skipped[0]!.why).toMatch(/outgoing mail is not configured/);
  });
});
