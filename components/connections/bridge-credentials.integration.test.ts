import { randomBytes } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import { createBridgeCredential, listBridgeCredentials, revokeBridgeCredential } from "@/lib/bridge/credentials";
import { BridgeCredentialList, CreateBridgeCredentialForm } from "./bridge-credentials";
import { formatDate } from "./status";

// The mailbox page's list of bridge credentials as the page gives it: the domain's own rows.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

const noAction = async () => ({});

describe("BridgeCredentialList", () => {
  it("shows dates as the rest of the mailbox page does, and who revoked a credential and when", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `bridge-card-${randomBytes(2).toString("hex")}`, { purposes: ["smtp"] });
    const connectionId = await savedConnection(s.db, keyring, s, { mailbox: `printer-${randomBytes(2).toString("hex")}@contoso.test` });
    const made = (name: string) => createBridgeCredential(s.db, s.org.id, s.owner, { connectionId, name, username: "generated", protocols: ["smtp"], allowedIps: [] });
    const kept = await made("Office printer");
    const gone = await made("Old scanner");
    const revokedAt = new Date(Date.UTC(2026, 11, 2, 9, 30));
    await revokeBridgeCredential(s.db, s.org.id, { id: s.owner.id, email: "it-admin@contoso.test" }, gone.view.id, undefined, revokedAt);

    const credentials = await listBridgeCredentials(s.db, s.org.id, connectionId);
    const html = renderToStaticMarkup(createElement(BridgeCredentialList, { slug: "org", credentials, revokeAction: noAction }));
    const row = (name: string) => html.slice(html.indexOf(name), html.indexOf("</li>", html.indexOf(name)));

    expect(row("Old scanner")).toContain(`Revoked ${formatDate(revokedAt)} by it-admin@contoso.test`);
    expect(row("Old scanner")).not.toContain("Revoke Old scanner");
    expect(row("Office printer")).toContain(`Created ${formatDate(kept.view.createdAt)} by ${s.owner.email}`);
    expect(row("Office printer")).toContain("Never used");
    expect(row("Office printer")).not.toContain("Revoked");
    expect(html).not.toMatch(/\d{1,2} [A-Z][a-z]{2} \d{4}/); // no second date style ("2 Dec 2026")
  });

  it("offers the mailbox address as the username only while no credential (not even a revoked one) holds it", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `bridge-form-${randomBytes(2).toString("hex")}`, { purposes: ["smtp"] });
    const mailbox = `printer-${randomBytes(2).toString("hex")}@contoso.test`;
    const connectionId = await savedConnection(s.db, keyring, s, { mailbox });
    const form = async () => renderToStaticMarkup(createElement(CreateBridgeCredentialForm, { action: noAction, slug: "org", connectionId, mailbox, protocols: ["smtp"], settings: null, credentials: await listBridgeCredentials(s.db, s.org.id, connectionId) }));
    const radio = (html: string, value: string) => html.match(new RegExp(`<input[^>]*value="${value}"[^>]*>`))![0];

    const free = await form();
    expect(radio(free, "mailbox")).toContain("checked");
    expect(radio(free, "mailbox")).not.toContain("disabled");

    const made = await createBridgeCredential(s.db, s.org.id, s.owner, { connectionId, name: "Office printer", username: "mailbox", protocols: ["smtp"], allowedIps: [] });
    await revokeBridgeCredential(s.db, s.org.id, s.owner, made.view.id);
    const taken = await form();
    expect(radio(taken, "mailbox")).toContain("disabled");
    expect(radio(taken, "generated")).toContain("checked");
    expect(taken).toContain("already the username of “Office printer” (revoked)");
    // And creating with it is what the form keeps the admin from: refused, naming the way out.
    await expect(createBridgeCredential(s.db, s.org.id, s.owner, { connectionId, name: "New printer", username: "mailbox", protocols: ["smtp"], allowedIps: [] })).rejects.toMatchObject({ field: "username" });
  });
});
