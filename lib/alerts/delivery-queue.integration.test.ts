import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type PgBoss from "pg-boss";
import { openTestDb } from "@/test-support/test-db";
import { until } from "@/test-support/worker-fixtures";
import { alertDeps, alertOrg, eventFor, failingPayload, startReceiver, type Receiver } from "@/test-support/alert-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { logger } from "@/lib/logger";
import { createBoss, ensureQueues } from "@/lib/worker/boss";
import { ALERT_DELIVERY_QUEUE } from "@/lib/worker/queues";
import { createWebhookChannel } from "./channels";
import { deliveryJobId, enqueueDeliveries, startAlertDelivery, sweepLostDeliveries } from "./delivery-queue";

// Deliveries as pg-boss jobs on the embedded database: the same (delivery, attempt) never queues
// twice, and a delivery whose job was lost between the event's commit and the insert is found by
// the sweep and delivered.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let rx: Receiver;
beforeAll(async () => {
  database = await openTestDb();
  rx = await startReceiver();
});
afterAll(async () => {
  await rx.close();
  await database.close();
});

function recordingBoss() {
  const inserted: PgBoss.JobInsert[] = [];
  return { inserted, insert: async (jobs: PgBoss.JobInsert[]) => void inserted.push(...jobs) } as unknown as Pick<PgBoss, "insert"> & { inserted: PgBoss.JobInsert[] };
}

describe("delivery queue", () => {
  it("the sweep re-queues PENDING deliveries more than 2 minutes overdue, with the id of their next attempt", async () => {
    const s = await alertOrg(database.prisma);
    const deps = alertDeps(database.prisma, keyring);
    const { channel } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Sweep", url: rx.url("/sweep"), events: ["connection.failing"] });
    const now = new Date("2026-05-02T12:00:00.000Z");
    const lost = await eventFor(database.prisma, s.org.id, channel.id, new Date(now.getTime() - 5 * 60_000), "connection.failing", failingPayload(s.org));
    await database.prisma.alertDelivery.update({ where: { id: lost.delivery.id }, data: { attempts: 2 } });
    await eventFor(database.prisma, s.org.id, channel.id, new Date(now.getTime() - 30_000), "connection.failing", failingPayload(s.org));
    const done = await eventFor(database.prisma, s.org.id, channel.id, new Date(now.getTime() - 9 * 60_000), "connection.failing", failingPayload(s.org));
    await database.prisma.alertDelivery.update({ where: { id: done.delivery.id }, data: { status: "DELIVERED" } });

    const boss = recordingBoss();
    expect(await sweepLostDeliveries(database.prisma, boss, now)).toBe(1);
    expect(boss.inserted).toEqual([expect.objectContaining({ id: deliveryJobId(lost.delivery.id, 3), name: ALERT_DELIVERY_QUEUE, data: { deliveryId: lost.delivery.id, attempt: 3 }, startAfter: now.toISOString() })]);
    await database.prisma.alertDelivery.deleteMany({ where: { channelId: channel.id } });
  });

  it("on pg-boss: a job queued twice is one job, and a delivery whose job was lost is swept at start and delivered by the worker", async () => {
    const boss = createBoss(database);
    boss.on("error", () => {});
    await boss.start();
    try {
      await ensureQueues(boss, [{ name: ALERT_DELIVERY_QUEUE }]);
      const s = await alertOrg(database.prisma);
      const deps = alertDeps(database.prisma, keyring);
      const { channel } = await createWebhookChannel(deps, s.org.id, s.owner, { name: "Boss", url: rx.url("/boss"), events: ["connection.failing"] });
      const later = new Date(Date.now() + 3_600_000);
      const queued = await eventFor(database.prisma, s.org.id, channel.id, later, "connection.failing", failingPayload(s.org));
      await enqueueDeliveries(boss, [{ deliveryId: queued.delivery.id, attempt: 1, at: later }]);
      await enqueueDeliveries(boss, [{ deliveryId: queued.delivery.id, attempt: 1, at: later }]);
      const jobs = await database.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND data->>'deliveryId' = $2`, ALERT_DELIVERY_QUEUE, queued.delivery.id);
      expect(jobs[0]!.n).toBe(1);

      // Committed, but the process died before inserting its job.
      const lost = await eventFor(database.prisma, s.org.id, channel.id, new Date(Date.now() - 10 * 60_000), "connection.failing", failingPayload(s.org));
      const arrived = rx.next();
      const handle = await startAlertDelivery(boss, deps, logger, { sweepEveryMs: 0 });
      try {
        const req = await arrived;
        expect(req.headers["webhook-id"]).toBe(lost.event.id);
        const d = await until("the swept delivery to be recorded", async () => {
          const row = await database.prisma.alertDelivery.findUniqueOrThrow({ where: { id: lost.delivery.id } });
          return row.status === "DELIVERED" && row;
        }, 20_000, 50);
        expect(d).toMatchObject({ attempts: 1, lastStatusCode: 204 });
        await until("the job to complete", async () => {
          const [row] = await database.prisma.$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE name = $1 AND id = $2::uuid`, ALERT_DELIVERY_QUEUE, deliveryJobId(lost.delivery.id, 1));
          return row?.state === "completed";
        }, 20_000, 50);
        // The one queued for later is still waiting.
        expect(await database.prisma.alertDelivery.findUniqueOrThrow({ where: { id: queued.delivery.id } })).toMatchObject({ status: "PENDING", attempts: 0 });
      } finally {
        await handle.stop();
      }
    } finally {
      await boss.stop({ graceful: false, close: true, wait: true, timeout: 2000 }).catch(() => {});
    }
  });
});
