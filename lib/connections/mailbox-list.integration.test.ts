import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { createIntegration } from "@/lib/integrations/integrations";
import { parseCredential, parseSettings } from "@/lib/integrations/input";
import { CONSENTS, HEALTHS, HEALTH_CLASSES, PAGE_SIZE, PROTOCOLS, RESULTS, SORTS, decodeCursor, encodeCursor, listMailboxes, parseMailboxQuery, type MailboxQuery } from "./mailbox-list";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;

type Row = { id: string; orgId: string; integrationId: string; mailbox: string; displayName: string | null; health: string; healthClass: string | null; consentType: string; lastCheckAt: Date | null; healthChangedAt: Date | null; graphResult: string | null; imapResult: string | null; popResult: string | null; smtpResult: string | null };
let orgA: { id: string };
let orgB: { id: string };
let integrations: string[];
let rowsA: Row[];
let idsB: Set<string>;

const base = Date.UTC(2026, 11, 1, 12);
const pad = (n: number) => String(n).padStart(3, "0");

async function secondIntegration(orgId: string, owner: { id: string; email: string }) {
  const settings = parseSettings({ name: "Sales", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: crypto.randomUUID(), purposes: ["graph-read", "imap", "smtp"] }, { allowCustomHosts: false });
  const credential = parseCredential({ credentialType: "SECRET", secret: "Hd7Q~Contoso.Sales_Secret~000000001x", secretExpiresAt: "" }, settings.clientId);
  return createIntegration(database.prisma, keyring, orgId, owner, settings, credential);
}

/** 130 mailboxes in org A (pairs share an address across two integrations: ties on mailbox) and 12 in org B that match every filter. */
beforeAll(async () => {
  database = await openTestDb();
  const a = await orgWithIntegration(database.prisma, keyring, "list-a", { purposes: ["graph-read", "imap", "smtp"] });
  const b = await orgWithIntegration(database.prisma, keyring, "list-b", { purposes: ["graph-read", "imap", "smtp"] });
  const sales = await secondIntegration(a.org.id, a.owner);
  orgA = a.org;
  orgB = b.org;
  integrations = [a.integration.id, sales.id];
  const seed = async (s: typeof a, integration: { id: string; configVersion: number }, i: number) => {
    const id = await savedConnection(database.prisma, keyring, { ...s, integration }, { mailbox: `box${pad(Math.floor(i / 2))}@contoso.test` });
    const health = HEALTHS[i % 5]!;
    await database.prisma.connection.update({
      where: { id },
      data: {
        health,
        healthClass: health === "FAILING" ? HEALTH_CLASSES[i % 4]! : health === "DEGRADED" ? "transient" : null,
        consentType: CONSENTS[i % 3]!,
        displayName: i % 10 === 0 ? `Front Desk ${i}` : null,
        // Ties: ten distinct check times, and never-checked rows (null) among them.
        lastCheckAt: i % 7 === 0 ? null : new Date(base - (i % 10) * 60_000),
        healthChangedAt: i % 6 === 0 ? null : new Date(base - (i % 4) * 3_600_000),
        graphResult: i % 7 === 0 ? null : "OK",
        imapResult: i % 7 === 0 ? null : i % 2 ? "OK" : "SKIPPED",
        smtpResult: i % 7 === 0 ? null : RESULTS[i % 3]!,
      },
    });
  };
  for (let i = 0; i < 130; i++) await seed(a, i % 2 ? a.integration : sales, i);
  for (let i = 0; i < 12; i++) await seed(b, b.integration, i * 10);
  const select = { id: true, orgId: true, integrationId: true, mailbox: true, displayName: true, health: true, healthClass: true, consentType: true, lastCheckAt: true, healthChangedAt: true, graphResult: true, imapResult: true, popResult: true, smtpResult: true } as const;
  rowsA = await database.prisma.connection.findMany({ where: { orgId: orgA.id }, select });
  idsB = new Set((await database.prisma.connection.findMany({ where: { orgId: orgB.id }, select: { id: true } })).map((r) => r.id));
}, 120_000);
afterAll(async () => { await database.close(); });

const query = (params: Record<string, string> = {}): MailboxQuery => parseMailboxQuery(params);

/** Every page of a view, following next; checks each page's size and that total stays the filtered count. */
async function walk(orgId: string, params: Record<string, string>) {
  const seen: Row[] = [];
  let after: string | undefined;
  let total = -1;
  for (let pages = 0; pages < 20; pages++) {
    const page = await listMailboxes(database.prisma, orgId, query({ ...params, ...(after ? { after } : {}) }));
    if (total >= 0) expect(page.total).toBe(total);
    total = page.total;
    expect(page.rows.length).toBeLessThanOrEqual(PAGE_SIZE);
    if (page.next) expect(page.rows).toHaveLength(PAGE_SIZE);
    seen.push(...(page.rows as unknown as Row[]));
    if (!page.next) return { rows: seen, total };
    after = page.next;
  }
  throw new Error("more than 20 pages");
}

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const sorted = (xs: string[]) => [...xs].sort();

const HEALTH_DB_ORDER = ["UNKNOWN", "HEALTHY", "DEGRADED", "AT_RISK", "FAILING"];
const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
/** The order the list promises, written out independently: keys, then id; nulls last both ways. */
function expectedOrder(rows: Row[], sort: string, dir: "asc" | "desc") {
  const keys: ((r: Row) => string | number | null)[] =
    sort === "mailbox" ? [(r) => r.mailbox]
      : sort === "health" ? [(r) => HEALTH_DB_ORDER.indexOf(r.health), (r) => r.mailbox]
        : sort === "lastCheck" ? [(r) => r.lastCheckAt?.getTime() ?? null]
          : [(r) => r.healthChangedAt?.getTime() ?? null];
  const sign = dir === "asc" ? 1 : -1;
  return ids([...rows].sort((x, y) => {
    for (const k of keys) {
      const a = k(x);
      const b = k(y);
      if (a === null && b === null) continue;
      if (a === null) return 1;
      if (b === null) return -1;
      const c = cmp(a, b);
      if (c) return sign * c;
    }
    return sign * cmp(x.id, y.id);
  }));
}

describe("parseMailboxQuery", () => {
  it("falls back to defaults for unknown or bad values instead of failing", () => {
    expect(parseMailboxQuery({ health: "ON_FIRE", class: "x", integration: "not-a-uuid", protocol: "fax", result: "MAYBE", consent: "ROOT", sort: "drop table", dir: "sideways", zzz: "1" })).toEqual({ sort: "mailbox", dir: "asc" });
    expect(parseMailboxQuery({ q: "  Front  ", health: ["FAILING", "HEALTHY"], sort: "health" })).toMatchObject({ q: "Front", health: "FAILING", sort: "health", dir: "desc" });
    expect(parseMailboxQuery({ q: "   " }).q).toBeUndefined();
    expect(parseMailboxQuery({ q: "a".repeat(500) }).q).toHaveLength(200);
  });
});

describe("listMailboxes", () => {
  it("pages through every row exactly once, in a total order with ties and nulls last, for each sort both ways", async () => {
    for (const sort of SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const { rows, total } = await walk(orgA.id, { sort, dir });
        expect(total, `${sort} ${dir}`).toBe(130);
        expect(ids(rows), `${sort} ${dir}`).toEqual(expectedOrder(rowsA, sort, dir));
      }
    }
  });

  it("filters by health, class, integration, consent, and protocol results", async () => {
    const cases: [Record<string, string>, (r: Row) => boolean][] = [
      ...HEALTHS.map((h) => [{ health: h }, (r: Row) => r.health === h] as [Record<string, string>, (r: Row) => boolean]),
      ...HEALTH_CLASSES.map((c) => [{ class: c }, (r: Row) => r.healthClass === c] as [Record<string, string>, (r: Row) => boolean]),
      ...integrations.map((i) => [{ integration: i }, (r: Row) => r.integrationId === i] as [Record<string, string>, (r: Row) => boolean]),
      ...CONSENTS.map((c) => [{ consent: c }, (r: Row) => r.consentType === c] as [Record<string, string>, (r: Row) => boolean]),
      ...PROTOCOLS.flatMap((p) => RESULTS.map((res) => [{ protocol: p, result: res }, (r: Row) => r[`${p}Result`] === res] as [Record<string, string>, (r: Row) => boolean])),
      [{ protocol: "smtp" }, (r) => r.smtpResult !== null],
      [{ result: "FAILED" }, (r) => PROTOCOLS.some((p) => r[`${p}Result`] === "FAILED")],
      [{ health: "FAILING", protocol: "smtp", result: "FAILED", consent: "ADMIN" }, (r) => r.health === "FAILING" && r.smtpResult === "FAILED" && r.consentType === "ADMIN"],
    ];
    for (const [params, keep] of cases) {
      const { rows, total } = await walk(orgA.id, params);
      const expected = rowsA.filter(keep);
      expect(sorted(ids(rows)), JSON.stringify(params)).toEqual(sorted(ids(expected)));
      expect(total, JSON.stringify(params)).toBe(expected.length);
    }
    // The sets are real: the seed gives every filter something, and pop (never used here) nothing.
    expect((await walk(orgA.id, { health: "FAILING" })).total).toBe(26);
    expect((await walk(orgA.id, { protocol: "pop", result: "FAILED" })).total).toBe(0);
  });

  it("searches mailbox and display name, case-insensitive and trimmed", async () => {
    const byName = await walk(orgA.id, { q: "  front DESK " });
    expect(sorted(ids(byName.rows))).toEqual(sorted(ids(rowsA.filter((r) => r.displayName?.startsWith("Front Desk")))));
    expect(byName.total).toBe(13);
    const byMailbox = await walk(orgA.id, { q: "BOX01" });
    expect(sorted(ids(byMailbox.rows))).toEqual(sorted(ids(rowsA.filter((r) => r.mailbox.includes("box01")))));
    expect(byMailbox.total).toBe(20);
    // LIKE wildcards are matched literally.
    expect((await walk(orgA.id, { q: "box%1" })).total).toBe(0);
    expect((await walk(orgA.id, { q: "box_01" })).total).toBe(0);
    expect((await walk(orgA.id, { q: "\\" })).total).toBe(0);
    expect((await walk(orgA.id, { q: "nobody-here" })).rows).toEqual([]);
  });

  it("starts over at the first page when the cursor is tampered with or belongs to another sort", async () => {
    const first = await listMailboxes(database.prisma, orgA.id, query());
    expect(first.next).not.toBeNull();
    const second = await listMailboxes(database.prisma, orgA.id, query({ after: first.next! }));
    expect(second.firstPage).toBe(false);
    expect([first.start, first.end, second.start, second.end, second.total]).toEqual([1, 50, 51, 100, 130]);
    expect(ids(second.rows)).not.toEqual(ids(first.rows));
    const decoded = decodeCursor(first.next!, "mailbox", "asc")!;
    const tampered = [
      "garbage", "", Buffer.from("{}").toString("base64url"), first.next!.slice(0, -3),
      encodeCursor({ ...decoded, id: "not-a-uuid" }),
      encodeCursor({ ...decoded, k: [null] }),
      encodeCursor({ ...decoded, k: ["a", "b"] }),
      Buffer.from(JSON.stringify({ ...decoded, extra: 1 })).toString("base64url"),
    ];
    for (const after of tampered) {
      const page = await listMailboxes(database.prisma, orgA.id, query({ after }));
      expect(ids(page.rows), after).toEqual(ids(first.rows));
      expect(page.firstPage).toBe(true);
    }
    // A mailbox-sort cursor on a lastCheck view, or a date that is not a date, is the first page too.
    const byCheck = await listMailboxes(database.prisma, orgA.id, query({ sort: "lastCheck" }));
    expect(ids((await listMailboxes(database.prisma, orgA.id, query({ sort: "lastCheck", after: first.next! }))).rows)).toEqual(ids(byCheck.rows));
    const badDate = encodeCursor({ s: "lastCheck", d: "desc", k: ["yesterday"], id: decoded.id, n: 50 });
    expect(ids((await listMailboxes(database.prisma, orgA.id, query({ sort: "lastCheck", after: badDate }))).rows)).toEqual(ids(byCheck.rows));
  });

  it("never shows another org's connections, in any query shape, even with its cursor", async () => {
    const shapes: Record<string, string>[] = [
      {}, { q: "front desk" }, { q: "box000" }, { health: "FAILING" }, { class: "misconfigured" }, { consent: "USER" }, { protocol: "smtp", result: "FAILED" }, { result: "OK" },
      { integration: integrations[0]! }, ...SORTS.flatMap((sort) => [{ sort, dir: "asc" }, { sort, dir: "desc" }]),
    ];
    for (const params of shapes) {
      const { rows, total } = await walk(orgA.id, params);
      expect(rows.filter((r) => idsB.has(r.id) || r.orgId !== orgA.id), JSON.stringify(params)).toEqual([]);
      expect(total).toBe(rows.length);
    }
    // Org B asking for org A's integration sees nothing; its own list is its own 12.
    expect((await walk(orgB.id, { integration: integrations[0]! })).rows).toEqual([]);
    const b = await walk(orgB.id, {});
    expect(b.total).toBe(12);
    expect(b.rows.every((r) => idsB.has(r.id))).toBe(true);
    // A cursor made on org A's list does not reach into org A from org B.
    const aFirst = await listMailboxes(database.prisma, orgA.id, query());
    const bWithA = await listMailboxes(database.prisma, orgB.id, query({ after: aFirst.next! }));
    expect(bWithA.rows.every((r) => idsB.has(r.id))).toBe(true);
  });
});
