import type { Db } from "@/lib/db-client";
import { runConnectionTest, type TestDeps, type TestRun } from "@/lib/connections/connection-test";
import { recordCheck } from "@/lib/checks/record";
import { checkOutcome } from "@/lib/checks/health";
import { nextDueAt, slotOffsetMs } from "@/lib/checks/schedule";
import { AppError } from "@/lib/errors";
import { backoffSignal, recordTenantFailure, type BackoffClearer } from "./backoff";
import { BACKOFF_SPREAD_MS, periodMsFor } from "./scheduler";

// One scheduled check: take the connection's check lease (only for the due time the job was queued
// for), run the same test as "Test now" (no message is sent), record it as a SCHEDULED check with
// the next slot, and release the lease in the same write. A job whose due time has passed on (the
// check ran, the slot moved, the tenant backs off, the grant needs consent) is a no-op.

export type CheckJobData = { connectionId: string; orgId: string; tenantId: string; mailbox: string; intervalMinutes: number; due: string };

export type CheckJobResult =
  | { kind: "checked"; outcome: "PASSED" | "DEGRADED" | "FAILED"; durationMs: number }
  /** Nothing to do: the due time is no longer the connection's, or it is not connected. */
  | { kind: "stale" | "gone" }
  /** The tenant backs off: the check moved to the backoff's end. */
  | { kind: "deferred" }
  /** Another worker holds the lease (or a dead one, until it runs out): try again later. */
  | { kind: "busy" };

export type CheckJobContext = {
  db: Db;
  deps: Omit<TestDeps, "db">;
  workerId: string;
  leaseSeconds: number;
  intervalOverrideSeconds?: number;
  now: () => Date;
  clearer: BackoffClearer;
  /** Called when the lease is held, before the test runs (tests await the moment through the DB instead). */
  onRunning?: () => void;
  /** False when the worker gave the check up while stopping: the run is then not recorded. */
  keep?: () => boolean;
};

const iso = (d: Date) => d.toISOString();

async function takeLease(ctx: CheckJobContext, data: CheckJobData, now: Date): Promise<boolean> {
  const n = await ctx.db.$executeRawUnsafe(
    `UPDATE "Connection" c SET "checkLeaseUntil" = $4::timestamp, "checkLeaseOwner" = $5
     WHERE c.id = $1::uuid AND c."orgId" = $2::uuid AND c.status = 'CONNECTED' AND c."nextCheckAt" = $3::timestamp
       AND (c."checkLeaseUntil" IS NULL OR c."checkLeaseUntil" < $6::timestamp)
       AND NOT EXISTS (SELECT 1 FROM "TenantBackoff" b WHERE b."tenantId" = c."tenantId"::text AND b.until > $6::timestamp)`,
    data.connectionId,
    data.orgId,
    data.due,
    iso(new Date(now.getTime() + ctx.leaseSeconds * 1000)),
    ctx.workerId,
    iso(now),
  );
  return n === 1;
}

/** Why the lease was not taken, and what to do about it. */
async function whyNot(ctx: CheckJobContext, data: CheckJobData, now: Date): Promise<CheckJobResult> {
  const row = await ctx.db.connection.findFirst({
    where: { id: data.connectionId, orgId: data.orgId },
    select: { status: true, nextCheckAt: true, checkLeaseUntil: true, tenantId: true },
  });
  if (!row) return { kind: "gone" };
  if (row.status !== "CONNECTED" || row.nextCheckAt?.getTime() !== Date.parse(data.due)) return { kind: "stale" };
  const backoff = await ctx.db.tenantBackoff.findFirst({ where: { tenantId: row.tenantId, until: { gt: now } } });
  if (backoff) {
    const at = new Date(backoff.until.getTime() + slotOffsetMs(data.connectionId, BACKOFF_SPREAD_MS));
    await ctx.db.connection.updateMany({ where: { id: data.connectionId, nextCheckAt: new Date(data.due) }, data: { nextCheckAt: at } });
    return { kind: "deferred" };
  }
  return { kind: "busy" };
}

async function releaseLease(ctx: CheckJobContext, connectionId: string) {
  await ctx.db.connection.updateMany({ where: { id: connectionId, checkLeaseOwner: ctx.workerId }, data: { checkLeaseUntil: null, checkLeaseOwner: null } });
}

/** The slot after this one; when the worker fell behind, the first one after now. */
export function nextSlotAfter(connectionId: string, periodMs: number, due: Date, now: Date): Date {
  const next = nextDueAt(connectionId, periodMs, due);
  return next.getTime() > now.getTime() ? next : nextDueAt(connectionId, periodMs, now);
}

export async function runCheckJob(ctx: CheckJobContext, data: CheckJobData): Promise<CheckJobResult> {
  const leasedAt = ctx.now();
  if (!(await takeLease(ctx, data, leasedAt))) return whyNot(ctx, data, leasedAt);
  ctx.onRunning?.();
  let run: TestRun;
  try {
    run = await runConnectionTest({ ...ctx.deps, db: ctx.db }, data.orgId, data.connectionId, { cause: { by: "scheduled-check" } });
  } catch (e) {
    await releaseLease(ctx, data.connectionId).catch(() => {});
    if (e instanceof AppError && e.status === 404) return { kind: "gone" };
    throw e;
  }
  if (ctx.keep && !ctx.keep()) return { kind: "stale" };
  try {
    const now = ctx.now();
    const { outcome } = checkOutcome(run.steps);
    const signal = backoffSignal(run.steps, outcome);
    let backoffUntil: Date | null = null;
    if (signal) {
      backoffUntil = await recordTenantFailure(ctx.db, data.tenantId, signal, now);
      ctx.clearer.noteRow(data.tenantId);
    } else if (outcome === "PASSED") {
      await ctx.clearer.passed(ctx.db, data.tenantId, now);
    }
    const periodMs = periodMsFor(data.intervalMinutes, ctx.intervalOverrideSeconds);
    let next = nextSlotAfter(data.connectionId, periodMs, new Date(data.due), now);
    if (backoffUntil && backoffUntil.getTime() > next.getTime()) next = new Date(backoffUntil.getTime() + slotOffsetMs(data.connectionId, BACKOFF_SPREAD_MS));
    // The run is kept for the page as "Test now" keeps it (keepRun), in the same update; the history is the Check row.
    await recordCheck(ctx.db, { orgId: data.orgId, connectionId: data.connectionId, trigger: "SCHEDULED", run, now, nextCheckAt: next, releaseLeaseOf: ctx.workerId, keepRun: true });
    const durationMs = Date.parse(run.finishedAt ?? run.startedAt) - Date.parse(run.startedAt);
    return { kind: "checked", outcome, durationMs };
  } catch (e) {
    await releaseLease(ctx, data.connectionId).catch(() => {});
    throw e;
  }
}
