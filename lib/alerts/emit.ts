import type { Tx } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { metrics } from "@/lib/metrics/metrics";
import type { EventData, EventType } from "./events";

// Recording an event and what each channel is to receive of it. Called by the evaluator inside
// its transaction; the deliveries it returns are queued as pg-boss jobs once that commits
// (lib/alerts/delivery-queue.ts), and a sweep re-queues any a crash lost in between.

export type QueuedDelivery = { deliveryId: string; attempt: number; at: Date };

export type NewEvent<T extends EventType = EventType> = {
  orgId: string;
  type: T;
  data: EventData[T];
  connectionId?: string | null;
  integrationId?: string | null;
  tenantId?: string | null;
  /** Folded into this tenant digest: recorded for the timeline, sent to no channel. */
  digestId?: string | null;
};

export async function emitEvent<T extends EventType>(tx: Tx, e: NewEvent<T>, now: Date): Promise<{ eventId: string; deliveries: QueuedDelivery[] }> {
  const eventId = crypto.randomUUID();
  await tx.alertEvent.create({
    data: {
      id: eventId,
      orgId: e.orgId,
      type: e.type,
      connectionId: e.connectionId ?? null,
      integrationId: e.integrationId ?? null,
      tenantId: e.tenantId ?? null,
      digestId: e.digestId ?? null,
      payload: e.data as unknown as Prisma.InputJsonValue,
      createdAt: now,
    },
  });
  if (e.digestId) return { eventId, deliveries: [] };
  metrics().alertEvents.inc({ type: e.type });
  const channels = await tx.alertChannel.findMany({ where: { orgId: e.orgId, events: { has: e.type } }, select: { id: true, status: true } });
  const deliveries: QueuedDelivery[] = [];
  for (const c of channels) {
    const id = crypto.randomUUID();
    const paused = c.status === "PAUSED";
    await tx.alertDelivery.create({
      data: { id, orgId: e.orgId, eventId, channelId: c.id, status: paused ? "SKIPPED" : "PENDING", nextAttemptAt: paused ? null : now, lastError: paused ? "The channel is paused: resume it on Settings, then redeliver." : null, createdAt: now },
    });
    if (!paused) deliveries.push({ deliveryId: id, attempt: 1, at: now });
  }
  return { eventId, deliveries };
}
