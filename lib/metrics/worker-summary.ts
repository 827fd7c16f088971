import type { Db } from "@/lib/db-client";
import { Prisma } from "@/generated/prisma/client";

// Whether a worker is running and how far behind it is, from the database alone: any process (a
// web process with MAILGRANT_WORKER=off, a scrape) can tell. One statement, both databases: the
// heartbeat table has a row per worker process, and the oldest overdue connection comes from the
// nextCheckAt index (the first index entry that is due and connected).

/** A heartbeat newer than this means the worker process is alive (it beats every 10 s). */
export const HEARTBEAT_FRESH_MS = 30_000;

export type WorkerSummary = {
  /** Worker processes with a heartbeat within HEARTBEAT_FRESH_MS that have not stopped. */
  processes: number;
  /** Checks those processes reported in flight at their last beat. */
  inFlight: number;
  /** Connections due now (nextCheckAt passed) and connected; only counted when asked (a backlog makes it a range scan). */
  overdue?: number;
  /** The oldest of those due times, or null when nothing is due. */
  oldestDueAt: Date | null;
};

type Row = { processes: number; in_flight: number; overdue: number | null; oldest_due_at: Date | null };

export async function workerSummary(db: Db, now: Date = new Date(), opts: { countOverdue?: boolean } = {}): Promise<WorkerSummary> {
  const fresh = new Date(now.getTime() - HEARTBEAT_FRESH_MS);
  // What the worker's scheduler takes (lib/worker/scheduler.ts): connected grants whose time has
  // come. A grant that needs re-consent or was revoked is not checked, so its nextCheckAt says
  // nothing about the worker.
  const rows = await db.$queryRaw<Row[]>`
    SELECT
      (SELECT count(*)::int FROM "WorkerHeartbeat" WHERE "stoppedAt" IS NULL AND "beatAt" >= ${fresh}) AS processes,
      (SELECT coalesce(sum("inFlight"), 0)::int FROM "WorkerHeartbeat" WHERE "stoppedAt" IS NULL AND "beatAt" >= ${fresh}) AS in_flight,
      ${opts.countOverdue ? Prisma.sql`(SELECT count(*)::int FROM "Connection" WHERE "nextCheckAt" <= ${now} AND status = 'CONNECTED')` : Prisma.sql`NULL::int`} AS overdue,
      (SELECT min("nextCheckAt") FROM "Connection" WHERE "nextCheckAt" <= ${now} AND status = 'CONNECTED') AS oldest_due_at`;
  const r = rows[0];
  return {
    processes: Number(r?.processes ?? 0),
    inFlight: Number(r?.in_flight ?? 0),
    ...(r?.overdue !== null && r?.overdue !== undefined ? { overdue: Number(r.overdue) } : {}),
    oldestDueAt: r?.oldest_due_at ? new Date(r.oldest_due_at) : null,
  };
}

/** Seconds since the oldest overdue due time; 0 when nothing is overdue. */
export const behindSeconds = (s: Pick<WorkerSummary, "oldestDueAt">, now: Date = new Date()) =>
  s.oldestDueAt ? Math.max(0, Math.round((now.getTime() - s.oldestDueAt.getTime()) / 1000)) : 0;
