import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { HEALTHS, HEALTH_CLASSES, PROTOCOLS, RESULTS, SUPPORT_PAGE_SIZE, SUPPORT_SORTS, decodeSupportCursor, encodeSupportCursor, listSupportConnections, parseSupportQuery, searchKindOf, supportConnectionBatches, type SupportRow } from "./connection-list";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;

type Row = { id: string; orgId: string; integrationId: string; mailbox: string; tenantId: string; health: string; healthClass: string | null; healthCode: string | null; lastCheckAt: Date | null; healthChangedAt: Date | null; graphResult: string | null; imapResult: string | null; popResult: string | null; smtpResult: string | null; smtpCode: string | null; imapCode: string | null; org: { slug: string }; integration: { cloud: string } };
let all: Row[];
let orgs: { id: string; slug: string }[];
let integrationIds: string[];
const tenants = [randomUUID(), randomUUID(), randomUUID()];
const base = Date.UTC(2026, 11, 1, 12);
const pad = (n: number) => String(n).padStart(3, "0");

/** 70 + 56 connections in two orgs (the second's integration in gcc-high), with ties and nulls on every sort key. */
beforeAll(async () => {
  database = await openTestDb();
  const db = database.prisma;
  const a = await orgWithIntegration(db, keyring, "sup-alpha", { purposes: ["graph-read", "imap", "smtp"] });
  const b = await orgWithIntegration(db, keyring, "sup-beta", { purposes: ["graph-read", "imap", "smtp"] });
  await db.integration.update({ where: { id: b.integration.id }, data: { cloud: "gcc-high" } });
  orgs = [a.org, b.org];
  integrationIds = [a.integration.id, b.integration.id];
  const seed = async (s: typeof a, i: number) => {
    // The orgs share mailbox addresses (box001, box004, …): ties on mailbox, broken by org or id.
    const id = await savedConnection(db, keyring, s, { mailbox: `box${pad(i)}@contoso.test`, tenantId: tenants[i % 3]! });
    const health = HEALTHS[i % 5]!;
    await db.connection.update({
      where: { id },
      data: {
        health,
        healthClass: health === "FAILING" ? HEALTH_CLASSES[i % 4]! : health === "DEGRADED" ? "transient" : null,
        healthCode: health === "FAILING" ? (i % 2 ? "AADSTS50173" : "AADSTS700082") : null,
        lastCheckAt: i % 7 === 0 ? null : new Date(base - (i % 10) * 60_000),
        healthChangedAt: i % 6 === 0 ? null : new Date(base - (i % 4) * 3_600_000),
        graphResult: i % 7 === 0 ? null : "OK",
        imapResult: i % 7 === 0 ? null : i % 2 ? "OK" : "SKIPPED",
        smtpResult: i % 7 === 0 ? null : RESULTS[i % 3]!,
        smtpCode: i % 7 !== 0 && RESULTS[i % 3] === "FAILED" ? "smtp_auth_disabled" : null,
        imapCode: i % 9 === 0 ? "imap_login_failed" : null,
      },
    });
  };
  for (let i = 0; i < 70; i++) await seed(a, i);
  for (let i = 0; i < 56; i++) await seed(b, i * 3 + 1);
  all = await db.connection.findMany({
    select: { id: true, orgId: true, integrationId: true, mailbox: true, tenantId: true, health: true, healthClass: true, healthCode: true, lastCheckAt: true, healthChangedAt: true, graphResult: true, imapResult: true, popResult: true, smtpResult: true, smtpCode: true, imapCode: true, org: { select: { slug: true } }, integration: { select: { cloud: true } } },
  });
}, 180_000);
afterAll(async () => { await database?.close(); });

const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const sorted = (xs: string[]) => [...xs].sort();
const list = (params: Record<string, string>) => listSupportConnections(database.prisma, parseSupportQuery(params));

/** Every page forward; checks page sizes, labels and that the total stays the filtered count. */
async function walk(params: Record<string, string>) {
  const seen: SupportRow[] = [];
  const pages: { rows: SupportRow[]; previous: string | null; start: number }[] = [];
  let after: string | undefined;
  for (let n = 0; n < 20; n++) {
    const page = await list({ ...params, ...(after ? { after } : {}) });
    expect(page.rows.length).toBeLessThanOrEqual(SUPPORT_PAGE_SIZE);
    if (page.next) expect(page.rows).toHaveLength(SUPPORT_PAGE_SIZE);
    if (page.rows.length) expect(page.start).toBe(seen.length + 1);
    expect(page.firstPage).toBe(n === 0);
    seen.push(...page.rows);
    pages.push({ rows: page.rows, previous: page.previous, start: page.start });
    if (!page.next) return { rows: seen, total: page.total, pages };
    after = page.next;
  }
  throw new Error("more than 20 pages");
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
/** The promised order, written out independently: keys, then id; nulls last in both directions. */
function expectedOrder(rows: Row[], sort: string, dir: "asc" | "desc") {
  const keys: ((r: Row) => string | number | null)[] =
    sort === "mailbox" ? [(r) => r.mailbox]
      : sort === "org" ? [(r) => r.org.slug, (r) => r.mailbox]
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

describe("parseSupportQuery", () => {
  it("falls back to defaults for bad values instead of failing", () => {
    expect(parseSupportQuery({ health: "ON_FIRE", class: "x", org: "Not A Slug!", integration: "nope", cloud: "mars", protocol: "fax", result: "MAYBE", in: "everything", sort: "drop table", dir: "up", zzz: "1" })).toEqual({ in: "any", sort: "healthChanged", dir: "desc" });
    expect(parseSupportQuery({ q: "  AADSTS50173 ", org: "Sup-Alpha", sort: ["mailbox", "org"] })).toMatchObject({ q: "AADSTS50173", org: "sup-alpha", sort: "mailbox", dir: "asc" });
    expect(parseSupportQuery({ q: "x".repeat(500) }).q).toHaveLength(200);
  });

  it("tells search kinds apart", () => {
    expect(searchKindOf(randomUUID(), "any")).toBe("id");
    expect(searchKindOf("AADSTS50173", "any")).toBe("code");
    expect(searchKindOf("smtp_auth_disabled", "any")).toBe("code");
    expect(searchKindOf("box001@contoso.test", "any")).toBe("mailbox");
    expect(searchKindOf("contoso", "any")).toBe("org_or_mailbox");
    expect(searchKindOf("contoso", "org")).toBe("org");
  });
});

describe("listSupportConnections", () => {
  it("pages through every row of every org exactly once, in a total order, for each sort both ways", async () => {
    for (const sort of SUPPORT_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const { rows, total } = await walk({ sort, dir });
        expect(total, `${sort} ${dir}`).toBe(126);
        expect(ids(rows), `${sort} ${dir}`).toEqual(expectedOrder(all, sort, dir));
      }
    }
  });

  it("goes back a page with Previous, to the same rows and labels as going forward", async () => {
    for (const sort of SUPPORT_SORTS) {
      for (const dir of ["asc", "desc"] as const) {
        const { pages } = await walk({ sort, dir });
        expect(pages.length).toBe(3);
        for (let p = 1; p < pages.length; p++) {
          const back = await list({ sort, dir, before: pages[p]!.previous! });
          expect(ids(back.rows), `${sort} ${dir} page ${p}`).toEqual(ids(pages[p - 1]!.rows));
          expect(back.start).toBe(pages[p - 1]!.start);
          expect(back.firstPage).toBe(p === 1);
        }
      }
    }
  });

  it("filters by health, class, org, integration, cloud and protocol result", async () => {
    const cases: [Record<string, string>, (r: Row) => boolean][] = [
      ...HEALTHS.map((h) => [{ health: h }, (r: Row) => r.health === h] as [Record<string, string>, (r: Row) => boolean]),
      ...HEALTH_CLASSES.map((c) => [{ class: c }, (r: Row) => r.healthClass === c] as [Record<string, string>, (r: Row) => boolean]),
      ...orgs.map((o) => [{ org: o.slug }, (r: Row) => r.orgId === o.id] as [Record<string, string>, (r: Row) => boolean]),
      ...integrationIds.map((i) => [{ integration: i }, (r: Row) => r.integrationId === i] as [Record<string, string>, (r: Row) => boolean]),
      [{ cloud: "gcc-high" }, (r) => r.integration.cloud === "gcc-high"],
      [{ cloud: "global" }, (r) => r.integration.cloud === "global"],
      [{ cloud: "china" }, () => false],
      [{ org: "no-such-org" }, () => false],
      ...PROTOCOLS.flatMap((p) => RESULTS.map((res) => [{ protocol: p, result: res }, (r: Row) => r[`${p}Result`] === res] as [Record<string, string>, (r: Row) => boolean])),
      [{ protocol: "smtp" }, (r) => r.smtpResult !== null],
      [{ result: "FAILED" }, (r) => PROTOCOLS.some((p) => r[`${p}Result`] === "FAILED")],
      [{ health: "FAILING", cloud: "gcc-high", sort: "org" }, (r) => r.health === "FAILING" && r.integration.cloud === "gcc-high"],
    ];
    for (const [params, keep] of cases) {
      const { rows, total } = await walk(params);
      const expected = all.filter(keep);
      expect(sorted(ids(rows)), JSON.stringify(params)).toEqual(sorted(ids(expected)));
      expect(total, JSON.stringify(params)).toBe(expected.length);
    }
    expect(all.filter((r) => r.integration.cloud === "gcc-high")).toHaveLength(56);
  });

  it("searches by org name or slug, tenant id, mailbox and error code", async () => {
    const cases: [Record<string, string>, (r: Row) => boolean][] = [
      [{ q: "sup-beta", in: "org" }, (r) => r.orgId === orgs[1]!.id],
      [{ q: "Org SUP-ALPHA" }, (r) => r.orgId === orgs[0]!.id],
      [{ q: tenants[1]! }, (r) => r.tenantId === tenants[1]],
      [{ q: tenants[2]!, in: "tenant" }, (r) => r.tenantId === tenants[2]],
      [{ q: orgs[0]!.id }, (r) => r.orgId === orgs[0]!.id],
      [{ q: "not-a-uuid", in: "tenant" }, () => false],
      [{ q: "BOX003@contoso.test" }, (r) => r.mailbox === "box003@contoso.test"],
      [{ q: "box01", in: "mailbox" }, (r) => r.mailbox.startsWith("box01")],
      [{ q: "box01" }, (r) => r.mailbox.startsWith("box01")],
      [{ q: "@contoso.test" }, () => true],
      // A domain typed without its "@" finds the domain's mailboxes too.
      [{ q: "contoso.test", in: "mailbox" }, () => true],
      [{ q: "CONTOSO.test" }, () => true],
      [{ q: "box001@contoso", in: "mailbox" }, (r) => r.mailbox.startsWith("box001@contoso")],
      [{ q: "box_1", in: "mailbox" }, () => false],
      [{ q: "aadsts50173" }, (r) => r.healthCode === "AADSTS50173"],
      [{ q: "smtp_auth_disabled" }, (r) => r.smtpCode === "smtp_auth_disabled"],
      [{ q: "imap_login_failed", in: "code" }, (r) => r.imapCode === "imap_login_failed"],
      [{ q: "AADSTS50173", health: "FAILING", org: "sup-alpha" }, (r) => r.healthCode === "AADSTS50173" && r.orgId === orgs[0]!.id],
    ];
    for (const [params, keep] of cases) {
      const { rows, total } = await walk(params);
      const expected = all.filter(keep);
      expect(sorted(ids(rows)), JSON.stringify(params)).toEqual(sorted(ids(expected)));
      expect(total, JSON.stringify(params)).toBe(expected.length);
    }
    expect(all.filter((r) => r.smtpCode === "smtp_auth_disabled").length).toBeGreaterThan(5);
    expect(all.filter((r) => r.healthCode === "AADSTS50173").length).toBeGreaterThan(5);
  });

  it("starts over at the first page when a cursor is tampered with or made for another view", async () => {
    const first = await list({});
    const second = await list({ after: first.next! });
    expect([second.start, second.end, second.firstPage]).toEqual([51, 100, false]);
    const decoded = decodeSupportCursor(first.next!, "healthChanged", "desc")!;
    const tampered = [
      "garbage", Buffer.from("{}").toString("base64url"), first.next!.slice(0, -4),
      encodeSupportCursor({ ...decoded, id: "not-a-uuid" }),
      encodeSupportCursor({ ...decoded, k: ["not a date"] }),
      encodeSupportCursor({ ...decoded, k: ["a", "b"] }),
      encodeSupportCursor({ ...decoded, s: "mailbox" }),
      encodeSupportCursor({ ...decoded, d: "asc" }),
      Buffer.from(JSON.stringify({ ...decoded, extra: 1 })).toString("base64url"),
      Buffer.from(JSON.stringify({ ...decoded, k: ["2026-12-01T12:00:00.000Z'; DROP TABLE \"Connection\"; --"] })).toString("base64url"),
    ];
    for (const c of tampered) {
      for (const key of ["after", "before"]) {
        const page = await list({ [key]: c });
        expect(ids(page.rows), `${key} ${c}`).toEqual(ids(first.rows));
        expect(page.firstPage).toBe(true);
      }
    }
    // A cursor that claims to be far along only mislabels the page, clamped to the total.
    const far = await list({ after: encodeSupportCursor({ ...decoded, n: 9_000_000 }) });
    expect(ids(far.rows)).toEqual(ids(second.rows));
    expect(far.end).toBe(126);
    expect(await database.prisma.connection.count()).toBe(126);
  });

  it("selects no secret, token or consent-link column", async () => {
    const page = await list({});
    const columns = Object.keys(page.rows[0]!);
    for (const c of columns) expect(c).not.toMatch(/token|secret|encrypted|lease|link|lastFailure|lastTest/i);
  });

  it("yields the filtered set in view order in batches, for the export", async () => {
    const q = parseSupportQuery({ sort: "lastCheck", health: "HEALTHY" });
    const batches: SupportRow[][] = [];
    for await (const b of supportConnectionBatches(database.prisma, q, 7)) batches.push(b);
    expect(batches.every((b) => b.length <= 7)).toBe(true);
    expect(ids(batches.flat())).toEqual(expectedOrder(all.filter((r) => r.health === "HEALTHY"), "lastCheck", "desc"));
  });
});
