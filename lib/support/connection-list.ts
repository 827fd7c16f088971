import { z } from "zod";
import type { Db } from "@/lib/db-client";
import { Prisma } from "@/generated/prisma/client";
import type { Health, ProtocolResult } from "@/generated/prisma/enums";
import { CLOUD_IDS } from "@/lib/microsoft/clouds";
import { HEALTHS, HEALTH_CLASSES, PROTOCOLS, RESULTS } from "@/lib/connections/mailbox-list";

// Support's connections table across every org: one search box (org, Microsoft tenant id, mailbox
// or error code), filters, four sorts, keyset pages of 50 forwards and backwards, and a capped
// count. SQL by hand, because keyset pages need row comparisons ("(a, id) < ($1, $2)") that give
// the index scan its starting point; Prisma's OR-of-branches form makes PostgreSQL scan from the
// top of the index and filter, which costs a scan per page as the pages go deeper.
//
// Support staff are read-only and never see a secret, a token or a consent link: the SELECT
// names each column the table shows and nothing else.
//
// URLs get edited by hand and shared, so a bad value falls back to its default, never an error.

export const SUPPORT_PAGE_SIZE = 50;
/** The count stops here: counting all 100,000 rows of an unfiltered view on every page load costs more than the number is worth. */
export const COUNT_CAP = 10_000;

export { HEALTHS, HEALTH_CLASSES, PROTOCOLS, RESULTS };
export const SEARCH_KINDS = ["any", "org", "tenant", "mailbox", "code"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];
export const SUPPORT_SORTS = ["healthChanged", "lastCheck", "mailbox", "org"] as const;
export type SupportSort = (typeof SUPPORT_SORTS)[number];
export type SortDir = "asc" | "desc";
export const SUPPORT_DEFAULT_DIR: Record<SupportSort, SortDir> = { healthChanged: "desc", lastCheck: "desc", mailbox: "asc", org: "asc" };

/** Any UUID PostgreSQL accepts (seeded and imported rows need not be version 4, which z.uuid() insists on). */
const uuidShape = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(one, z.enum(values).optional().catch(undefined));
const text = (max: number) => z.preprocess((v) => { const s = one(v); return typeof s === "string" ? s.trim().slice(0, max) || undefined : undefined; }, z.string().optional().catch(undefined));

const querySchema = z.object({
  q: text(200),
  in: z.preprocess(one, z.enum(SEARCH_KINDS).catch("any").default("any")),
  health: optionalEnum(HEALTHS),
  class: optionalEnum(HEALTH_CLASSES),
  org: z.preprocess(one, z.string().trim().toLowerCase().regex(/^[a-z0-9-]{1,64}$/).optional().catch(undefined)),
  integration: z.preprocess(one, uuidShape.optional().catch(undefined)),
  cloud: optionalEnum(CLOUD_IDS),
  protocol: optionalEnum(PROTOCOLS),
  result: optionalEnum(RESULTS),
  sort: z.preprocess(one, z.enum(SUPPORT_SORTS).catch("healthChanged").default("healthChanged")),
  dir: optionalEnum(["asc", "desc"] as const),
  after: text(1000),
  before: text(1000),
});

export type SupportQuery = Omit<z.infer<typeof querySchema>, "dir"> & { dir: SortDir };

/** The table's query from a page's searchParams; never throws. */
export function parseSupportQuery(searchParams: Record<string, string | string[] | undefined>): SupportQuery {
  const parsed = querySchema.parse(searchParams);
  return { ...parsed, dir: parsed.dir ?? SUPPORT_DEFAULT_DIR[parsed.sort] };
}

export const SUPPORT_FILTER_KEYS = ["q", "in", "health", "class", "org", "integration", "cloud", "protocol", "result"] as const;
type FilterKey = (typeof SUPPORT_FILTER_KEYS)[number];

export const hasSupportFilters = (q: SupportQuery) => SUPPORT_FILTER_KEYS.some((k) => k !== "in" && q[k]);

/** The URL search string of a view: filters, sort and dir when not the defaults, then a cursor. */
export function supportQueryString(query: Partial<SupportQuery>, over: Partial<Record<FilterKey | "sort" | "dir" | "after" | "before", string | undefined>> = {}): string {
  const merged: Record<string, string | undefined> = { ...query, ...over };
  const p = new URLSearchParams();
  for (const k of SUPPORT_FILTER_KEYS) if (merged[k] && !(k === "in" && (merged[k] === "any" || !merged.q))) p.set(k, merged[k]!);
  const sort = (merged.sort ?? "healthChanged") as SupportSort;
  if (sort !== "healthChanged") p.set("sort", sort);
  if (merged.dir && merged.dir !== SUPPORT_DEFAULT_DIR[sort]) p.set("dir", merged.dir);
  if (merged.after) p.set("after", merged.after);
  else if (merged.before) p.set("before", merged.before);
  const s = p.toString();
  return s ? `?${s}` : "";
}

// --- search ----------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AADSTS = /^aadsts\d{4,}$/i;
/** The portal's own codes are snake_case (smtp_auth_disabled, imap_login_failed); org slugs never hold "_". */
const SNAKE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$/i;

/** What "any" searches for a given text: a UUID is a tenant (or org or connection) id, a code-shaped word an error code, an address a mailbox, the rest an org or a mailbox. */
export function searchKindOf(q: string, kind: SearchKind): Exclude<SearchKind, "any"> | "org_or_mailbox" | "id" {
  if (kind !== "any") return kind;
  if (UUID.test(q)) return "id";
  if (AADSTS.test(q) || SNAKE.test(q)) return "code";
  if (q.includes("@")) return "mailbox";
  return "org_or_mailbox";
}

/** Codes are stored as Microsoft and the catalog spell them: AADSTS upper case, the portal's lower case. */
const normalCode = (q: string) => (AADSTS.test(q) ? q.toUpperCase() : q.toLowerCase());
const likeEscape = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
/** "contoso.com": a domain typed without its "@" (it may also be the start of an address, "anna.ito"). */
const DOMAIN = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/;

/** The first code point past every string that starts with a prefix, for an index range. */
const PAST = "\u{10FFFF}";

function mailboxMatch(q: string): Prisma.Sql {
  const m = q.toLowerCase();
  // A whole address (pasted from a ticket) is an equality the mailbox index answers; a domain
  // ("@contoso.com", or "contoso.com" without its "@") a suffix that only a scan finds; anything
  // else the start of an address, an index range (the LIKE keeps it exact whatever the collation).
  if (EMAIL.test(m)) return Prisma.sql`c."mailbox" = ${m}`;
  if (m.startsWith("@")) return Prisma.sql`c."mailbox" LIKE ${`%${likeEscape(m)}`}`;
  const prefix = Prisma.sql`(c."mailbox" >= ${m} AND c."mailbox" < ${m + PAST} AND c."mailbox" LIKE ${`${likeEscape(m)}%`})`;
  return DOMAIN.test(m) ? Prisma.sql`(${prefix} OR c."mailbox" LIKE ${`%@${likeEscape(m)}`})` : prefix;
}
// ANY(ARRAY(…)) runs the org lookup once and hands the ids to the index as one array, where an IN (subquery) would be a filter on every row.
const orgMatch = (q: string) => Prisma.sql`c."orgId" = ANY(ARRAY(SELECT o2."id" FROM "Org" o2 WHERE o2."name" ILIKE ${`%${likeEscape(q)}%`} OR o2."slug" LIKE ${`%${likeEscape(q.toLowerCase())}%`}))`;

function searchWhere(q: string, kind: SearchKind): Prisma.Sql {
  switch (searchKindOf(q, kind)) {
    case "id":
      return Prisma.sql`(c."tenantId" = ${q}::uuid OR c."orgId" = ${q}::uuid OR c."id" = ${q}::uuid)`;
    case "tenant":
      return UUID.test(q) ? Prisma.sql`c."tenantId" = ${q}::uuid` : Prisma.sql`FALSE`;
    case "code": {
      const code = normalCode(q);
      return Prisma.sql`(c."healthCode" = ${code} OR c."graphCode" = ${code} OR c."imapCode" = ${code} OR c."popCode" = ${code} OR c."smtpCode" = ${code})`;
    }
    case "mailbox":
      return mailboxMatch(q);
    case "org":
      return orgMatch(q);
    case "org_or_mailbox":
      return Prisma.sql`(${orgMatch(q)} OR ${mailboxMatch(q)})`;
  }
}

/** The filters as SQL conditions on "Connection" c (no joins: the count needs none). */
export function supportWhere(q: SupportQuery, orgId: string | null): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (q.q) and.push(searchWhere(q.q, q.in));
  if (q.health) and.push(Prisma.sql`c."health" = ${q.health}::"Health"`);
  if (q.class) and.push(Prisma.sql`c."healthClass" = ${q.class}`);
  // The org's id, looked up first (resolveOrg), so the planner sees the value and knows how big the org is.
  if (q.org) and.push(orgId ? Prisma.sql`c."orgId" = ${orgId}::uuid` : Prisma.sql`FALSE`);
  if (q.integration) and.push(Prisma.sql`c."integrationId" = ${q.integration}::uuid`);
  if (q.cloud) and.push(Prisma.sql`c."integrationId" = ANY(ARRAY(SELECT i2."id" FROM "Integration" i2 WHERE i2."cloud" = ${q.cloud}))`);
  const col = (p: (typeof PROTOCOLS)[number]) => Prisma.raw(`c."${p}Result"`);
  if (q.protocol) and.push(q.result ? Prisma.sql`${col(q.protocol)} = ${q.result}::"ProtocolResult"` : Prisma.sql`${col(q.protocol)} IS NOT NULL`);
  else if (q.result) and.push(Prisma.sql`(${Prisma.join(PROTOCOLS.map((p) => Prisma.sql`${col(p)} = ${q.result}::"ProtocolResult"`), " OR ")})`);
  return and.length ? Prisma.join(and, " AND ") : Prisma.sql`TRUE`;
}

// --- keyset ----------------------------------------------------------------------------------

type KeyDef = { sql: string; get: (r: SupportRow) => string | null; type: "text" | "timestamp" };
const KEYS: Record<SupportSort, { keys: KeyDef[]; nullable: boolean }> = {
  healthChanged: { keys: [{ sql: `c."healthChangedAt"`, get: (r) => r.healthChangedAt?.toISOString() ?? null, type: "timestamp" }], nullable: true },
  lastCheck: { keys: [{ sql: `c."lastCheckAt"`, get: (r) => r.lastCheckAt?.toISOString() ?? null, type: "timestamp" }], nullable: true },
  mailbox: { keys: [{ sql: `c."mailbox"`, get: (r) => r.mailbox, type: "text" }], nullable: false },
  org: { keys: [{ sql: `o."slug"`, get: (r) => r.orgSlug, type: "text" }, { sql: `c."mailbox"`, get: (r) => r.mailbox, type: "text" }], nullable: false },
};

/** s/d: the view it was made for; k: a row's sort keys; id: its id; n: rows before the page it starts (after) or the page that ends before it (before). */
const cursorSchema = z.object({ s: z.enum(SUPPORT_SORTS), d: z.enum(["asc", "desc"]), k: z.array(z.string().nullable()).max(2), id: uuidShape, n: z.number().int().min(0).max(10_000_000) }).strict();
type Cursor = z.infer<typeof cursorSchema>;

export const encodeSupportCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

/** The cursor if it decodes and fits this sort and direction with values of the right kind; otherwise null (the first page). */
export function decodeSupportCursor(raw: string | undefined, sort: SupportSort, dir: SortDir): Cursor | null {
  if (!raw) return null;
  try {
    const c = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    const { keys, nullable } = KEYS[sort];
    if (c.s !== sort || c.d !== dir || c.k.length !== keys.length) return null;
    for (const [i, key] of keys.entries()) {
      const v = c.k[i] ?? null;
      if (v === null) { if (!nullable) return null; continue; }
      if (key.type === "timestamp" && Number.isNaN(Date.parse(v))) return null;
      if (v.length > 400) return null;
    }
    return c;
  } catch {
    return null;
  }
}

// timestamp(3) columns hold UTC; casting the ISO string drops its "Z", as Prisma does when it writes them.
const keyValue = (key: KeyDef, v: string) => (key.type === "timestamp" ? Prisma.sql`${v}::timestamp(3)` : Prisma.sql`${v}`);

/**
 * The rows in view order as segments: for a nullable key, the rows that have it and then the rows
 * that do not (nulls last, in both directions), each an index range of its own. Reading backwards
 * visits the segments in reverse with every comparison flipped.
 */
function segments(sort: SupportSort, dir: SortDir, backward: boolean, cursor: Cursor | null) {
  const { keys, nullable } = KEYS[sort];
  const asc = (dir === "asc") !== backward;
  const op = Prisma.raw(asc ? ">" : "<");
  const ord = asc ? "ASC" : "DESC";
  const full = { where: nullable ? Prisma.sql`${Prisma.raw(keys[0]!.sql)} IS NOT NULL` : Prisma.sql`TRUE`, cols: [...keys.map((k) => k.sql), `c."id"`], keyed: true };
  const nulls = { where: Prisma.sql`${Prisma.raw(keys[0]!.sql)} IS NULL`, cols: [`c."id"`], keyed: false };
  const forward = nullable ? [full, nulls] : [full];
  const ordered = backward ? [...forward].reverse() : forward;
  // Start in the cursor's segment, strictly past it; later segments from their beginning.
  const inNulls = cursor !== null && nullable && cursor.k[0] === null;
  const startAt = cursor === null ? 0 : ordered.indexOf(inNulls ? nulls : full);
  return ordered.slice(startAt).map((seg, i) => {
    let where = seg.where;
    if (cursor && i === 0) {
      const values = seg.keyed ? [...keys.map((k, j) => keyValue(k, cursor.k[j]!)), Prisma.sql`${cursor.id}::uuid`] : [Prisma.sql`${cursor.id}::uuid`];
      where = Prisma.sql`${where} AND (${Prisma.raw(seg.cols.join(", "))}) ${op} (${Prisma.join(values, ", ")})`;
      // The same bound on the first key alone: redundant, but it lets the org sort start its walk of "Org" at the cursor's org.
      if (seg.keyed) where = Prisma.sql`${where} AND ${Prisma.raw(keys[0]!.sql)} ${Prisma.raw(asc ? ">=" : "<=")} ${values[0]!}`;
    }
    return { where, orderBy: Prisma.raw(seg.cols.map((c) => `${c} ${ord}`).join(", ")) };
  });
}

export type SupportRow = {
  id: string;
  mailbox: string;
  mailboxKind: "USER" | "SHARED";
  displayName: string | null;
  tenantId: string;
  status: "CONNECTED" | "NEEDS_RECONSENT" | "REVOKED";
  health: Health;
  healthClass: string | null;
  healthCode: string | null;
  healthReason: string | null;
  healthChangedAt: Date | null;
  lastCheckAt: Date | null;
  graphResult: ProtocolResult | null; graphCode: string | null; graphCheckedAt: Date | null;
  imapResult: ProtocolResult | null; imapCode: string | null; imapCheckedAt: Date | null;
  popResult: ProtocolResult | null; popCode: string | null; popCheckedAt: Date | null;
  smtpResult: ProtocolResult | null; smtpCode: string | null; smtpCheckedAt: Date | null;
  orgId: string;
  orgSlug: string;
  orgName: string;
  integrationId: string;
  integrationName: string;
  cloud: string;
  purposes: string[];
};

// Each column the table and the CSV show, by name: no token, secret, lease or consent-link column can come along.
const COLUMNS = Prisma.raw(`c."id", c."mailbox", c."mailboxKind", c."displayName", c."tenantId", c."status", c."health", c."healthClass", c."healthCode", c."healthReason", c."healthChangedAt", c."lastCheckAt",
  c."graphResult", c."graphCode", c."graphCheckedAt", c."imapResult", c."imapCode", c."imapCheckedAt", c."popResult", c."popCode", c."popCheckedAt", c."smtpResult", c."smtpCode", c."smtpCheckedAt",
  o."id" AS "orgId", o."slug" AS "orgSlug", o."name" AS "orgName", i."id" AS "integrationId", i."name" AS "integrationName", i."cloud", i."purposes"`);

/** The org filter's slug as an id (null: no such org, so nothing matches). */
async function resolveOrg(db: Db, query: SupportQuery): Promise<string | null> {
  if (!query.org) return null;
  const org = await db.org.findUnique({ where: { slug: query.org }, select: { id: true } });
  return org?.id ?? null;
}

async function read(db: Db, query: SupportQuery, orgId: string | null, cursor: Cursor | null, backward: boolean, limit: number): Promise<SupportRow[]> {
  const filters = supportWhere(query, orgId);
  const out: SupportRow[] = [];
  for (const seg of segments(query.sort, query.dir, backward, cursor)) {
    const rows = await db.$queryRaw<SupportRow[]>`
      SELECT ${COLUMNS} FROM "Connection" c JOIN "Org" o ON o."id" = c."orgId" JOIN "Integration" i ON i."id" = c."integrationId"
      WHERE ${filters} AND ${seg.where} ORDER BY ${seg.orderBy} LIMIT ${limit - out.length}`;
    out.push(...rows);
    if (out.length >= limit) break;
  }
  return out;
}

/** How many rows match, counted up to COUNT_CAP + 1 ("more than 10,000" past it). */
async function count(db: Db, query: SupportQuery, orgId: string | null): Promise<{ total: number; capped: boolean }> {
  const [row] = await db.$queryRaw<{ n: bigint | number }[]>`SELECT count(*) AS n FROM (SELECT 1 FROM "Connection" c WHERE ${supportWhere(query, orgId)} LIMIT ${COUNT_CAP + 1}) AS m`;
  const n = Number(row?.n ?? 0);
  return { total: Math.min(n, COUNT_CAP), capped: n > COUNT_CAP };
}

const cursorOf = (query: SupportQuery, r: SupportRow, n: number) => encodeSupportCursor({ s: query.sort, d: query.dir, k: KEYS[query.sort].keys.map((k) => k.get(r)), id: r.id, n });

/** One page: `after` reads forward from a row, `before` backward to it; a cursor that does not fit (tampered, another sort) is the first page. */
export async function listSupportConnections(db: Db, query: SupportQuery) {
  const after = decodeSupportCursor(query.after, query.sort, query.dir);
  const before = after ? null : decodeSupportCursor(query.before, query.sort, query.dir);
  const orgId = await resolveOrg(db, query);
  const countP = count(db, query, orgId);
  let rows: SupportRow[];
  let skipped: number;
  let hasPrevious: boolean;
  let hasNext: boolean;
  if (before) {
    const back = await read(db, query, orgId, before, true, SUPPORT_PAGE_SIZE + 1);
    if (back.length <= SUPPORT_PAGE_SIZE) {
      // Back at the start: show a full first page rather than the few rows before the cursor.
      rows = await read(db, query, orgId, null, false, SUPPORT_PAGE_SIZE + 1);
      skipped = 0;
      hasPrevious = false;
      hasNext = rows.length > SUPPORT_PAGE_SIZE;
      rows = rows.slice(0, SUPPORT_PAGE_SIZE);
    } else {
      rows = back.slice(0, SUPPORT_PAGE_SIZE).reverse();
      skipped = Math.max(1, before.n - SUPPORT_PAGE_SIZE);
      hasPrevious = true;
      hasNext = true;
    }
  } else {
    const fwd = await read(db, query, orgId, after, false, SUPPORT_PAGE_SIZE + 1);
    rows = fwd.slice(0, SUPPORT_PAGE_SIZE);
    skipped = after?.n ?? 0;
    hasPrevious = after !== null;
    hasNext = fwd.length > SUPPORT_PAGE_SIZE;
  }
  const { total, capped } = await countP;
  // Positions only label the page ("51–100 of 1,234"); a cursor that claims too much is clamped, never trusted for data.
  const start = rows.length ? (capped ? skipped : Math.min(skipped, Math.max(0, total - rows.length))) + 1 : 0;
  const first = rows[0];
  const last = rows.at(-1);
  return {
    rows,
    total,
    capped,
    start,
    end: rows.length ? start + rows.length - 1 : 0,
    firstPage: !hasPrevious,
    next: hasNext && last ? cursorOf(query, last, start - 1 + rows.length) : null,
    previous: hasPrevious && first ? cursorOf(query, first, start - 1) : null,
  };
}

export type SupportList = Awaited<ReturnType<typeof listSupportConnections>>;

/** Every matching row in view order, in keyset batches, for the CSV export (never the whole set in memory). */
export async function* supportConnectionBatches(db: Db, query: SupportQuery, batch = 500): AsyncGenerator<SupportRow[]> {
  const orgId = await resolveOrg(db, query);
  let cursor: Cursor | null = null;
  for (;;) {
    const rows = await read(db, query, orgId, cursor, false, batch);
    if (rows.length) yield rows;
    if (rows.length < batch) return;
    const last = rows.at(-1)!;
    cursor = { s: query.sort, d: query.dir, k: KEYS[query.sort].keys.map((k) => k.get(last)), id: last.id, n: 0 };
  }
}

/** The integrations of the org the view is filtered to, for the integration filter (none without an org filter). */
export async function integrationsOfOrgSlug(db: Db, slug: string | undefined): Promise<{ id: string; name: string }[]> {
  if (!slug) return [];
  return db.integration.findMany({ where: { org: { slug } }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}
