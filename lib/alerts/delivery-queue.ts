import type PgBoss from "pg-boss";
import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { Logger } from "pino";
import { ALERT_DELIVERY_QUEUE } from "@/lib/worker/queues";
import { hashUuid } from "@/lib/worker/scheduler";
import type { AlertDeps } from "./deps";
import type { AttemptView } from "./channels";
import { attemptDelivery, CLAIM_MS } from "./deliver";

// Delivery attempts as pg-boss jobs: one job per (delivery, attempt number), its id derived from
// both, so inserting it twice is a no-op (pg-boss inserts with ON CONFLICT DO NOTHING). The row
// in AlertDelivery is the truth (status, nextAttemptAt); a job only says "look at it then". A job
// lost between the event's commit and its insert, or whose worker died mid-send, is found again by
// the sweep, so a restart loses no delivery.

export type DeliveryJob = { deliveryId: string; attempt: number };
const jobData = z.object({ deliveryId: z.uuid(), attempt: z.number().int().min(1) });

/** Per job: an attempt takes at most 10 s (webhook) or an SMTP exchange; a job whose worker died comes back after this. */
const JOB_OPTIONS = { expireInSeconds: 300, retryLimit: 2, retryDelay: 30 } as const;
/** A PENDING delivery this far past its time has lost its job. */
export const LOST_AFTER_MS = 2 * 60_000;
const SWEEP_BATCH = 500;

type Inserter = Pick<PgBoss, "insert">;

export const deliveryJobId = (deliveryId: string, attempt: number) => hashUuid(`${deliveryId}|${attempt}`);

/** Queues attempts (`attempt` is the number the job will make, 1 for a new delivery) to start at `at`. */
export async function enqueueDeliveries(boss: Inserter, items: { deliveryId: string; attempt: number; at: Date }[]): Promise<void> {
  if (items.length === 0) return;
  await boss.insert(
    items.map((i) => ({
      id: deliveryJobId(i.deliveryId, i.attempt),
      name: ALERT_DELIVERY_QUEUE,
      data: { deliveryId: i.deliveryId, attempt: i.attempt } satisfies DeliveryJob,
      startAfter: i.at.toISOString(),
      ...JOB_OPTIONS,
    })),
  );
}

/**
 * Runs one job: the attempt (if the delivery is still due), then the next job when the delivery is
 * still PENDING. A duplicate or early job finds nothing due and re-queues the same next job, which
 * inserts nothing.
 */
export async function handleDeliveryJob(deps: AlertDeps, boss: Inserter, data: unknown): Promise<{ attempt: AttemptView | null; next: { attempt: number; at: Date } | null }> {
  const job = jobData.safeParse(data);
  if (!job.success) return { attempt: null, next: null };
  const attempt = await attemptDelivery(deps, job.data.deliveryId);
  const d = await deps.db.alertDelivery.findUnique({ where: { id: job.data.deliveryId }, select: { status: true, attempts: true, nextAttemptAt: true } });
  if (!d || d.status !== "PENDING" || !d.nextAttemptAt) return { attempt, next: null };
  const next = { attempt: d.attempts + 1, at: d.nextAttemptAt };
  await enqueueDeliveries(boss, [{ deliveryId: job.data.deliveryId, ...next }]);
  return { attempt, next };
}

/**
 * Re-queues PENDING deliveries due more than two minutes ago: their job was never inserted (a crash
 * after the event committed) or its worker died mid-send (the claim's hold ran out). A job that
 * still exists keeps its id, so the insert does nothing. Returns how many were re-queued.
 */
export async function sweepLostDeliveries(db: Db, boss: Inserter, now: Date = new Date()): Promise<number> {
  const lost = await db.alertDelivery.findMany({
    where: { status: "PENDING", nextAttemptAt: { lte: new Date(now.getTime() - LOST_AFTER_MS) } },
    select: { id: true, attempts: true },
    orderBy: { nextAttemptAt: "asc" },
    take: SWEEP_BATCH,
  });
  await enqueueDeliveries(boss, lost.map((d) => ({ deliveryId: d.id, attempt: d.attempts + 1, at: now })));
  return lost.length;
}

export type AlertDeliveryHandle = { workerId: string; stop(): Promise<void> };

type Boss = Pick<PgBoss, "insert" | "work" | "offWork" | "complete" | "fail">;

/**
 * Works the delivery queue in this process: a few jobs per fetch, each completed (or failed, for
 * pg-boss to retry) on its own, so one slow receiver does not hold back the others' completion.
 * Also sweeps for lost deliveries at start and every `sweepEveryMs` (default a minute; 0: never).
 */
export async function startAlertDelivery(boss: Boss, deps: AlertDeps, log: Logger, opts: { sweepEveryMs?: number } = {}): Promise<AlertDeliveryHandle> {
  const now = () => deps.now?.() ?? new Date();
  const workerId = await boss.work<DeliveryJob>(ALERT_DELIVERY_QUEUE, { batchSize: 4, pollingIntervalSeconds: 1 }, async (jobs) => {
    await Promise.all(
      jobs.map(async (job) => {
        try {
          await handleDeliveryJob(deps, boss, job.data);
          await boss.complete(ALERT_DELIVERY_QUEUE, job.id);
        } catch (err) {
          log.warn({ err, deliveryId: job.data?.deliveryId }, "alert delivery job failed; pg-boss retries it");
          await boss.fail(ALERT_DELIVERY_QUEUE, job.id, { message: String((err as Error)?.message ?? err) }).catch(() => {});
        }
      }),
    );
  });
  const sweep = () =>
    sweepLostDeliveries(deps.db, boss, now())
      .then((n) => {
        if (n) log.info({ requeued: n }, "alert deliveries without a job re-queued");
      })
      .catch((err: unknown) => log.warn({ err }, "alert delivery sweep failed"));
  await sweep();
  const every = opts.sweepEveryMs ?? Math.max(60_000, CLAIM_MS / 2);
  const timer = every > 0 ? setInterval(() => void sweep(), every) : undefined;
  timer?.unref();
  return {
    workerId,
    stop: async () => {
      if (timer) clearInterval(timer);
      await boss.offWork({ id: workerId });
    },
  };
}
