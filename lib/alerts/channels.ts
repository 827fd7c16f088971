import type { Db } from "@/lib/db-client";
import type { RequestMeta } from "@/lib/audit/record";
import type { AnyEventType, EventType } from "./events";
import type { AlertDeps } from "./deps";

// CONTRACT (bodies to be written): an org's notification channels. Webhook: an https URL (checked by
// url-guard.ts at save and again at send) and a generated Standard Webhooks signing secret shown once.
// Email: the org's owners and admins (includeAdmins) plus extra addresses. Each channel chooses its events.

type Actor = { id: string; email: string };

export type ChannelView = {
  id: string;
  kind: "WEBHOOK" | "EMAIL";
  name: string;
  url: string | null;
  includeAdmins: boolean;
  recipients: string[];
  events: EventType[];
  status: "ACTIVE" | "PAUSED";
  pausedAt: Date | null;
  pausedReason: string | null;
  failingSince: Date | null;
  lastDeliveryAt: Date | null;
  lastDeliveryOk: boolean | null;
  createdAt: Date;
};

export type WebhookInput = { name: string; url: string; events: string[] };
export type EmailInput = { name: string; includeAdmins: boolean; recipients: string; events: string[] };

export type DeliveryView = {
  id: string;
  eventId: string;
  eventType: AnyEventType;
  eventAt: Date;
  status: "PENDING" | "DELIVERED" | "FAILED" | "SKIPPED";
  attempts: number;
  lastStatusCode: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  manual: boolean;
  /** The mailbox the event is about, when it is about one. */
  mailbox: string | null;
};

/** What "Send a test event" and "Redeliver" show: the request sent and what came back. */
export type AttemptView = {
  deliveryId: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  request: { method: "POST"; url: string; headers: Record<string, string>; body: string } | { to: string[]; subject: string; text: string };
};

const todo = (): never => {
  throw new Error("lib/alerts/channels.ts: not written yet");
};

export async function listChannels(db: Db, orgId: string): Promise<ChannelView[]> {
  void db, orgId;
  return todo();
}
export async function getChannel(db: Db, orgId: string, channelId: string): Promise<ChannelView | null> {
  void db, orgId, channelId;
  return todo();
}
/** Creates a webhook channel; the signing secret (whsec_…) is returned once and stored encrypted. */
export async function createWebhookChannel(deps: AlertDeps, orgId: string, actor: Actor, input: WebhookInput, meta?: RequestMeta): Promise<{ channel: ChannelView; secret: string }> {
  void deps, orgId, actor, input, meta;
  return todo();
}
export async function createEmailChannel(deps: AlertDeps, orgId: string, actor: Actor, input: EmailInput, meta?: RequestMeta): Promise<ChannelView> {
  void deps, orgId, actor, input, meta;
  return todo();
}
/** Changes name, URL (webhook), recipients (email) and events; the kind and secret stay. */
export async function updateChannel(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, input: Partial<WebhookInput & EmailInput>, meta?: RequestMeta): Promise<ChannelView> {
  void deps, orgId, actor, channelId, input, meta;
  return todo();
}
export async function rotateWebhookSecret(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<{ secret: string }> {
  void deps, orgId, actor, channelId, meta;
  return todo();
}
export async function setChannelPaused(db: Db, orgId: string, actor: Actor, channelId: string, paused: boolean, meta?: RequestMeta): Promise<ChannelView> {
  void db, orgId, actor, channelId, paused, meta;
  return todo();
}
export async function deleteChannel(db: Db, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<void> {
  void db, orgId, actor, channelId, meta;
  return todo();
}
/** Sends a "test" event to the channel now and returns the request and the answer (also in its delivery log). */
export async function sendTestEvent(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<AttemptView> {
  void deps, orgId, actor, channelId, meta;
  return todo();
}
/** The channel's delivery log, newest first (keyset paging on createdAt, id). */
export async function listDeliveries(db: Db, orgId: string, channelId: string, opts?: { before?: string; limit?: number }): Promise<{ deliveries: DeliveryView[]; next: string | null }> {
  void db, orgId, channelId, opts;
  return todo();
}
/** Sends one delivery again now, by hand (a new attempt on the same event and channel). */
export async function redeliver(deps: AlertDeps, orgId: string, actor: Actor, deliveryId: string, meta?: RequestMeta): Promise<AttemptView> {
  void deps, orgId, actor, deliveryId, meta;
  return todo();
}
