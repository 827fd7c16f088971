// A stand-in for lib/worker/worker.ts with its contract (startWorker → tickNow, idle, stats, stop),
// used by the bench only while the pg-boss worker has not landed on this branch. It does what a
// scheduled check must do and nothing more: claim due connections with a lease (FOR UPDATE SKIP
// LOCKED, so several processes never take the same one), run the real connection test, record the
// check with the next slot and release the lease in the same transaction, beat every 10 s. No
// pg-boss, no tenant caps: its figures are the portal's check path without the queue.
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { runConnectionTest } from "@/lib/connections/connection-test";
import { recordCheck } from "@/lib/checks/record";
import { nextDueAt, periodMsOf } from "@/lib/checks/schedule";
import type { StartWorker, WorkerHandle } from "./worker-contract";

type Claimed = { id: string; orgId: string; interval: number };

export const startStandInWorker: StartWorker = async ({ database, deps, config, id = randomUUID() }) => {
  const db = database.prisma;
  const concurrency = config?.concurrency ?? 32;
  const leaseMs = (config?.leaseSeconds ?? 300) * 1000;
  const queue: Claimed[] = [];
  let inFlight = 0;
  let checksDone = 0;
  let stopped = false;
  let waiters: (() => void)[] = [];
  const startedAt = new Date();
  const beat = () =>
    db.workerHeartbeat.upsert({
      where: { id },
      create: { id, host: hostname(), pid: process.pid, startedAt, beatAt: new Date(), inFlight },
      update: { beatAt: new Date(), inFlight, stoppedAt: null },
    });
  await beat();
  const beating = setInterval(() => void beat().catch(() => {}), 10_000);

  const settle = () => {
    if (queue.length === 0 && inFlight === 0) {
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    }
  };

  async function runOne(c: Claimed) {
    const run = await runConnectionTest({ ...deps, db }, c.orgId, c.id).catch(() => null);
    if (run) {
      const now = new Date();
      await recordCheck(db, { orgId: c.orgId, connectionId: c.id, trigger: "SCHEDULED", run, now, nextCheckAt: nextDueAt(c.id, periodMsOf(c.interval), now), releaseLeaseOf: id });
    }
    checksDone += 1;
  }

  function pump() {
    while (!stopped && inFlight < concurrency && queue.length > 0) {
      const c = queue.shift()!;
      inFlight += 1;
      void runOne(c)
        .catch(() => {})
        .finally(() => {
          inFlight -= 1;
          pump();
          settle();
        });
    }
    settle();
  }

  const handle: WorkerHandle = {
    id,
    stats: () => ({ inFlight, capacity: concurrency, checksDone }),
    async tickNow() {
      const now = new Date();
      const claimed = await db.$queryRaw<Claimed[]>`
        UPDATE "Connection" c SET "checkLeaseUntil" = ${new Date(now.getTime() + leaseMs)}, "checkLeaseOwner" = ${id}
        FROM (SELECT c2.id, o."checkIntervalMinutes" AS interval FROM "Connection" c2 JOIN "Org" o ON o.id = c2."orgId"
              WHERE c2."nextCheckAt" <= ${now} AND c2.status = 'CONNECTED' AND (c2."checkLeaseUntil" IS NULL OR c2."checkLeaseUntil" < ${now})
              ORDER BY c2."nextCheckAt" LIMIT 20000 FOR UPDATE OF c2 SKIP LOCKED) due
        WHERE c.id = due.id
        RETURNING c.id, c."orgId", due.interval`;
      queue.push(...claimed);
      pump();
      return claimed.length;
    },
    idle: () => new Promise<void>((resolve) => {
      waiters.push(resolve);
      settle();
    }),
    async stop() {
      stopped = true;
      clearInterval(beating);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        queue.length = 0;
        settle();
      });
      await db.workerHeartbeat.update({ where: { id }, data: { stoppedAt: new Date(), inFlight: 0 } }).catch(() => {});
    },
  };
  return handle;
};
