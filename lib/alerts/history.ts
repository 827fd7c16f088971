import type { Db } from "@/lib/db-client";
import { EVENT_LABELS, type AnyEventType } from "./events";

// What the mailbox page shows of the alerts a connection caused: each event with its label, and
// per channel what became of it. Reads only; events and deliveries are written by the evaluator
// and deliver.ts. Read within the org, never by connection id alone.

export type ConnectionAlert = {
  id: string;
  type: string;
  label: string;
  /** One line from the payload: the failure's title, the days left, … (null when it has none). */
  summary: string | null;
  createdAt: Date;
  /** Folded into a tenant digest (five or more of the tenant's mailboxes failing): not sent on its own. */
  inDigest: boolean;
  deliveries: {
    id: string;
    channelId: string;
    channelName: string;
    channelKind: "WEBHOOK" | "EMAIL";
    status: "PENDING" | "DELIVERED" | "FAILED" | "SKIPPED";
    attempts: number;
    lastStatusCode: number | null;
    lastError: string | null;
    nextAttemptAt: Date | null;
    deliveredAt: Date | null;
  }[];
};

const MAX = 100;

export async function alertsForConnection(db: Db, orgId: string, connectionId: string, opts: { limit?: number } = {}): Promise<ConnectionAlert[]> {
  const rows = await db.alertEvent.findMany({
    where: { orgId, connectionId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(Math.max(1, opts.limit ?? 20), MAX),
    select: {
      id: true,
      type: true,
      payload: true,
      createdAt: true,
      digestId: true,
      deliveries: {
        // A delivery row belongs to the event's org; the filter keeps that true even if a bug wrote otherwise.
        where: { orgId },
        orderBy: { createdAt: "asc" },
        select: {
          id: true, channelId: true, status: true, attempts: true, lastStatusCode: true, lastError: true, nextAttemptAt: true, deliveredAt: true,
          channel: { select: { name: true, kind: true } },
        },
      },
    },
  });
  return rows.map((r) => ({
    id: r.id,
    type: r.type,
    label: EVENT_LABELS[r.type as AnyEventType]?.label ?? r.type,
    summary: summarize(r.type, r.payload),
    createdAt: r.createdAt,
    inDigest: r.digestId !== null,
    deliveries: r.deliveries.map(({ channel, ...d }) => ({ ...d, channelName: channel.name, channelKind: channel.kind })),
  }));
}

type Loose = { data?: { failure?: { title?: unknown }; daysLeft?: unknown; health?: unknown } } | null;

/** The stored envelope is { id, type, timestamp, data }; only a few well-known fields are read. */
export function summarize(type: string, payload: unknown): string | null {
  const data = (payload as Loose)?.data;
  if (!data) return null;
  if (type === "connection.failing" && typeof data.failure?.title === "string") return data.failure.title;
  if (type === "connection.at_risk" && typeof data.daysLeft === "number") return `${data.daysLeft} day${data.daysLeft === 1 ? "" : "s"} left`;
  return null;
}
