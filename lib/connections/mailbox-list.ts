import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { safeConnectionSelect } from "./connections";

// The org's Mailboxes list: filters and sort from the URL, keyset pages of 50 and a count of the
// filtered set. URLs get edited by hand and shared, so a bad value falls back to its default
// instead of failing the page.

export const PAGE_SIZE = 50;

export const HEALTHS = ["FAILING", "DEGRADED", "AT_RISK", "HEALTHY", "UNKNOWN"] as const;
export const HEALTH_CLASSES = ["needs_reconsent", "misconfigured", "blocked", "transient"] as const;
export const PROTOCOLS = ["graph", "imap", "pop", "smtp"] as const;
export const RESULTS = ["OK", "FAILED", "SKIPPED"] as const;
export const CONSENTS = ["USER", "ADMIN", "DELEGATE"] as const;
export const SORTS = ["mailbox", "health", "lastCheck", "healthChanged"] as const;
export type MailboxSort = (typeof SORTS)[number];
export type SortDir = "asc" | "desc";

/** The direction a column sorts in when its header is first clicked: worst and newest first. */
export const DEFAULT_DIR: Record<MailboxSort, SortDir> = { mailbox: "asc", health: "desc", lastCheck: "desc", healthChanged: "desc" };

/** One value of a search param: the first when repeated, undefined when absent or not a string. */
const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
/** An optional enum that falls back to undefined (no filter) when the value is not one of its options. */
const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) => z.preprocess(one, z.enum(values).optional().catch(undefined));

const querySchema = z.object({
  q: z.preprocess(one, z.string().trim().max(200).optional().catch(undefined)).transform((v) => (v ? v : undefined)),
  health: optionalEnum(HEALTHS),
  class: optionalEnum(HEALTH_CLASSES),
  integration: z.preprocess(one, z.uuid().optional().catch(undefined)),
  protocol: optionalEnum(PROTOCOLS),
  result: optionalEnum(RESULTS),
  consent: optionalEnum(CONSENTS),
  sort: z.preprocess(one, z.enum(SORTS).catch("mailbox").default("mailbox")),
  dir: optionalEnum(["asc", "desc"] as const),
  after: z.preprocess(one, z.string().max(1000).optional().catch(undefined)),
});

export type MailboxQuery = Omit<z.infer<typeof querySchema>, "dir"> & { dir: SortDir };

/** The list's query from a page's searchParams; never throws. A search longer than 200 characters is cut, not dropped. */
export function parseMailboxQuery(searchParams: Record<string, string | string[] | undefined>): MailboxQuery {
  const raw = { ...searchParams };
  const q = one(raw.q);
  if (typeof q === "string") raw.q = q.trim().slice(0, 200);
  const parsed = querySchema.parse(raw);
  return { ...parsed, dir: parsed.dir ?? DEFAULT_DIR[parsed.sort] };
}

/** The filter params that are set, in URL order (for links that keep the view and for "what gave nothing"). */
export const FILTER_KEYS = ["q", "health", "class", "integration", "protocol", "result", "consent"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** The URL search string of a view: filters, then sort and dir when not the defaults, then the cursor. */
export function mailboxQueryString(query: Partial<MailboxQuery>, over: Partial<Record<FilterKey | "sort" | "dir" | "after", string | undefined>> = {}): string {
  const merged: Record<string, string | undefined> = { ...query, ...over };
  const p = new URLSearchParams();
  for (const k of FILTER_KEYS) if (merged[k]) p.set(k, merged[k]!);
  const sort = (merged.sort ?? "mailbox") as MailboxSort;
  if (sort !== "mailbox") p.set("sort", sort);
  if (merged.dir && merged.dir !== DEFAULT_DIR[sort]) p.set("dir", merged.dir);
  if (merged.after) p.set("after", merged.after);
  const s = p.toString();
  return s ? `?${s}` : "";
}

// --- keyset --------------------------------------------------------------------------------

type Field = "mailbox" | "health" | "lastCheckAt" | "healthChangedAt";
type KeyValue = string | null;
/** Health compares in its enum's declaration order (what ORDER BY uses): UNKNOWN < HEALTHY < DEGRADED < AT_RISK < FAILING. */
const HEALTH_DB_ORDER = ["UNKNOWN", "HEALTHY", "DEGRADED", "AT_RISK", "FAILING"] as const;

/** Each sort's keys before the id tie-break. Health sorts by mailbox within a health, so a group reads alphabetically. */
const SORT_KEYS: Record<MailboxSort, Field[]> = {
  mailbox: ["mailbox"],
  health: ["health", "mailbox"],
  lastCheck: ["lastCheckAt"],
  healthChanged: ["healthChangedAt"],
};
const NULLABLE = new Set<Field>(["lastCheckAt", "healthChangedAt"]);
const DATE = new Set<Field>(["lastCheckAt", "healthChangedAt"]);

/** s/d: the view it was made for; k: the last row's sort keys; id: its id; n: how many rows came before the next page (for "51–100 of …"). */
const cursorSchema = z.object({ s: z.enum(SORTS), d: z.enum(["asc", "desc"]), k: z.array(z.string().nullable()), id: z.uuid(), n: z.number().int().min(0).max(10_000_000) }).strict();
type Cursor = z.infer<typeof cursorSchema>;

function keyOf(row: Record<Field, unknown>, field: Field): KeyValue {
  const v = row[field];
  if (v === null || v === undefined) return null;
  return v instanceof Date ? v.toISOString() : String(v);
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

/** The cursor if it decodes, was made for this sort and direction, and holds values of the right kind; otherwise null (the first page). */
export function decodeCursor(raw: string | undefined, sort: MailboxSort, dir: SortDir): Cursor | null {
  if (!raw) return null;
  try {
    const c = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    const fields = SORT_KEYS[sort];
    if (c.s !== sort || c.d !== dir || c.k.length !== fields.length) return null;
    for (const [i, f] of fields.entries()) {
      const v = c.k[i] ?? null;
      if (v === null) { if (!NULLABLE.has(f)) return null; continue; }
      if (DATE.has(f) && Number.isNaN(Date.parse(v))) return null;
      if (f === "health" && !(HEALTH_DB_ORDER as readonly string[]).includes(v)) return null;
    }
    return c;
  } catch {
    return null;
  }
}

const value = (f: Field, v: string) => (DATE.has(f) ? new Date(v) : v);

/** Rows equal to the cursor on this key. */
function equalTo(f: Field, v: KeyValue): Prisma.ConnectionWhereInput {
  return { [f]: v === null ? null : value(f, v) };
}

/** Rows strictly after the cursor on this key, nulls last in both directions; null when nothing comes after. */
function after(f: Field, v: KeyValue, dir: SortDir): Prisma.ConnectionWhereInput | null {
  if (v === null) return null; // Nulls are last: after a null there are only other nulls (decided by later keys).
  let cmp: Prisma.ConnectionWhereInput;
  if (f === "health") {
    const i = HEALTH_DB_ORDER.indexOf(v as (typeof HEALTH_DB_ORDER)[number]);
    const later = dir === "asc" ? HEALTH_DB_ORDER.slice(i + 1) : HEALTH_DB_ORDER.slice(0, i);
    if (later.length === 0) return null;
    cmp = { health: { in: [...later] } };
  } else {
    cmp = { [f]: { [dir === "asc" ? "gt" : "lt"]: value(f, v) } };
  }
  return NULLABLE.has(f) ? { OR: [cmp, { [f]: null }] } : cmp;
}

/** Lexicographic "after the cursor" over the sort's keys and then id. */
function keysetWhere(sort: MailboxSort, dir: SortDir, c: Cursor): Prisma.ConnectionWhereInput {
  const fields = SORT_KEYS[sort];
  const branches: Prisma.ConnectionWhereInput[] = [];
  for (let j = 0; j <= fields.length; j++) {
    const prefix = fields.slice(0, j).map((f, i) => equalTo(f, c.k[i]!));
    const last = j === fields.length ? { id: { [dir === "asc" ? "gt" : "lt"]: c.id } } : after(fields[j]!, c.k[j]!, dir);
    if (last) branches.push({ AND: [...prefix, last] });
  }
  return { OR: branches };
}

function orderBy(sort: MailboxSort, dir: SortDir): Prisma.ConnectionOrderByWithRelationInput[] {
  return [...SORT_KEYS[sort].map((f) => ({ [f]: NULLABLE.has(f) ? { sort: dir, nulls: "last" } : dir })), { id: dir }];
}

/** The filters as a WHERE, orgId always first. */
export function mailboxWhere(orgId: string, q: MailboxQuery): Prisma.ConnectionWhereInput {
  const and: Prisma.ConnectionWhereInput[] = [];
  if (q.q) {
    // Prisma passes `contains` to ILIKE as is: escaped, so "%" and "_" in a search are literal characters.
    const text = q.q.replace(/[\\%_]/g, (c) => `\\${c}`);
    and.push({ OR: [{ mailbox: { contains: text, mode: "insensitive" } }, { displayName: { contains: text, mode: "insensitive" } }] });
  }
  if (q.health) and.push({ health: q.health });
  if (q.class) and.push({ healthClass: q.class });
  if (q.integration) and.push({ integrationId: q.integration });
  if (q.consent) and.push({ consentType: q.consent });
  // A protocol alone: that protocol was checked. A result alone: any protocol had it. Both: that protocol had that result.
  if (q.protocol) and.push({ [`${q.protocol}Result`]: q.result ?? { not: null } });
  else if (q.result) and.push({ OR: PROTOCOLS.map((p) => ({ [`${p}Result`]: q.result })) });
  return { orgId, AND: and };
}

export async function listMailboxes(db: Db, orgId: string, query: MailboxQuery) {
  const where = mailboxWhere(orgId, query);
  const cursor = decodeCursor(query.after, query.sort, query.dir);
  const [rows, total] = await Promise.all([
    db.connection.findMany({
      where: cursor ? { AND: [where, keysetWhere(query.sort, query.dir, cursor)] } : where,
      orderBy: orderBy(query.sort, query.dir),
      take: PAGE_SIZE + 1,
      select: safeConnectionSelect,
    }),
    db.connection.count({ where }),
  ]);
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  const skipped = cursor?.n ?? 0;
  const next = rows.length > PAGE_SIZE && last ? encodeCursor({ s: query.sort, d: query.dir, k: SORT_KEYS[query.sort].map((f) => keyOf(last, f)), id: last.id, n: skipped + page.length }) : null;
  // The position only labels the page ("51–100 of 1,234"); a cursor that claims too much is clamped, never trusted for data.
  const start = page.length ? Math.min(skipped, Math.max(0, total - page.length)) + 1 : 0;
  return { rows: page, next, total, firstPage: !cursor, start, end: page.length ? start + page.length - 1 : 0 };
}

export type MailboxList = Awaited<ReturnType<typeof listMailboxes>>;
