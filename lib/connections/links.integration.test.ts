import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { CONSENT_LINK_DAYS, createConsentLink, linkState, openConsentLink, revokeConsentLink, signAdminConsentToken, verifyAdminConsentToken } from "./links";

const SECRET = "test-link-secret-0123456789abcdef0123456789";
const keyring = parseKeyring(`k1:${Buffer.alloc(32, 7).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

const setup = (slug: string) => orgWithIntegration(database.prisma, keyring, slug, { purposes: ["imap"] });

describe("consent links", () => {
  it("is tied to org, integration and mailbox; opening marks it opened", async () => {
    const { db, owner, org, integration } = await setup("link-open");
    const { link, token } = await createConsentLink(db, SECRET, org.id, owner, { integrationId: integration.id, mailbox: " Megan@Contoso.com " });
    expect(link).toMatchObject({ mailbox: "megan@contoso.com", mailboxKind: "USER", status: "PENDING" });
    expect(linkState(link)).toBe("pending");
    // Rendering the page for a GET (a mail scanner, a link preview) checks the link but does not open it.
    const previewed = await openConsentLink(db, SECRET, token, new Date(), { markOpened: false });
    expect(previewed.ok).toBe(true);
    expect(linkState(await db.consentLink.findUniqueOrThrow({ where: { id: link.id } }))).toBe("pending");
    const opened = await openConsentLink(db, SECRET, token);
    expect(opened.ok && opened.link.integration.id).toBe(integration.id);
    expect(linkState((await db.consentLink.findUniqueOrThrow({ where: { id: link.id } })))).toBe("opened");
  });

  it("refuses a tampered, foreign-secret or expired link", async () => {
    const { db, owner, org, integration } = await setup("link-bad");
    const { token } = await createConsentLink(db, SECRET, org.id, owner, { integrationId: integration.id, mailbox: "lee@contoso.com" });
    const [h, p, s] = token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, mbx: "attacker@evil.test" })).toString("base64url")}.${s}`;
    expect(await openConsentLink(db, SECRET, forged)).toMatchObject({ ok: false, problem: "invalid" });
    expect(await openConsentLink(db, "another-secret-entirely-0123456789abcdef", token)).toMatchObject({ ok: false, problem: "invalid" });
    const later = new Date(Date.now() + (CONSENT_LINK_DAYS + 1) * 86_400_000);
    expect(await openConsentLink(db, SECRET, token, later)).toMatchObject({ ok: false, problem: "expired" });
  });

  it("a newer link for the same mailbox withdraws the older; withdrawn and used links stop working", async () => {
    const { db, owner, org, integration } = await setup("link-newer");
    const first = await createConsentLink(db, SECRET, org.id, owner, { integrationId: integration.id, mailbox: "lee@contoso.com" });
    const second = await createConsentLink(db, SECRET, org.id, owner, { integrationId: integration.id, mailbox: "lee@contoso.com", mailboxKind: "SHARED" });
    expect(await openConsentLink(db, SECRET, first.token)).toMatchObject({ ok: false, problem: "revoked" });
    await db.consentLink.update({ where: { id: second.link.id }, data: { status: "CONNECTED" } });
    expect(await openConsentLink(db, SECRET, second.token)).toMatchObject({ ok: false, problem: "used" });
    await expect(revokeConsentLink(db, org.id, owner, second.link.id)).rejects.toThrow(/already used/);
  });

  it("names the field when the input is bad, and changes nothing", async () => {
    const { db, owner, org, integration } = await setup("link-input");
    await expect(createConsentLink(db, SECRET, org.id, owner, { integrationId: integration.id, mailbox: "not an address" })).rejects.toMatchObject({ issues: [expect.objectContaining({ path: ["mailbox"] })] });
    await expect(createConsentLink(db, SECRET, org.id, owner, { integrationId: crypto.randomUUID(), mailbox: "a@b.com" })).rejects.toMatchObject({ field: "integrationId" });
    expect(await db.consentLink.count({ where: { orgId: org.id } })).toBe(0);
  });

  it("another org's admin cannot withdraw the link", async () => {
    const a = await setup("link-iso-a");
    const b = await setup("link-iso-b");
    const { link } = await createConsentLink(a.db, SECRET, a.org.id, a.owner, { integrationId: a.integration.id, mailbox: "lee@contoso.com" });
    await expect(revokeConsentLink(b.db, b.org.id, b.owner, link.id)).rejects.toThrow(/does not exist/);
  });
});

describe("admin consent links", () => {
  it("round-trips and refuses other purposes' tokens", async () => {
    const ids = { orgId: crypto.randomUUID(), integrationId: crypto.randomUUID() };
    const token = await signAdminConsentToken(SECRET, ids);
    expect(await verifyAdminConsentToken(SECRET, token)).toEqual({ ok: true, ...ids });
    expect(await verifyAdminConsentToken(SECRET, token, new Date(Date.now() + 8 * 86_400_000))).toMatchObject({ ok: false, problem: "expired" });
    expect(await verifyAdminConsentToken(SECRET, token.slice(0, -2))).toMatchObject({ ok: false, problem: "invalid" });
  });
});
