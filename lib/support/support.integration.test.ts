import { randomBytes, randomUUID } from "node:crypto";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import type { PrismaClient } from "@/generated/prisma/client";
import { parseKeyring } from "@/lib/crypto";
import { saveConnection } from "@/lib/connections/connections";
import { createConsentLink } from "@/lib/connections/links";
import { recordCheck } from "@/lib/checks/record";
import type { CheckStep } from "@/lib/checks/health";
import { record } from "@/lib/audit/record";
import { topFailingOrgs, topFailingTenants } from "./fleet";
import { healthBreakdown } from "@/lib/checks/history";
import { ORG_PAGE_SIZE, listOrgPage, parseOrgQuery } from "./org-inventory";
import { supportOrgSummary } from "./org-summary";
import { getSupportConnection, recordSupportConnectionView } from "./connection";
import { SupportConnectionView } from "@/components/support/connection-view";
import { connectionTimeline, parseTimelineQuery } from "@/lib/connections/timeline";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const LINK_SECRET = "test-link-secret-0123456789abcdef0123456789";
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

type Setup = Awaited<ReturnType<typeof orgWithIntegration>>;

async function connect(s: Setup, over: { mailbox?: string; tenantId?: string; refreshToken?: string; accessTokens?: { resource: "graph" | "outlook"; token: string; scopes: string[]; expiresAt: Date }[] } = {}) {
  const mailbox = over.mailbox ?? `m-${randomBytes(4).toString("hex")}@contoso.test`;
  const { id } = await saveConnection(s.db, keyring, {
    orgId: s.org.id, integrationId: s.integration.id, mailbox, mailboxKind: "USER", tenantId: over.tenantId ?? randomUUID(), objectId: randomUUID(), upn: mailbox, displayName: null,
    consentType: "USER", requestedScopes: ["offline_access", "https://outlook.office.com/IMAP.AccessAsUser.All"], grantedScopes: ["https://outlook.office.com/IMAP.AccessAsUser.All"], consentedConfigVersion: s.integration.configVersion,
    refreshToken: over.refreshToken ?? `1.A${randomBytes(30).toString("base64url")}`, accessTokens: over.accessTokens ?? [], connectedById: s.owner.id,
  }, s.owner);
  return id;
}

const setHealth = (db: PrismaClient, id: string, health: "FAILING" | "DEGRADED" | "HEALTHY" | "AT_RISK", healthClass: string | null = null, changedAt = new Date()) =>
  db.connection.update({ where: { id }, data: { health, healthClass, healthCode: health === "FAILING" ? "AADSTS50173" : null, healthChangedAt: changedAt } });

describe("fleet view", () => {
  // A database of its own: fleet counts span every org.
  let fleetDb: Database;
  beforeAll(async () => { fleetDb = await openTestDb(); });
  afterAll(async () => { await fleetDb.close(); });

  it("counts health and failing classes across orgs, and ranks tenants and orgs by failing connections", async () => {
    const a = await orgWithIntegration(fleetDb.prisma, keyring, "fleet-a");
    const b = await orgWithIntegration(fleetDb.prisma, keyring, "fleet-b");
    const tenantX = randomUUID();
    const tenantY = randomUUID();
    const ids = {
      a1: await connect(a, { tenantId: tenantX }), a2: await connect(a, { tenantId: tenantX }), a3: await connect(a, { tenantId: tenantY }), a4: await connect(a),
      b1: await connect(b, { tenantId: tenantX }), b2: await connect(b),
    };
    const db = fleetDb.prisma;
    await setHealth(db, ids.a1, "FAILING", "needs_reconsent");
    await setHealth(db, ids.a2, "FAILING", "blocked");
    await setHealth(db, ids.a3, "FAILING", "needs_reconsent");
    await setHealth(db, ids.a4, "HEALTHY");
    await setHealth(db, ids.b1, "FAILING", "misconfigured");
    await setHealth(db, ids.b2, "DEGRADED", "transient");

    const counts = await healthBreakdown(db);
    expect(counts.total).toBe(6);
    expect(counts.health).toEqual({ FAILING: 4, DEGRADED: 1, AT_RISK: 0, HEALTHY: 1, UNKNOWN: 0 });
    expect(counts.failingByClass).toEqual({ needs_reconsent: 2, misconfigured: 1, blocked: 1, transient: 0 });
    // One org's breakdown counts only its own connections.
    expect(await healthBreakdown(db, b.org.id)).toEqual({ total: 2, health: { FAILING: 1, DEGRADED: 1, AT_RISK: 0, HEALTHY: 0, UNKNOWN: 0 }, failingByClass: { needs_reconsent: 0, misconfigured: 1, blocked: 0, transient: 0 }, failingOther: 0 });

    expect(await topFailingTenants(db)).toEqual([{ tenantId: tenantX, failing: 3, orgs: 2 }, { tenantId: tenantY, failing: 1, orgs: 1 }]);
    expect(await topFailingTenants(db, 1)).toHaveLength(1);
    const orgs = await topFailingOrgs(db);
    expect(orgs).toEqual([
      { id: a.org.id, slug: "fleet-a", name: "Org fleet-a", failing: 3, total: 4 },
      { id: b.org.id, slug: "fleet-b", name: "Org fleet-b", failing: 1, total: 2 },
    ]);
  });
});

describe("org inventory", () => {
  it("searches by name, slug or whole tenant id and pages by name with a keyset, 50 at a time", async () => {
    const db = database.prisma;
    const tag = randomBytes(3).toString("hex");
    const tenant = randomUUID();
    await db.org.createMany({ data: Array.from({ length: ORG_PAGE_SIZE + 7 }, (_, i) => ({ slug: `inv-${tag}-${String(i).padStart(3, "0")}`, name: `Inventory ${tag} ${String(i).padStart(3, "0")}`, tenantId: i === 3 ? tenant : randomUUID() })) });
    const first = await listOrgPage(db, parseOrgQuery({ q: `inventory ${tag}` }));
    expect(first.total).toBe(ORG_PAGE_SIZE + 7);
    expect(first.rows).toHaveLength(ORG_PAGE_SIZE);
    expect(first.rows.map((o) => o.name)).toEqual([...first.rows.map((o) => o.name)].sort());
    expect(first).toMatchObject({ firstPage: true, start: 1, end: ORG_PAGE_SIZE });
    const second = await listOrgPage(db, parseOrgQuery({ q: `inventory ${tag}`, after: first.next! }));
    expect(second.rows.map((o) => o.slug)).toEqual(Array.from({ length: 7 }, (_, i) => `inv-${tag}-${String(ORG_PAGE_SIZE + i).padStart(3, "0")}`));
    expect(second).toMatchObject({ next: null, firstPage: false, start: ORG_PAGE_SIZE + 1, end: ORG_PAGE_SIZE + 7 });

    expect((await listOrgPage(db, parseOrgQuery({ q: `inv-${tag}-004` }))).rows.map((o) => o.slug)).toEqual([`inv-${tag}-004`]);
    expect((await listOrgPage(db, parseOrgQuery({ q: tenant.toUpperCase() }))).rows.map((o) => o.slug)).toEqual([`inv-${tag}-003`]);
    // "%" is a character, not a wildcard; a cursor that does not decode is the first page.
    expect((await listOrgPage(db, parseOrgQuery({ q: `inv-${tag}%` }))).total).toBe(0);
    expect((await listOrgPage(db, parseOrgQuery({ q: `inventory ${tag}`, after: "garbage" }))).firstPage).toBe(true);
  });

  it("counts health for the orgs on the page", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `inv-health-${randomBytes(2).toString("hex")}`);
    const failing = await connect(s);
    await connect(s);
    await setHealth(database.prisma, failing, "FAILING", "blocked");
    const page = await listOrgPage(database.prisma, parseOrgQuery({ q: s.org.slug }));
    expect(page.rows[0]).toMatchObject({ slug: s.org.slug, mailboxes: 2, health: { FAILING: 1, UNKNOWN: 1, HEALTHY: 0, DEGRADED: 0, AT_RISK: 0 }, counts: { memberships: 1, integrations: 1, invitations: 0 } });
  });
});

describe("support org page", () => {
  it("counts by health and integration, and lists the most recently failing mailboxes first, up to the limit", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `sum-${randomBytes(2).toString("hex")}`);
    const other = await orgWithIntegration(database.prisma, keyring, `sum-o-${randomBytes(2).toString("hex")}`);
    const db = database.prisma;
    const ids = [await connect(s), await connect(s), await connect(s), await connect(s)];
    await setHealth(db, ids[0]!, "FAILING", "blocked", new Date(Date.now() - 3 * 3_600_000));
    await setHealth(db, ids[1]!, "FAILING", "needs_reconsent", new Date(Date.now() - 1 * 3_600_000));
    await setHealth(db, ids[2]!, "FAILING", "misconfigured", new Date(Date.now() - 2 * 3_600_000));
    await setHealth(db, await connect(other), "FAILING", "blocked");
    const summary = await supportOrgSummary(db, s.org.id, 2);
    expect(summary.total).toBe(4);
    expect(summary.health).toMatchObject({ FAILING: 3, UNKNOWN: 1 });
    expect(summary.failing.map((c) => c.id)).toEqual([ids[1], ids[2]]);
    expect(summary.integrations).toEqual([expect.objectContaining({ id: s.integration.id, mailboxes: 4, health: { FAILING: 3, UNKNOWN: 1 } })]);
    expect(JSON.stringify(summary.integrations)).not.toContain("Encrypted");
  });
});

describe("support connection page", () => {
  const ok: CheckStep[] = [{ id: "refresh-outlook", status: "ok", durationMs: 80 }, { id: "imap", status: "ok", durationMs: 200 }];
  const imapOff: CheckStep[] = [{ id: "refresh-outlook", status: "ok", durationMs: 75 }, { id: "imap", status: "failed", code: "imap_auth_failed", class: "misconfigured", durationMs: 310 }];
  const run = (minutesAgo: number, steps: CheckStep[]) => {
    const startedAt = new Date(Date.now() - minutesAgo * 60_000);
    return { startedAt: startedAt.toISOString(), finishedAt: new Date(startedAt.getTime() + 600).toISOString(), steps };
  };

  it("shows checks with steps, diagnoses and the connection's own audit entries, and never a token, secret or consent link", async () => {
    const secret = `Hd7Q~Support.Page_Secret~${randomBytes(6).toString("hex")}`;
    const s = await orgWithIntegration(database.prisma, keyring, `sc-${randomBytes(2).toString("hex")}`, { secret });
    const db = database.prisma;
    const refreshToken = `1.AQ-refresh-${randomBytes(24).toString("base64url")}`;
    const accessToken = `eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.${randomBytes(24).toString("base64url")}.sig`;
    const mailbox = `megan-${randomBytes(3).toString("hex")}@contoso.test`;
    const id = await connect(s, { mailbox, refreshToken, accessTokens: [{ resource: "outlook", token: accessToken, scopes: ["IMAP.AccessAsUser.All"], expiresAt: new Date(Date.now() + 3_600_000) }] });
    const other = await connect(s);
    // Consent links for this mailbox: one used for the connection, a fresh one pending.
    const used = await createConsentLink(db, LINK_SECRET, s.org.id, s.owner, { integrationId: s.integration.id, mailbox });
    await db.consentLink.update({ where: { id: used.link.id }, data: { status: "CONNECTED", connectionId: id, connectedAt: new Date() } });
    const pending = await createConsentLink(db, LINK_SECRET, s.org.id, s.owner, { integrationId: s.integration.id, mailbox });
    await db.connection.update({ where: { id }, data: { lastFailure: { code: "AADSTS50173", classification: "needs_reconsent", traceId: "trace-123", at: new Date().toISOString() } } });
    await recordCheck(db, { orgId: s.org.id, connectionId: id, trigger: "SCHEDULED", run: run(30, ok) });
    await recordCheck(db, { orgId: s.org.id, connectionId: id, trigger: "MANUAL", run: run(5, imapOff) });
    await record(db, { action: "connection.tested", orgId: s.org.id, actor: s.owner, targetType: "connection", targetId: other, data: { mailbox: "someone-else" } });
    await record(db, { action: "connection.tested", orgId: null, actor: s.owner, targetType: "connection", targetId: id, data: { mailbox: "no-org-entry" } });

    const detail = await getSupportConnection(db, id);
    expect(detail).not.toBeNull();
    expect(detail!.connection).toMatchObject({ id, mailbox, org: { id: s.org.id, slug: s.org.slug }, integration: { id: s.integration.id } });
    expect(detail!.checks.map((k) => k.outcome)).toEqual(["FAILED", "PASSED"]);
    expect(detail!.checks[0]!.steps).toEqual([
      { id: "refresh-outlook", status: "ok", code: null, class: null, durationMs: 75 },
      { id: "imap", status: "failed", code: "imap_auth_failed", class: "misconfigured", durationMs: 310 },
    ]);
    expect(detail!.diagnoses.map((d) => d.code)).toEqual(expect.arrayContaining(["imap_auth_failed", "AADSTS50173"]));
    expect(detail!.audit.map((e) => e.action)).toEqual(["connection.created"]);

    const timeline = await connectionTimeline(db, s.org.id, id, parseTimelineQuery({}));
    expect(timeline.entries.length).toBeGreaterThan(0);
    const html = renderToStaticMarkup(createElement(SupportConnectionView, { detail: detail!, timeline, now: new Date() }));
    expect(html).toContain(mailbox);
    expect(html).toContain("imap_auth_failed");
    expect(html).toContain("trace-123");
    const stored = await db.connection.findUniqueOrThrow({ where: { id }, select: { refreshTokenEncrypted: true } });
    const storedAccess = await db.connectionAccessToken.findFirstOrThrow({ where: { connectionId: id }, select: { tokenEncrypted: true } });
    const storedSecret = await db.integration.findUniqueOrThrow({ where: { id: s.integration.id }, select: { secretEncrypted: true } });
    for (const forbidden of [refreshToken, accessToken, secret, used.token, pending.token, stored.refreshTokenEncrypted!, storedAccess.tokenEncrypted, storedSecret.secretEncrypted!]) {
      expect(html).not.toContain(forbidden);
    }
    expect(html).not.toMatch(/\/consent\//);
    expect(html).not.toMatch(/eyJ/);
    // Nothing secret is in the data handed to the page either, not only in what it renders.
    const data = JSON.stringify({ detail, timeline });
    for (const forbidden of [refreshToken, accessToken, secret, used.token, pending.token, stored.refreshTokenEncrypted!]) expect(data).not.toContain(forbidden);
  });

  it("records the support view in the org's audit, targeted at the connection", async () => {
    const s = await orgWithIntegration(database.prisma, keyring, `sv-${randomBytes(2).toString("hex")}`);
    const id = await connect(s);
    const viewer = { id: randomUUID(), email: "support@ops.test" };
    await recordSupportConnectionView(database.prisma, viewer, { id, orgId: s.org.id, mailbox: "x@contoso.test" });
    const detail = await getSupportConnection(database.prisma, id);
    expect(detail!.audit[0]).toMatchObject({ action: "support.viewed_connection", actorEmail: "support@ops.test" });
  });

  it("finds nothing for an unknown or malformed id", async () => {
    expect(await getSupportConnection(database.prisma, randomUUID())).toBeNull();
    expect(await getSupportConnection(database.prisma, "not-a-uuid")).toBeNull();
    expect(await getSupportConnection(database.prisma, "00000000-0000-0000-0000-000000000000' OR 1=1 --")).toBeNull();
  });
});
