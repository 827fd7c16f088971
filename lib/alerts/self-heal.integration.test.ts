import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator, playMicrosoft } from "@/test-support/microsoft-browser";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { getAccessToken } from "@/lib/connections/tokens";
import { runConnectionTest } from "@/lib/connections/connection-test";
import { recordCheck } from "@/lib/checks/record";
import { startLinkConsent } from "@/lib/connections/start-from-link";
import { completeFlow } from "@/lib/connections/consent";
import { consumeAuthorizationRequest, newBrowserId } from "@/lib/connections/flow-state";
import type { MailMessage, OutboundMail } from "@/lib/mail/outbound";
import type { AlertDeps } from "./deps";
import { evaluateAlerts } from "./evaluate";
import { sendHealLinks } from "./self-heal";

// The self-healing path end to end against the emulator: a grant Microsoft revoked, an org that
// mails owners a fresh consent link, the owner signing in through it, and the recovery told.

const emu = setupTestEmulator();
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const LINK_SECRET = "self-heal-test-link-secret-0123456789abcdef";
const PUBLIC = "https://portal.example";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });
beforeEach(async () => {
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
});

describe("self-healing consent links", () => {
  it("mails the owner of a mailbox that needs consent a fresh link; signing in through it heals the connection and connection.recovered goes out", async () => {
    const db = database.prisma;
    const s = await orgWithIntegration(db, keyring, `heal-${randomBytes(3).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["graph-read"] });
    await db.org.update({ where: { id: s.org.id }, data: { reconsentPolicy: "EMAIL_OWNER" } });
    const id = await connectThroughEmulator({ db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
    const hostMap = hostMapFromBase(emu.http);
    const check = async () => {
      // Graph is reached on the emulator's TLS listener, as the connection tests do.
      const run = await runConnectionTest({ db, keyring, hostMap: hostMapFromBase(emu.httpsUrl), stepTimeoutMs: 5000 }, s.org.id, id);
      await recordCheck(db, { orgId: s.org.id, connectionId: id, trigger: "SCHEDULED", run });
    };
    await check();
    expect((await db.connection.findUniqueOrThrow({ where: { id } })).health).toBe("HEALTHY");
    await evaluateAlerts(db, { groupMs: 0, publicUrl: PUBLIC });

    // The owner's grant is revoked at Microsoft; the next refresh finds out.
    expect((await admin(emu.http, "POST", "/refresh-tokens/revoke", { upn: "adele@contoso.onmicrosoft.com" })).status).toBe(200);
    const refused = await getAccessToken({ db, keyring, hostMap, sleep: async () => {} }, s.org.id, id, "graph", { force: true });
    expect(refused.ok).toBe(false);
    const broken = await db.connection.findUniqueOrThrow({ where: { id } });
    expect(broken).toMatchObject({ status: "NEEDS_RECONSENT", health: "FAILING", healthClass: "needs_reconsent" });

    const sentMail: MailMessage[] = [];
    const mail: OutboundMail = { mode: "smtp", from: "Mailgrant <alerts@portal.example>", send: async (m) => (sentMail.push(m), { messageId: null, code: 250, response: "250 OK" }) };
    const deps: AlertDeps = { db, keyring, mail, publicUrl: PUBLIC, allowLocalWebhooks: true, linkSecret: LINK_SECRET };

    const first = await evaluateAlerts(db, { groupMs: 0, publicUrl: PUBLIC });
    expect(first?.heal).toEqual([{ orgId: s.org.id, connectionId: id }]);
    expect(await sendHealLinks(deps, first!.heal)).toEqual([{ connectionId: id, sent: true, to: broken.mailbox }]);
    // Once per failing spell: the next evaluation does not mail again.
    expect((await evaluateAlerts(db, { groupMs: 0, publicUrl: PUBLIC }))?.heal).toEqual([]);

    expect(sentMail).toHaveLength(1);
    expect(sentMail[0]).toMatchObject({ to: broken.mailbox, subject: expect.stringContaining("reconnect") });
    const link = sentMail[0]!.text.match(new RegExp(`${PUBLIC}/consent/(\\S+)`));
    expect(link).not.toBeNull();
    expect(await db.auditEvent.count({ where: { orgId: s.org.id, action: "connection.heal_link_sent", targetId: id } })).toBe(1);

    // The owner opens the link and signs in with Microsoft.
    const flowDeps = { db, keyring, hostMap, redirectUri: REDIRECT };
    const browserId = newBrowserId();
    const { url } = await startLinkConsent(flowDeps, LINK_SECRET, link![1]!, browserId);
    const params = await playMicrosoft(emu.http, REDIRECT, url, SEED.adeleId);
    const consumed = await consumeAuthorizationRequest(db, keyring, params.get("state"), browserId);
    if (!consumed.ok) throw new Error(consumed.problem);
    expect(await completeFlow(flowDeps, consumed.flow, params)).toMatchObject({ ok: true, kind: "connected", connectionId: id });

    await check();
    expect((await db.connection.findUniqueOrThrow({ where: { id } })).health).toBe("HEALTHY");
    await evaluateAlerts(db, { groupMs: 0, publicUrl: PUBLIC });
    const told = await db.alertEvent.findMany({ where: { orgId: s.org.id, digestId: null }, orderBy: { createdAt: "asc" } });
    expect(told.map((e) => e.type)).toEqual(["connection.failing", "connection.recovered"]);
    expect(told[0]!.payload).toMatchObject({ failure: { class: "needs_reconsent" } });
    expect(await db.consentLink.count({ where: { orgId: s.org.id, status: "CONNECTED" } })).toBe(1);
  });

  it("with the default policy nobody but the admins hears of it", async () => {
    const db = database.prisma;
    const s = await orgWithIntegration(db, keyring, `noheal-${randomBytes(3).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["graph-read"] });
    const id = await connectThroughEmulator({ db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
    await db.connection.update({ where: { id }, data: { status: "NEEDS_RECONSENT", health: "FAILING", healthClass: "needs_reconsent", healthCode: "AADSTS50173", alertPending: true, healthChangedAt: new Date() } });
    const r = await evaluateAlerts(db, { groupMs: 0, publicUrl: PUBLIC });
    expect(r?.heal.filter((h) => h.orgId === s.org.id)).toEqual([]);
    expect(await db.alertEvent.count({ where: { orgId: s.org.id, type: "connection.failing" } })).toBe(1);
  });
});
