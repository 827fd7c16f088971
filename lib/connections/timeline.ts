import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { CheckOutcome, CheckTrigger, Health, Prisma } from "@/generated/prisma/client";
import { diagnose } from "@/lib/diagnosis/catalog";
import { EVENT_LABELS as ALERT_LABELS, type AnyEventType } from "@/lib/alerts/events";
import { summarize as alertSummary } from "@/lib/alerts/history";
import { protocolTimings, storedSteps, type ProtocolTiming } from "@/lib/checks/check-durations";
import { BRIDGE_SESSION_KIND, failedBridgeSessionWhere, isFailedBridgeSession } from "@/lib/bridge/session-outcome";
import {
  BRIDGE_EVENT_KINDS, HEALING_EVENT_KINDS, LEGACY_EVENT_KINDS, PROBLEM_EVENT_KINDS, REFRESH_EVENT_KINDS, TIMELINE_KINDS,
  checkActor, eventDetail, eventLabel, refreshActor, type TimelineActor, type TimelineKind,
} from "./timeline-words";

// One timeline of a connection: its checks (Check), token refreshes and self-healing notes
// (ConnectionEvent) and the alerts it caused (AlertEvent), merged newest first and paged by
// keyset on (time, id) in both directions. Each source is read with the connection's own
// (connectionId, time) index, within the org, never by connection id alone. URLs are edited by
// hand and shared: a bad kind or cursor falls back to everything from the first page.
//
// Checks and alerts are scoped to the org through their connection (a join on its primary key),
// not by their own orgId: with orgId in the WHERE, PostgreSQL may walk Check(orgId, startedAt)
// and filter the connection out of the whole org's history (it did in EXPLAIN for an org of 20
// mailboxes: 500 rows read for 26); without it, only the (connectionId, time) index fits.

export const TIMELINE_PAGE_SIZE = 25;

const one = (v: unknown) => (Array.isArray(v) ? v[0] : v);
const querySchema = z.object({
  kind: z.preprocess(one, z.enum(TIMELINE_KINDS).optional().catch(undefined)),
  cursor: z.preprocess(one, z.string().max(500).optional().catch(undefined)),
});
export type TimelineQuery = z.infer<typeof querySchema>;

/** The timeline's query from a page's searchParams; never throws. */
export function parseTimelineQuery(searchParams: Record<string, string | string[] | undefined>): TimelineQuery {
  return querySchema.parse({ kind: searchParams.kind, cursor: searchParams.cursor });
}

/** t: the edge entry's time (ISO); id: its id; d: which way the page goes from it; k: the filter it was made for. */
const cursorSchema = z.object({ t: z.iso.datetime(), id: z.uuid(), d: z.enum(["older", "newer"]), k: z.enum(TIMELINE_KINDS).nullable() }).strict();
type Cursor = z.infer<typeof cursorSchema>;

export function encodeTimelineCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

/** The cursor if it decodes and was made for this filter; otherwise null (the first page). */
export function decodeTimelineCursor(raw: string | undefined, kind: TimelineKind | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const c = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    return c.k === (kind ?? null) ? c : null;
  } catch {
    return null;
  }
}

type Base = { id: string; at: Date; actor: TimelineActor };
export type CheckEntry = Base & {
  type: "check";
  trigger: CheckTrigger;
  outcome: CheckOutcome;
  durationMs: number;
  health: Health;
  protocols: ProtocolTiming[];
  /** The first failed step with what the catalog says about its code. */
  failure: { step: string; code: string; title: string } | null;
};
export type EventEntry = Base & {
  type: "event";
  kind: string;
  label: string;
  problem: boolean;
  resource: string | null;
  classification: string | null;
  code: string | null;
  codeTitle: string | null;
  detail: string | null;
};
export type AlertEntry = Base & { type: "alert"; alertType: string; label: string; summary: string | null };
export type TimelineEntry = CheckEntry | EventEntry | AlertEntry;

export type TimelinePage = {
  entries: TimelineEntry[];
  kind: TimelineKind | undefined;
  /** Cursors for the page after the oldest entry and before the newest; null when there is none. */
  older: string | null;
  newer: string | null;
};

type Key = { at: Date; id: string };
/** Newest first: later time first, then the larger id (ids compare as Postgres compares uuids). */
const newestFirst = (a: Key, b: Key) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/**
 * Beyond the cursor on (time, id). The bound on time alone comes first so the (connectionId, time)
 * index serves it as a range; the id decides only among rows at the cursor's very millisecond.
 */
function beyond<F extends string>(field: F, c: Cursor) {
  const t = new Date(c.t);
  const [cmp, eq] = c.d === "older" ? (["lt", "lte"] as const) : (["gt", "gte"] as const);
  return { AND: [{ [field]: { [eq]: t } }, { OR: [{ [field]: { [cmp]: t } }, { id: { [cmp]: c.id } }] }] };
}

function checkWhere(kind: TimelineKind | undefined): Prisma.CheckWhereInput | null {
  if (kind === undefined || kind === "checks") return {};
  if (kind === "tests") return { trigger: { in: ["MANUAL", "API"] } };
  if (kind === "problems") return { outcome: { not: "PASSED" } };
  return null;
}

function eventWhere(kind: TimelineKind | undefined): Prisma.ConnectionEventWhereInput | null {
  if (kind === undefined) return { kind: { notIn: [...LEGACY_EVENT_KINDS] } };
  if (kind === "refreshes") return { kind: { in: [...REFRESH_EVENT_KINDS] } };
  if (kind === "healing") return { kind: { in: [...HEALING_EVENT_KINDS] } };
  if (kind === "bridge") return { kind: { in: [...BRIDGE_EVENT_KINDS] } };
  if (kind === "problems") return { OR: [{ kind: { in: [...PROBLEM_EVENT_KINDS] } }, failedBridgeSessionWhere] };
  return null;
}

/** What "Problems only" keeps of the events, tested on a row read back (eventWhere says it to the database). */
const isProblemEvent = (kind: string, detail: unknown) => (PROBLEM_EVENT_KINDS as readonly string[]).includes(kind) || isFailedBridgeSession(kind, detail);

const alertsIncluded = (kind: TimelineKind | undefined) => kind === undefined || kind === "alerts";

/** Up to `take` entries of each source beyond the cursor, in the page's direction, merged newest first. */
async function readSources(db: Db, orgId: string, connectionId: string, kind: TimelineKind | undefined, cursor: Cursor | null, take: number) {
  const dir = cursor?.d === "newer" ? "asc" : "desc";
  const order = <F extends string>(field: F) => [{ [field]: dir }, { id: dir }] as { [K in F | "id"]?: "asc" | "desc" }[];
  const checks = checkWhere(kind);
  const events = eventWhere(kind);
  const [checkRows, eventRows, alertRows] = await Promise.all([
    checks
      ? db.check.findMany({
          where: { connectionId, connection: { orgId }, ...checks, ...(cursor ? beyond("startedAt", cursor) : {}) },
          orderBy: order("startedAt"),
          take,
          select: { id: true, trigger: true, startedAt: true, durationMs: true, outcome: true, health: true, steps: true, triggeredBy: { select: { name: true } } },
        })
      : [],
    events
      ? db.connectionEvent.findMany({
          where: { connectionId, connection: { orgId }, ...events, ...(cursor ? beyond("createdAt", cursor) : {}) },
          orderBy: order("createdAt"),
          take,
          select: { id: true, kind: true, resource: true, classification: true, code: true, detail: true, createdAt: true },
        })
      : [],
    alertsIncluded(kind)
      ? db.alertEvent.findMany({
          where: { connectionId, connection: { orgId }, ...(cursor ? beyond("createdAt", cursor) : {}) },
          orderBy: order("createdAt"),
          take,
          select: { id: true, type: true, payload: true, createdAt: true },
        })
      : [],
  ]);
  // People named by refresh events (Refresh now, Test now): one read for the page.
  const userIds = [...new Set(eventRows.flatMap((e) => { const u = (e.detail as { userId?: unknown } | null)?.userId; return typeof u === "string" ? [u] : []; }))];
  const names = new Map(userIds.length ? (await db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name] as const) : []);

  const entries: TimelineEntry[] = [
    ...checkRows.map((r): CheckEntry => {
      const steps = storedSteps(r.steps);
      const failed = steps.find((s) => s.status === "failed");
      return {
        type: "check",
        id: r.id,
        at: r.startedAt,
        actor: checkActor(r.trigger, r.triggeredBy?.name ?? null),
        trigger: r.trigger,
        outcome: r.outcome,
        durationMs: r.durationMs,
        health: r.health,
        protocols: protocolTimings(steps),
        failure: failed ? { step: failed.id, code: failed.code ?? "unknown", title: diagnose(failed.code ?? "unknown").title } : null,
      };
    }),
    ...eventRows.map((e): EventEntry => ({
      type: "event",
      id: e.id,
      at: e.createdAt,
      actor: e.kind.startsWith("heal_") ? { kind: "self-healing" } : e.kind === BRIDGE_SESSION_KIND ? { kind: "bridge" } : refreshActor(e.detail, names),
      kind: e.kind,
      label: eventLabel(e.kind),
      problem: isProblemEvent(e.kind, e.detail),
      resource: e.resource,
      classification: e.classification,
      code: e.code,
      codeTitle: e.code ? diagnose(e.code).title : null,
      detail: eventDetail(e.kind, e.detail),
    })),
    ...alertRows.map((a): AlertEntry => ({
      type: "alert",
      id: a.id,
      at: a.createdAt,
      actor: { kind: "alerts" },
      alertType: a.type,
      label: ALERT_LABELS[a.type as AnyEventType]?.label ?? a.type,
      summary: alertSummary(a.type, a.payload),
    })),
  ];
  entries.sort(newestFirst);
  return entries;
}

/**
 * A page of the connection's timeline, newest first. "Older" pages come after the cursor's entry,
 * "newer" ones before it; a newer page that reaches the top is the first page (full, no cursor).
 */
export async function connectionTimeline(db: Db, orgId: string, connectionId: string, query: TimelineQuery, opts: { pageSize?: number } = {}): Promise<TimelinePage> {
  const size = Math.min(Math.max(1, opts.pageSize ?? TIMELINE_PAGE_SIZE), 100);
  const kind = query.kind;
  const cursor = decodeTimelineCursor(query.cursor, kind);
  const edge = (e: TimelineEntry, d: Cursor["d"]) => encodeTimelineCursor({ t: e.at.toISOString(), id: e.id, d, k: kind ?? null });

  if (cursor?.d === "newer") {
    // Merged newest first, so the entries nearest the cursor are at the end.
    const merged = await readSources(db, orgId, connectionId, kind, cursor, size + 1);
    if (merged.length > size) {
      const page = merged.slice(-size);
      return { entries: page, kind, older: edge(page.at(-1)!, "older"), newer: edge(page[0]!, "newer") };
    }
    return connectionTimeline(db, orgId, connectionId, { kind }, opts);
  }
  const merged = await readSources(db, orgId, connectionId, kind, cursor, size + 1);
  const page = merged.slice(0, size);
  return {
    entries: page,
    kind,
    older: merged.length > size ? edge(page.at(-1)!, "older") : null,
    // Came here from a newer page: it is still there (retention only deletes the oldest).
    newer: cursor && page[0] ? edge(page[0], "newer") : null,
  };
}
