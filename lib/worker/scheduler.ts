import { createHash } from "node:crypto";
import type { Db } from "@/lib/db-client";
import { nextDueAt, periodMsOf } from "@/lib/checks/schedule";

// The scheduler's SQL: give unscheduled connections their slot, move the due checks of a tenant
// that backs off to the end of its backoff, and claim due connections for jobs. Every statement
// locks what it changes with FOR UPDATE SKIP LOCKED and re-checks its condition, so any number of
// workers can tick at once on PostgreSQL without claiming a connection twice or deadlocking; each
// is a single statement (no interactive transaction), which PGlite runs under its one mutex.
//
// Prisma stores DateTime as timestamp(3) without time zone, in UTC: times go in as ISO strings
// cast to ::timestamp (the "Z" is ignored, the wall time is UTC) and come out as epoch ms.

const iso = (d: Date) => d.toISOString();
/** Spread, in ms, of a backed-off tenant's checks after its backoff ends (no herd at `until`). */
export const BACKOFF_SPREAD_MS = 30_000;

/** The check period of an org (or the override every org gets in tests and demos). */
export function periodMsFor(intervalMinutes: number, overrideSeconds?: number): number {
  return overrideSeconds ? overrideSeconds * 1000 : periodMsOf(intervalMinutes);
}

/** A UUID (version 5 layout) from a SHA-1 of `name`: the same job for the same (connection, due time). */
export function hashUuid(name: string): string {
  const h = createHash("sha1").update(`mailgrant-check:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/**
 * The job id of a claim: one per (connection, due time), so inserting it again is a no-op. A claim
 * taken over because its job never ran (stale) gets its own id, from the stale claim's time: the
 * old job may still sit in pg-boss as failed, and the same id would then insert nothing.
 */
export function checkJobId(connectionId: string, due: Date, staleClaimAt?: Date): string {
  return hashUuid(`${connectionId}|${iso(due)}${staleClaimAt ? `|${iso(staleClaimAt)}` : ""}`);
}

/** Gives connections without a nextCheckAt their slot in the org's period. Returns how many. */
export async function assignSlots(db: Db, opts: { now: Date; overrideSeconds?: number; limit?: number }): Promise<number> {
  const rows = await db.connection.findMany({
    where: { nextCheckAt: null, status: "CONNECTED" },
    select: { id: true, org: { select: { checkIntervalMinutes: true } } },
    take: opts.limit ?? 1000,
  });
  if (rows.length === 0) return 0;
  const values = rows.map((r) => ({ id: r.id, t: iso(nextDueAt(r.id, periodMsFor(r.org.checkIntervalMinutes, opts.overrideSeconds), opts.now)) }));
  return db.$executeRawUnsafe(
    `WITH v AS (SELECT * FROM json_to_recordset($1::json) AS x(id uuid, t timestamp)),
     locked AS (
       SELECT c.id FROM "Connection" c JOIN v ON v.id = c.id
       WHERE c."nextCheckAt" IS NULL
       FOR UPDATE OF c SKIP LOCKED
     )
     UPDATE "Connection" c SET "nextCheckAt" = v.t FROM v, locked WHERE c.id = v.id AND c.id = locked.id`,
    JSON.stringify(values),
  );
}

/**
 * Checks due before a tenant's backoff ends move to its end (spread over a few seconds by a hash
 * of the id); a job already queued for the old time then finds itself stale. Returns how many.
 */
export async function deferBackedOffTenants(db: Db, opts: { now: Date; horizon: Date }): Promise<number> {
  return db.$executeRawUnsafe(
    `WITH moved AS (
       SELECT c.id, b.until FROM "Connection" c JOIN "TenantBackoff" b ON b."tenantId" = c."tenantId"::text
       WHERE b.until > $1::timestamp AND c.status = 'CONNECTED' AND c."nextCheckAt" <= $2::timestamp AND c."nextCheckAt" < b.until
         AND (c."checkLeaseUntil" IS NULL OR c."checkLeaseUntil" < $1::timestamp)
       LIMIT 5000
       FOR UPDATE OF c SKIP LOCKED
     )
     UPDATE "Connection" c SET "nextCheckAt" = moved.until + (abs(hashtext(c.id::text)) % ${BACKOFF_SPREAD_MS}) * interval '1 millisecond'
     FROM moved WHERE c.id = moved.id`,
    iso(opts.now),
    iso(opts.horizon),
  );
}

export type ClaimedCheck = { connectionId: string; orgId: string; tenantId: string; mailbox: string; intervalMinutes: number; due: Date; jobId: string };

type ClaimRow = { id: string; orgId: string; tenantId: string; mailbox: string; intervalMinutes: number; due_ms: number; stale: boolean; prev_ms: number | null };

/**
 * Claims connections due by `horizon` that have no job for their due time yet (or whose job was
 * claimed before `staleBefore` and never ran), skipping tenants in backoff. Atomic per row: a row
 * another worker is claiming is skipped, and the WHERE is re-checked on the locked row.
 */
export async function claimDue(db: Db, opts: { now: Date; horizon: Date; staleBefore: Date; limit: number }): Promise<ClaimedCheck[]> {
  const rows = await db.$queryRawUnsafe<ClaimRow[]>(
    `WITH due AS (
       SELECT c.id, (c."checkQueuedFor" IS NOT DISTINCT FROM c."nextCheckAt") AS stale,
              (extract(epoch FROM c."checkQueuedAt") * 1000)::float8 AS prev_ms
       FROM "Connection" c
       WHERE c.status = 'CONNECTED'
         AND c."nextCheckAt" <= $2::timestamp
         AND (c."checkQueuedFor" IS DISTINCT FROM c."nextCheckAt" OR c."checkQueuedAt" IS NULL OR c."checkQueuedAt" < $3::timestamp)
         AND NOT EXISTS (SELECT 1 FROM "TenantBackoff" b WHERE b."tenantId" = c."tenantId"::text AND b.until > $1::timestamp)
       ORDER BY c."nextCheckAt"
       LIMIT ${Math.max(1, Math.floor(opts.limit))}
       FOR UPDATE OF c SKIP LOCKED
     )
     UPDATE "Connection" c SET "checkQueuedFor" = c."nextCheckAt", "checkQueuedAt" = $1::timestamp
     FROM due WHERE c.id = due.id
     RETURNING c.id::text AS id, c."orgId"::text AS "orgId", c."tenantId"::text AS "tenantId", c.mailbox,
       (SELECT o."checkIntervalMinutes" FROM "Org" o WHERE o.id = c."orgId") AS "intervalMinutes",
       (extract(epoch FROM c."nextCheckAt") * 1000)::float8 AS due_ms, due.stale, due.prev_ms`,
    iso(opts.now),
    iso(opts.horizon),
    iso(opts.staleBefore),
  );
  return rows.map((r) => {
    const due = new Date(Number(r.due_ms));
    const staleClaimAt = r.stale && r.prev_ms !== null ? new Date(Number(r.prev_ms)) : undefined;
    return { connectionId: r.id, orgId: r.orgId, tenantId: r.tenantId, mailbox: r.mailbox, intervalMinutes: Number(r.intervalMinutes), due, jobId: checkJobId(r.id, due, staleClaimAt) };
  });
}

/** How many connections are due now (claimed or not; a check in flight is still due): idle() waits for none. */
export async function countDue(db: Db, now: Date): Promise<number> {
  const rows = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "Connection" c
     WHERE c.status = 'CONNECTED' AND c."nextCheckAt" <= $1::timestamp
       AND NOT EXISTS (SELECT 1 FROM "TenantBackoff" b WHERE b."tenantId" = c."tenantId"::text AND b.until > $1::timestamp)`,
    iso(now),
  );
  return Number(rows[0]?.n ?? 0);
}
