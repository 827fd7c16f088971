import { Prisma } from "@/generated/prisma/client";
import type { Health } from "@/generated/prisma/enums";
import type { Db, Tx } from "@/lib/db-client";
import { PROTOCOLS, type Protocol } from "./record";

// Roll-ups for the charts: what the overview and the support fleet view draw, read from small
// hourly tables instead of scanning connections or checks on every page view.
//
// - HealthHourly: a snapshot of the health counts per org (and "fleet") taken every 5 minutes;
//   the hour's row holds its latest snapshot. The chart's last point is the live count.
// - CheckHourly / FailureHourly: checks per hour and protocol (passed / failed / skipped) and
//   failed checks per diagnosis code, recomputed from Check rows for the hours since the last run
//   (a watermark in RollupState), so a run reads only about the last hour of checks.
//
// The worker runs `runRollup` on pg-boss's cron; pages call the readers below.

export type Scope = "fleet" | { orgId: string };
export type Range = "24h" | "7d" | "30d";
export const RANGES: readonly Range[] = ["24h", "7d", "30d"];
export const RANGE_LABELS: Record<Range, string> = { "24h": "24 hours", "7d": "7 days", "30d": "30 days" };

export const ROLLUP_KEEP_DAYS = 35;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A check is recorded when it ends: recompute from a little before the last run to catch late ones. */
const LATE_MS = 15 * 60_000;
const FLEET = "fleet";

export function parseRange(v: unknown): Range {
  return typeof v === "string" && (RANGES as readonly string[]).includes(v) ? (v as Range) : "24h";
}

const scopeKey = (s: Scope) => (s === FLEET ? FLEET : s.orgId);
const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp(3)`;
const hourOf = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
const dayOf = (d: Date) => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);

/** The buckets a range is drawn in: hours for 24 h and 7 d, days for 30 d. */
function buckets(range: Range, now: Date): { step: number; from: Date; starts: Date[] } {
  const step = range === "30d" ? DAY_MS : range === "7d" ? 6 * HOUR_MS : HOUR_MS;
  const count = range === "30d" ? 30 : range === "7d" ? 28 : 24;
  const last = range === "30d" ? dayOf(now) : new Date(Math.floor(now.getTime() / step) * step);
  const starts = Array.from({ length: count }, (_, i) => new Date(last.getTime() - (count - 1 - i) * step));
  return { step, from: starts[0]!, starts };
}

// ---------------------------------------------------------------------------------------------
// The job

export type RollupResult = { healthRows: number; checkRows: number; failureRows: number; pruned: number; from: Date };

/** Takes the health snapshot and recomputes the check roll-ups since the last run; idempotent. */
export async function runRollup(db: Db, now = new Date()): Promise<RollupResult> {
  const hour = hourOf(now);
  const healthRows = await db.$executeRaw`
    WITH per_org AS (
      SELECT "orgId"::text AS scope, health::text AS health, "healthClass" AS class, count(*)::int AS n
      FROM "Connection" GROUP BY 1, 2, 3
    ), scoped AS (
      SELECT scope, health, class, n FROM per_org
      UNION ALL SELECT ${FLEET}, health, class, sum(n)::int FROM per_org GROUP BY health, class
    )
    INSERT INTO "HealthHourly" (scope, hour, healthy, degraded, "atRisk", failing, unknown, "failingByClass")
    SELECT scope, ${ts(hour)},
      coalesce(sum(n) FILTER (WHERE health = 'HEALTHY'), 0), coalesce(sum(n) FILTER (WHERE health = 'DEGRADED'), 0),
      coalesce(sum(n) FILTER (WHERE health = 'AT_RISK'), 0), coalesce(sum(n) FILTER (WHERE health = 'FAILING'), 0),
      coalesce(sum(n) FILTER (WHERE health = 'UNKNOWN'), 0),
      coalesce(jsonb_object_agg(coalesce(class, 'unknown'), n) FILTER (WHERE health = 'FAILING'), '{}'::jsonb)
    FROM scoped GROUP BY scope
    ON CONFLICT (scope, hour) DO UPDATE SET healthy = EXCLUDED.healthy, degraded = EXCLUDED.degraded, "atRisk" = EXCLUDED."atRisk",
      failing = EXCLUDED.failing, unknown = EXCLUDED.unknown, "failingByClass" = EXCLUDED."failingByClass"`;

  // The backlog (30 days of checks on a first run) in transactions of at most a day each, so
  // none runs long; each moves the watermark, so a crash loses at most the day it was in.
  const total = { checkRows: 0, failureRows: 0, pruned: 0 };
  let firstFrom: Date | null = null;
  for (let guard = 0; guard < ROLLUP_KEEP_DAYS + 2; guard++) {
    const step = await db.$transaction(
      async (tx) => {
        // One run at a time rolls checks up (two workers' crons may overlap): the second waits, then finds little to do.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(7301014)`;
        const state = await tx.rollupState.findUnique({ where: { name: "checks" } });
        const earliest = hourOf(new Date(now.getTime() - ROLLUP_KEEP_DAYS * DAY_MS));
        const since = state ? hourOf(new Date(state.upTo.getTime() - LATE_MS)) : earliest;
        const from = since < earliest ? earliest : since;
        const end = new Date(Math.min(now.getTime(), from.getTime() + DAY_MS));
        const r = await rollUpChecks(tx, from, end);
        await tx.rollupState.upsert({ where: { name: "checks" }, create: { name: "checks", upTo: end }, update: { upTo: end } });
        let pruned = 0;
        pruned += await tx.$executeRaw`DELETE FROM "HealthHourly" WHERE hour < ${ts(earliest)}`;
        pruned += await tx.$executeRaw`DELETE FROM "CheckHourly" WHERE hour < ${ts(earliest)}`;
        pruned += await tx.$executeRaw`DELETE FROM "FailureHourly" WHERE hour < ${ts(earliest)}`;
        return { ...r, pruned, from, done: end.getTime() >= now.getTime() };
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
    firstFrom ??= step.from;
    total.checkRows += step.checkRows;
    total.failureRows += step.failureRows;
    total.pruned += step.pruned;
    if (step.done) break;
  }
  return { healthRows, ...total, from: firstFrom ?? hour };
}

/** Replaces the hourly rows of [from, end) with what the checks started in it say. */
async function rollUpChecks(tx: Tx, from: Date, end: Date): Promise<{ checkRows: number; failureRows: number }> {
  await tx.$executeRaw`DELETE FROM "CheckHourly" WHERE hour >= ${ts(from)} AND hour < ${ts(end)}`;
  const checkRows = await tx.$executeRaw`
    WITH per_org AS (
      SELECT "orgId"::text AS scope, date_trunc('hour', "startedAt") AS hour, r.key AS protocol,
        count(*) FILTER (WHERE r.value = 'OK')::int AS passed,
        count(*) FILTER (WHERE r.value = 'FAILED')::int AS failed,
        count(*) FILTER (WHERE r.value NOT IN ('OK', 'FAILED'))::int AS skipped
      FROM "Check", jsonb_each_text(coalesce(results, '{}'::jsonb)) AS r
      WHERE "startedAt" >= ${ts(from)} AND "startedAt" < ${ts(end)}
      GROUP BY 1, 2, 3
    )
    INSERT INTO "CheckHourly" (scope, hour, protocol, passed, failed, skipped)
    SELECT scope, hour, protocol, passed, failed, skipped FROM per_org
    UNION ALL SELECT ${FLEET}, hour, protocol, sum(passed)::int, sum(failed)::int, sum(skipped)::int FROM per_org GROUP BY hour, protocol`;

  await tx.$executeRaw`DELETE FROM "FailureHourly" WHERE hour >= ${ts(from)} AND hour < ${ts(end)}`;
  const failureRows = await tx.$executeRaw`
    WITH per_org AS (
      SELECT "orgId"::text AS scope, date_trunc('hour', "startedAt") AS hour, "failureCode" AS code, count(*)::int AS n
      FROM "Check"
      WHERE "startedAt" >= ${ts(from)} AND "startedAt" < ${ts(end)} AND outcome = 'FAILED' AND "failureCode" IS NOT NULL
      GROUP BY 1, 2, 3
    )
    INSERT INTO "FailureHourly" (scope, hour, code, count)
    SELECT scope, hour, code, n FROM per_org
    UNION ALL SELECT ${FLEET}, hour, code, sum(n)::int FROM per_org GROUP BY hour, code`;
  return { checkRows, failureRows };
}

// ---------------------------------------------------------------------------------------------
// Readers

export type HealthCountsLive = Record<Health, number>;
export type HealthPoint = { at: string; healthy: number | null; degraded: number | null; atRisk: number | null; failing: number | null; unknown: number | null };

/** The health counts at the end of each bucket (null where no snapshot was taken), the last one live. */
export async function healthSeries(db: Db, scope: Scope, range: Range, now: Date, live: HealthCountsLive): Promise<HealthPoint[]> {
  const { step, from, starts } = buckets(range, now);
  const rows = await db.$queryRaw<{ bucket: Date; healthy: number; degraded: number; atRisk: number; failing: number; unknown: number }[]>`
    SELECT DISTINCT ON (bucket) bucket, healthy, degraded, "atRisk", failing, unknown FROM (
      SELECT to_timestamp(floor(extract(epoch FROM hour) / ${step / 1000}) * ${step / 1000}) AT TIME ZONE 'UTC' AS bucket, hour,
        healthy, degraded, "atRisk", failing, unknown
      FROM "HealthHourly" WHERE scope = ${scopeKey(scope)} AND hour >= ${ts(from)}
    ) s ORDER BY bucket, hour DESC`;
  const byBucket = new Map(rows.map((r) => [new Date(r.bucket).getTime(), r]));
  const points: HealthPoint[] = starts.map((start) => {
    const r = byBucket.get(start.getTime());
    return { at: start.toISOString(), healthy: r?.healthy ?? null, degraded: r?.degraded ?? null, atRisk: r?.atRisk ?? null, failing: r?.failing ?? null, unknown: r?.unknown ?? null };
  });
  // The bucket in progress shows what is true now, not the last snapshot (up to 5 minutes old).
  points[points.length - 1] = { at: starts[starts.length - 1]!.toISOString(), healthy: live.HEALTHY, degraded: live.DEGRADED, atRisk: live.AT_RISK, failing: live.FAILING, unknown: live.UNKNOWN };
  return points;
}

export type Availability = { protocol: Protocol; passed: number; failed: number; share: number | null };

/** Share of successful checks per protocol over the range (skipped steps count for neither). */
export async function availability(db: Db, scope: Scope, range: Range, now: Date): Promise<Availability[]> {
  const { from } = buckets(range, now);
  const rows = await db.checkHourly.groupBy({ by: ["protocol"], where: { scope: scopeKey(scope), hour: { gte: from } }, _sum: { passed: true, failed: true } });
  return PROTOCOLS.flatMap((protocol) => {
    const r = rows.find((x) => x.protocol === protocol);
    if (!r) return [];
    const passed = r._sum.passed ?? 0;
    const failed = r._sum.failed ?? 0;
    return [{ protocol, passed, failed, share: passed + failed > 0 ? passed / (passed + failed) : null }];
  });
}

export type FailureSeries = { codes: string[]; points: ({ at: string } & Record<string, number | string>)[] };
/** The codes drawn on their own; the rest are summed as "other". */
const TOP_CODES = 6;
export const OTHER_CODES = "other";

/** Failed checks per bucket by diagnosis code: the most frequent codes of the range, the rest as "other". */
export async function failuresByCode(db: Db, scope: Scope, range: Range, now: Date): Promise<FailureSeries> {
  const { step, from, starts } = buckets(range, now);
  const rows = await db.$queryRaw<{ bucket: Date; code: string; n: number }[]>`
    SELECT to_timestamp(floor(extract(epoch FROM hour) / ${step / 1000}) * ${step / 1000}) AT TIME ZONE 'UTC' AS bucket, code, sum(count)::int AS n
    FROM "FailureHourly" WHERE scope = ${scopeKey(scope)} AND hour >= ${ts(from)}
    GROUP BY 1, 2`;
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.code, (totals.get(r.code) ?? 0) + r.n);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const codes = ranked.slice(0, TOP_CODES).map(([c]) => c);
  const hasOther = ranked.length > TOP_CODES;
  const points = starts.map((start) => {
    const p: { at: string } & Record<string, number | string> = { at: start.toISOString() };
    for (const c of codes) p[c] = 0;
    if (hasOther) p[OTHER_CODES] = 0;
    return p;
  });
  const index = new Map(starts.map((s, i) => [s.getTime(), i]));
  for (const r of rows) {
    const i = index.get(new Date(r.bucket).getTime());
    if (i === undefined) continue;
    const key = codes.includes(r.code) ? r.code : OTHER_CODES;
    points[i]![key] = Number(points[i]![key] ?? 0) + r.n;
  }
  return { codes: hasOther ? [...codes, OTHER_CODES] : codes, points };
}
