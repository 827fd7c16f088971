import type { Db } from "@/lib/db-client";
import { Prisma } from "@/generated/prisma/client";
import { logger } from "@/lib/logger";

// Retention: raw checks older than retentionDays are rolled up into CheckDaily, then deleted;
// daily rows older than dailyRetentionMonths are deleted.
//
// Only whole UTC days are rolled up: every check of a day before the cutoff day (the UTC day that
// began retentionDays ago) goes, so a day is never split between raw rows and its aggregate, and
// raw checks are kept at least retentionDays. Each step is one statement that deletes a batch of
// raw rows (a range of connections, one day) and writes their aggregates from what it deleted
// (a data-modifying CTE), so a crash or a second run can neither count a check twice nor lose
// one, and no statement holds a long transaction on the embedded database. Should rows of an
// already rolled-up day turn up later, they merge into it: counts and codes add up exactly, the
// percentiles are averaged weighted by count (an approximation; exact would need the raw rows).

/** daysRolledUp: CheckDaily rows written (one per connection and day); checksDeleted: raw rows removed. */
export type RetentionResult = { daysRolledUp: number; checksDeleted: number; dailyDeleted: number; eventsDeleted: number; alertsDeleted: number; outboxDeleted: number };

/** Alerts (events with their deliveries and attempts) are kept this long: a quarter of history for the mailbox timeline and delivery logs. */
export const ALERT_RETENTION_DAYS = 90;
/** The demo outbox keeps a week. */
export const OUTBOX_RETENTION_DAYS = 7;

const DAY_MS = 86_400_000;
/** Connections per roll-up statement: ~10,000 raw rows for a day of checks every 30 minutes. */
const CONNECTION_BATCH = 200;
const DAILY_DELETE_BATCH = 5_000;

const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp(3)`;
const utcDay = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));

/** The first UTC day kept when keeping `months` months up to `now` (the day of the month clamped). */
export function dailyCutoff(now: Date, months: number): Date {
  const first = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(now.getUTCDate(), lastDay)));
}

export async function rollUpAndPrune(db: Db, opts: { now?: Date; retentionDays: number; dailyRetentionMonths: number }): Promise<RetentionResult> {
  const now = opts.now ?? new Date();
  const cutoff = utcDay(new Date(now.getTime() - opts.retentionDays * DAY_MS));
  const result: RetentionResult = { daysRolledUp: 0, checksDeleted: 0, dailyDeleted: 0, eventsDeleted: 0, alertsDeleted: 0, outboxDeleted: 0 };

  // Connections in id order, a batch at a time; their checks are found through the
  // (connectionId, startedAt) index. Checks of deleted connections went with them (cascade).
  for (let after: string | undefined; ; ) {
    const batch = await db.connection.findMany({ where: after ? { id: { gt: after } } : {}, orderBy: { id: "asc" }, take: CONNECTION_BATCH, select: { id: true } });
    if (batch.length === 0) break;
    const ids = batch.map((c) => c.id);
    after = ids[ids.length - 1];
    // `= ANY` of the ids, not a range: the index is then searched per connection and day.
    const inBatch = Prisma.sql`"connectionId" = ANY(${ids}::uuid[])`;
    for (;;) {
      // The oldest day still to roll up: one index probe per connection, however many days are left.
      const [oldest] = await db.$queryRaw<{ day: string | null }[]>`
        SELECT to_char(min(x."startedAt"), 'YYYY-MM-DD') AS day
        FROM unnest(${ids}::uuid[]) AS c(id)
        CROSS JOIN LATERAL (SELECT "startedAt" FROM "Check" WHERE "connectionId" = c.id AND "startedAt" < ${ts(cutoff)} ORDER BY "startedAt" LIMIT 1) x`;
      if (!oldest?.day) break;
      const dayStart = new Date(`${oldest.day}T00:00:00Z`);
      const moved = await moveDay(db, inBatch, dayStart);
      result.checksDeleted += moved.deleted;
      result.daysRolledUp += moved.written;
    }
  }

  const keepFrom = dailyCutoff(now, opts.dailyRetentionMonths).toISOString().slice(0, 10);
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM "CheckDaily" WHERE ("connectionId", day) IN (
        SELECT "connectionId", day FROM "CheckDaily" WHERE day < ${keepFrom}::date LIMIT ${DAILY_DELETE_BATCH}
      )`;
    result.dailyDeleted += deleted;
    if (deleted < DAILY_DELETE_BATCH) break;
  }

  // A connection's token history (refreshes, failures: about two per check) is kept as long as raw checks.
  result.eventsDeleted = await deleteOlderInBatches(db, "ConnectionEvent", cutoff);
  // Alert events with their deliveries and attempts (cascade), closed tenant digests, the demo outbox.
  const alertCutoff = new Date(now.getTime() - ALERT_RETENTION_DAYS * DAY_MS);
  result.alertsDeleted = await deleteOlderInBatches(db, "AlertEvent", alertCutoff);
  await db.tenantAlert.deleteMany({ where: { closedAt: { lt: alertCutoff } } });
  result.outboxDeleted = (await db.outboxMail.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - OUTBOX_RETENTION_DAYS * DAY_MS) } } })).count;

  if (result.checksDeleted || result.dailyDeleted || result.eventsDeleted || result.alertsDeleted || result.outboxDeleted) logger.info({ ...result, cutoff: cutoff.toISOString(), keepDailyFrom: keepFrom }, "checks rolled up and pruned");
  return result;
}

/** Deletes rows of `table` (id primary key, createdAt indexed) created before `cutoff`, a batch per statement. */
async function deleteOlderInBatches(db: Db, table: "ConnectionEvent" | "AlertEvent", cutoff: Date): Promise<number> {
  const name = Prisma.raw(`"${table}"`);
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM ${name} WHERE id IN (SELECT id FROM ${name} WHERE "createdAt" < ${ts(cutoff)} LIMIT ${DAILY_DELETE_BATCH})`;
    total += deleted;
    if (deleted < DAILY_DELETE_BATCH) return total;
  }
}

/** Deletes one UTC day of raw checks for a range of connections and writes (or merges) their daily rows, in one statement. */
async function moveDay(db: Db, inBatch: Prisma.Sql, dayStart: Date): Promise<{ deleted: number; written: number }> {
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const [r] = await db.$queryRaw<{ deleted: number; written: number }[]>`
    WITH moved AS (
      DELETE FROM "Check" WHERE ${inBatch} AND "startedAt" >= ${ts(dayStart)} AND "startedAt" < ${ts(dayEnd)}
      RETURNING "connectionId", "orgId", "durationMs", outcome, "failureCode"
    ), per_connection AS (
      SELECT "connectionId", "orgId", count(*)::int AS total,
        (count(*) FILTER (WHERE outcome = 'PASSED'))::int AS passed,
        (count(*) FILTER (WHERE outcome = 'DEGRADED'))::int AS degraded,
        (count(*) FILTER (WHERE outcome = 'FAILED'))::int AS failed,
        round(percentile_cont(0.5) WITHIN GROUP (ORDER BY "durationMs"))::int AS p50,
        round(percentile_cont(0.95) WITHIN GROUP (ORDER BY "durationMs"))::int AS p95
      FROM moved GROUP BY "connectionId", "orgId"
    ), codes AS (
      SELECT "connectionId", jsonb_object_agg("failureCode", n) AS codes
      FROM (SELECT "connectionId", "failureCode", count(*)::int AS n FROM moved WHERE "failureCode" IS NOT NULL GROUP BY 1, 2) x
      GROUP BY "connectionId"
    ), written AS (
      INSERT INTO "CheckDaily" ("connectionId", "orgId", day, total, passed, degraded, failed, "p50Ms", "p95Ms", "failureCodes")
      SELECT p."connectionId", p."orgId", ${dayStart.toISOString().slice(0, 10)}::date, p.total, p.passed, p.degraded, p.failed, p.p50, p.p95, COALESCE(c.codes, '{}'::jsonb)
      FROM per_connection p LEFT JOIN codes c ON c."connectionId" = p."connectionId"
      ON CONFLICT ("connectionId", day) DO UPDATE SET
        total = "CheckDaily".total + EXCLUDED.total,
        passed = "CheckDaily".passed + EXCLUDED.passed,
        degraded = "CheckDaily".degraded + EXCLUDED.degraded,
        failed = "CheckDaily".failed + EXCLUDED.failed,
        "p50Ms" = round(("CheckDaily"."p50Ms"::numeric * "CheckDaily".total + EXCLUDED."p50Ms"::numeric * EXCLUDED.total) / ("CheckDaily".total + EXCLUDED.total))::int,
        "p95Ms" = round(("CheckDaily"."p95Ms"::numeric * "CheckDaily".total + EXCLUDED."p95Ms"::numeric * EXCLUDED.total) / ("CheckDaily".total + EXCLUDED.total))::int,
        "failureCodes" = (
          SELECT COALESCE(jsonb_object_agg(k, s), '{}'::jsonb) FROM (
            SELECT k, sum(v::int)::int AS s FROM (
              SELECT key AS k, value AS v FROM jsonb_each_text("CheckDaily"."failureCodes")
              UNION ALL SELECT key, value FROM jsonb_each_text(EXCLUDED."failureCodes")
            ) u GROUP BY k
          ) g
        )
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved)::int AS deleted, (SELECT count(*) FROM written)::int AS written`;
  return { deleted: r?.deleted ?? 0, written: r?.written ?? 0 };
}
