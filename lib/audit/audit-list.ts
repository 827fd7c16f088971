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

export type TargetKind = "connection" | "integration" | "alert_channel" | "user" | "invitation" | "consent_link" | "org" | "alert_delivery" | "api_key";
/** What an event was about, by name: "Helpdesk mail", "adele@contoso.com"; `gone` when it has been deleted since. */
export type AuditTarget = { kind: TargetKind; id: string; name: string; gone: boolean };
export type AuditNames = Map<string, AuditTarget>;

/** Detail keys that hold an id of something the org has, and what kind of thing. */
const ID_KEYS: Record<string, TargetKind> = { integrationId: "integration", connectionId: "connection", channelId: "alert_channel", apiKeyId: "api_key" };
/** Detail keys that hold a list of such ids (what an API key reaches). */
const ID_LIST_KEYS: Record<string, TargetKind> = { integrationIds: "integration", connectionIds: "connection" };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Names for the targets of a page of events and for the ids in their details, read in one query
 * per kind and only within the org (an id from elsewhere resolves to nothing). A target deleted
 * since keeps the name its event recorded (most events carry one), marked gone.
 */
export async function auditNames(db: Db, orgId: string, rows: readonly Pick<AuditRow, "targetType" | "targetId" | "data">[]): Promise<AuditNames> {
  const wanted = new Map<TargetKind, Set<string>>();
  const want = (kind: TargetKind, id: unknown) => {
    if (typeof id !== "string" || !UUID.test(id)) return;
    if (!wanted.has(kind)) wanted.set(kind, new Set());
    wanted.get(kind)!.add(id);
  };
  for (const r of rows) {
    if (r.targetType && r.targetId) want(r.targetType as TargetKind, r.targetId);
    const data = r.data && typeof r.data === "object" && !Array.isArray(r.data) ? (r.data as Record<string, unknown>) : {};
    for (const [key, kind] of Object.entries(ID_KEYS)) want(kind, data[key]);
    for (const [key, kind] of Object.entries(ID_LIST_KEYS)) if (Array.isArray(data[key])) for (const id of data[key]) want(kind, id);
  }
  const ids = (k: TargetKind) => [...(wanted.get(k) ?? [])];
  const [connections, integrations, channels, users, invitations, links, orgs, keys] = await Promise.all([
    ids("connection").length ? db.connection.findMany({ where: { orgId, id: { in: ids("connection") } }, select: { id: true, mailbox: true } }) : [],
    ids("integration").length ? db.integration.findMany({ where: { orgId, id: { in: ids("integration") } }, select: { id: true, name: true } }) : [],
    ids("alert_channel").length ? db.alertChannel.findMany({ where: { orgId, id: { in: ids("alert_channel") } }, select: { id: true, name: true } }) : [],
    // People: the org's members (a former member keeps the email their event recorded).
    ids("user").length ? db.user.findMany({ where: { id: { in: ids("user") }, memberships: { some: { orgId } } }, select: { id: true, email: true, name: true } }) : [],
    ids("invitation").length ? db.invitation.findMany({ where: { orgId, id: { in: ids("invitation") } }, select: { id: true, email: true } }) : [],
    ids("consent_link").length ? db.consentLink.findMany({ where: { orgId, id: { in: ids("consent_link") } }, select: { id: true, mailbox: true } }) : [],
    ids("org").length ? db.org.findMany({ where: { id: orgId }, select: { id: true, name: true } }) : [],
    ids("api_key").length ? db.apiKey.findMany({ where: { orgId, id: { in: ids("api_key") } }, select: { id: true, name: true, prefix: true } }) : [],
  ]);
  const out: AuditNames = new Map();
  const put = (kind: TargetKind, id: string, name: string) => out.set(`${kind}:${id}`, { kind, id, name, gone: false });
  for (const c of connections) put("connection", c.id, c.mailbox);
  for (const i of integrations) put("integration", i.id, i.name);
  for (const c of channels) put("alert_channel", c.id, c.name);
  for (const u of users) put("user", u.id, u.name ? `${u.name} (${u.email})` : u.email);
  for (const i of invitations) put("invitation", i.id, i.email);
  for (const l of links) put("consent_link", l.id, l.mailbox);
  for (const o of orgs) put("org", o.id, o.name);
  for (const k of keys) put("api_key", k.id, keyName(k));
  return out;
}

/** The event's target by name, falling back to the name the event recorded when the target is gone. */
export function targetOf(names: AuditNames, row: Pick<AuditRow, "targetType" | "targetId" | "data">): AuditTarget | null {
  if (!row.targetType || !row.targetId) return null;
  const kind = row.targetType as TargetKind;
  const found = names.get(`${kind}:${row.targetId}`);
  if (found) return found;
  const data = row.data && typeof row.data === "object" && !Array.isArray(row.data) ? (row.data as Record<string, unknown>) : {};
  const recorded = [data.name, data.mailbox, data.email].find((v): v is string => typeof v === "string");
  return { kind, id: row.targetId, name: recorded ?? `${row.targetId.slice(0, 8)}…`, gone: true };
}

const keyName = (k: { name: string; prefix: string }) => `${k.name} (${k.prefix}…)`;

const KEY_USE_ORDER = ["apiKeyId", "count", "resources", "ips", "firstAt", "lastAt"];

/** Tokens counted per resource ({ graph: 3, outlook: 1 }), shown as "graph: 3, outlook: 1". */
const isCounts = (v: unknown): v is Record<string, number> => Boolean(v) && typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every((n) => typeof n === "number");

/** Details in words: each key once, lists as lists, nothing nested left as [object Object], ids as names. */
export function detailEntries(data: unknown, names: AuditNames = new Map()): { key: string; value: string | string[] }[] {
  if (!data || typeof data !== "object" || Array.isArray(data)) return [];
  const record = data as Record<string, unknown>;
  // An API key's use names the key once ("api key: Helpdesk (mgk_…)"), with the name and prefix it recorded as the fallback.
  const keyRecorded = typeof record.apiKeyId === "string" && typeof record.apiKeyName === "string" && typeof record.prefix === "string" ? keyName({ name: record.apiKeyName, prefix: record.prefix }) : null;
  // The database keeps JSON keys in its own order; a key's use reads best in this one.
  const entries = Object.entries(record).filter(([key]) => !(keyRecorded && (key === "apiKeyName" || key === "prefix")));
  if (keyRecorded) entries.sort(([a], [b]) => KEY_USE_ORDER.indexOf(a) - KEY_USE_ORDER.indexOf(b));
  return entries
    .map(([key, v]) => {
      const listKind = ID_LIST_KEYS[key];
      if (listKind && Array.isArray(v)) {
        return { key: key.replace(/Ids$/, "s").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(), value: v.map((id) => names.get(`${listKind}:${id}`)?.name ?? `${String(id).slice(0, 8)}… (deleted)`) };
      }
      const kind = ID_KEYS[key];
      const named = kind && typeof v === "string" ? names.get(`${kind}:${v}`) : undefined;
      if (kind && typeof v === "string") {
        const fallback = kind === "api_key" && keyRecorded ? keyRecorded : `${v.slice(0, 8)}…`;
        return { key: key.replace(/Id$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(), value: named ? named.name : `${fallback} (deleted)` };
      }
      return {
        key: key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase(),
        value: Array.isArray(v)
          ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x)))
          : key === "resources" && isCounts(v)
            ? Object.entries(v).map(([k, n]) => `${k}: ${n}`).join(", ")
            : v && typeof v === "object"
              ? JSON.stringify(v)
              : String(v),
      };
    });
}

/** One CSV cell: quoted, quotes doubled, and a leading = + - @ neutralised so a spreadsheet does not run it as a formula. */
export function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

export async function auditCsv(db: Db, orgId: string, q: AuditQuery, actionLabel: (a: string) => string): Promise<string> {
  const rows = await db.auditEvent.findMany({ where: await whereOf(db, orgId, q), orderBy: [{ createdAt: "desc" }, { id: "desc" }], take: AUDIT_EXPORT_LIMIT });
  const names = await auditNames(db, orgId, rows);
  const header = ["time_utc", "actor", "action", "action_label", "target_type", "target_id", "target_name", "details", "ip", "user_agent"];
  const lines = rows.map((e) =>
    [
      e.createdAt.toISOString(),
      e.actorEmail ?? "system",
      e.action,
      actionLabel(e.action),
      e.targetType ?? "",
      e.targetId ?? "",
      targetOf(names, e)?.name ?? "",
      detailEntries(e.data, names).map((d) => `${d.key}: ${Array.isArray(d.value) ? d.value.join(", ") : d.value}`).join("; "),
      e.ip ?? "",
      e.userAgent ?? "",
    ]
      .map(csvCell)
      .join(","),
  );
  return [header.join(","), ...lines].join("\r\n") + "\r\n";
}
