import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";

// The org's audit log as people read it: filters by action, actor and date from the URL, newest
// first, keyset pages (createdAt, id), and the same rows as CSV. Every query is the org's own
// events plus its current members' sign-ins since each joined (sign-ins belong to no org).

export const AUDIT_PAGE_SIZE = 50;
export const AUDIT_EXPORT_LIMIT = 10_000;

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)));

const querySchema = z.object({
  action: z.string().trim().max(80).regex(/^[a-z_.]+$/).optional().catch(undefined),
  actor: z.string().trim().toLowerCase().max(320).optional().catch(undefined),
  from: day.optional().catch(undefined),
  to: day.optional().catch(undefined),
  before: z.string().max(200).optional().catch(undefined),
});

export type AuditQuery = { action?: string; actor?: string; from?: string; to?: string; before?: { at: Date; id: string } };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/** Reads the filters from a page's search params; what does not parse is ignored (URLs are edited by hand). */
export function parseAuditQuery(params: Record<string, string | string[] | undefined>): AuditQuery {
  const raw = querySchema.parse({ action: first(params.action), actor: first(params.actor), from: first(params.from), to: first(params.to), before: first(params.before) });
  return { ...(raw.action ? { action: raw.action } : {}), ...(raw.actor ? { actor: raw.actor } : {}), ...(raw.from ? { from: raw.from } : {}), ...(raw.to ? { to: raw.to } : {}), ...(raw.before ? decodeCursor(raw.before) : {}) };
}

export const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");

function decodeCursor(c: string): { before?: { at: Date; id: string } } {
  const [at, id] = Buffer.from(c, "base64url").toString().split("|");
  if (!at || !id || !/^[0-9a-f-]{36}$/i.test(id) || Number.isNaN(Date.parse(at))) return {};
  return { before: { at: new Date(at), id } };
}

async function whereOf(db: Db, orgId: string, q: AuditQuery): Promise<Prisma.AuditEventWhereInput> {
  const members = await db.membership.findMany({ where: { orgId }, select: { userId: true, createdAt: true } });
  const signIns = members.map((m) => ({ orgId: null, action: "user.signed_in", actorId: m.userId, createdAt: { gte: m.createdAt } }));
  const and: Prisma.AuditEventWhereInput[] = [{ OR: [{ orgId }, ...signIns] }];
  if (q.action) and.push({ action: q.action });
  if (q.actor) and.push(q.actor === "system" ? { actorEmail: null } : { actorEmail: { equals: q.actor, mode: "insensitive" } });
  if (q.from) and.push({ createdAt: { gte: new Date(`${q.from}T00:00:00Z`) } });
  if (q.to) and.push({ createdAt: { lt: new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) } });
  if (q.before) and.push({ OR: [{ createdAt: { lt: q.before.at } }, { createdAt: q.before.at, id: { lt: q.before.id } }] });
  return { AND: and };
}

export type AuditRow = Awaited<ReturnType<typeof listAuditPage>>["rows"][number];

/** One page, newest first; `next` is the cursor of the page after it, or null. */
export async function listAuditPage(db: Db, orgId: string, q: AuditQuery, take = AUDIT_PAGE_SIZE) {
  const rows = await db.auditEvent.findMany({ where: await whereOf(db, orgId, q), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: take + 1 });
  const page = rows.slice(0, take);
  const last = page.at(-1);
  return { rows: page, next: rows.length > take && last ? encodeCursor(last.createdAt, last.id) : null };
}

/** The filter choices: the actions and actors that occur in this org's log. */
export async function auditFilterChoices(db: Db, orgId: string) {
  const [actions, actors] = await Promise.all([
    db.auditEvent.findMany({ where: { orgId }, distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    db.auditEvent.findMany({ where: { orgId, actorEmail: { not: null } }, distinct: ["actorEmail"], select: { actorEmail: true }, orderBy: { actorEmail: "asc" }, take: 200 }),
  ]);
  return { actions: actions.map((a) => a.action), actors: actors.map((a) => a.actorEmail!) };
}

/** Details in words: each key once, lists as lists, nothing nested left as [object Object]. */
export function detailEntries(data: unknown): { key: string; value: string | string[] }[] {
  if (!data || typeof data !== "object" || Array.isArray(data)) return [];
  return Object.entries(data as Record<string, unknown>).map(([key, v]) => ({
    key: key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(),
    value: Array.isArray(v) ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))) : v && typeof v === "object" ? JSON.stringify(v) : String(v),
  }));
}

/** One CSV cell: quoted, quotes doubled, and a leading = + - @ neutralised so a spreadsheet does not run it as a formula. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

export async function auditCsv(db: Db, orgId: string, q: AuditQuery, actionLabel: (a: string) => string): Promise<string> {
  const rows = await db.auditEvent.findMany({ where: await whereOf(db, orgId, q), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: AUDIT_EXPORT_LIMIT });
  const header = ["time_utc", "actor", "action", "action_label", "target_type", "target_id", "details", "ip", "user_agent"];
  const lines = rows.map((e) =>
    [
      e.createdAt.toISOString(),
      e.actorEmail ?? "system",
      e.action,
      actionLabel(e.action),
      e.targetType ?? "",
      e.targetId ?? "",
      detailEntries(e.data).map((d) => `${d.key}: ${Array.isArray(d.value) ? d.value.join(", ") : d.value}`).join("; "),
      e.ip ?? "",
      e.userAgent ?? "",
    ]
      .map(csvCell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
