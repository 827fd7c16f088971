import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { AppError, notFound } from "@/lib/errors";
import { metrics } from "@/lib/metrics/metrics";
import { record, type RequestMeta } from "@/lib/audit/record";
import { isEventType, type AnyEventType, type EventType } from "./events";
import type { AlertDeps } from "./deps";
import { emailInput, parseOrThrow, updateInput, webhookInput } from "./channel-input";
import { encryptChannelSecret } from "./channel-secret";
import { attemptDelivery } from "./deliver";
import { checkWebhookUrl } from "./url-guard";
import { newSigningSecret } from "./webhook";

// An org's notification channels. Webhook: an https URL (checked by url-guard.ts at save and again
// at send) and a generated Standard Webhooks signing secret, shown once and stored encrypted.
// Email: the org's owners and admins (includeAdmins) plus extra addresses. Each channel chooses its
// events. Every change is audited, never with a secret; a webhook's URL is audited by its host only,
// since paths and queries often carry the receiver's own token.

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

/** Everything but the signing secret. */
const channelSelect = {
  id: true,
  kind: true,
  name: true,
  url: true,
  includeAdmins: true,
  recipients: true,
  events: true,
  status: true,
  pausedAt: true,
  pausedReason: true,
  failingSince: true,
  lastDeliveryAt: true,
  lastDeliveryOk: true,
  createdAt: true,
} as const satisfies Prisma.AlertChannelSelect;

type ChannelRow = Prisma.AlertChannelGetPayload<{ select: typeof channelSelect }>;

const toView = (c: ChannelRow): ChannelView => ({ ...c, events: c.events.filter(isEventType) });
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
const hostOf = (url: string | null) => (url ? new URL(url).host : null);

async function channelOrThrow(db: Db, orgId: string, channelId: string): Promise<ChannelRow> {
  const c = isUuid(channelId) ? await db.alertChannel.findFirst({ where: { id: channelId, orgId }, select: channelSelect }) : null;
  if (!c) throw notFound("That notification channel");
  return c;
}

async function checkedUrl(deps: AlertDeps, raw: string): Promise<string> {
  const r = await checkWebhookUrl(raw, { allowLocal: deps.allowLocalWebhooks, lookup: deps.lookup });
  if (!r.ok) throw new AppError("invalid_input", r.message, "url");
  return r.url.toString();
}

export async function listChannels(db: Db, orgId: string): Promise<ChannelView[]> {
  const rows = await db.alertChannel.findMany({ where: { orgId }, select: channelSelect, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(toView);
}

export async function getChannel(db: Db, orgId: string, channelId: string): Promise<ChannelView | null> {
  if (!isUuid(channelId)) return null;
  const c = await db.alertChannel.findFirst({ where: { id: channelId, orgId }, select: channelSelect });
  return c ? toView(c) : null;
}

/** Creates a webhook channel; the signing secret (whsec_…) is returned once and stored encrypted. */
export async function createWebhookChannel(deps: AlertDeps, orgId: string, actor: Actor, input: WebhookInput, meta?: RequestMeta): Promise<{ channel: ChannelView; secret: string }> {
  const v = parseOrThrow(webhookInput, input);
  const url = await checkedUrl(deps, v.url);
  const id = crypto.randomUUID();
  const secret = newSigningSecret();
  const channel = await deps.db.$transaction(async (tx) => {
    const c = await tx.alertChannel.create({
      data: { id, orgId, kind: "WEBHOOK", name: v.name, url, secretEncrypted: encryptChannelSecret(deps.keyring, orgId, id, secret), includeAdmins: false, recipients: [], events: v.events, createdById: actor.id },
      select: channelSelect,
    });
    await record(tx, { action: "alert_channel.created", orgId, actor, targetType: "alert_channel", targetId: id, data: { kind: "WEBHOOK", name: v.name, host: hostOf(url), events: v.events }, meta });
    return c;
  });
  return { channel: toView(channel), secret };
}

export async function createEmailChannel(deps: AlertDeps, orgId: string, actor: Actor, input: EmailInput, meta?: RequestMeta): Promise<ChannelView> {
  const v = parseOrThrow(emailInput, input);
  if (!v.includeAdmins && v.recipients.length === 0) throw new AppError("invalid_input", "Add at least one address, or include the org's owners and admins.", "recipients");
  const channel = await deps.db.$transaction(async (tx) => {
    const c = await tx.alertChannel.create({
      data: { orgId, kind: "EMAIL", name: v.name, includeAdmins: v.includeAdmins, recipients: v.recipients, events: v.events, createdById: actor.id },
      select: channelSelect,
    });
    await record(tx, { action: "alert_channel.created", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { kind: "EMAIL", name: v.name, includeAdmins: v.includeAdmins, recipients: v.recipients, events: v.events }, meta });
    return c;
  });
  return toView(channel);
}

/** Changes name, URL (webhook), recipients (email) and events; the kind and secret stay. */
export async function updateChannel(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, input: Partial<WebhookInput & EmailInput>, meta?: RequestMeta): Promise<ChannelView> {
  const current = await channelOrThrow(deps.db, orgId, channelId);
  const v = parseOrThrow(updateInput, input);
  const webhook = current.kind === "WEBHOOK";
  if (webhook && (v.recipients !== undefined || v.includeAdmins !== undefined)) throw new AppError("invalid_input", "A webhook channel has no recipients: it POSTs to its URL.", "recipients");
  if (!webhook && v.url !== undefined) throw new AppError("invalid_input", "An email channel has no URL: it mails its recipients.", "url");
  const data: Prisma.AlertChannelUpdateInput = {};
  if (v.name !== undefined) data.name = v.name;
  if (v.events !== undefined) data.events = v.events;
  if (v.url !== undefined) data.url = await checkedUrl(deps, v.url);
  if (v.includeAdmins !== undefined) data.includeAdmins = v.includeAdmins;
  if (v.recipients !== undefined) data.recipients = v.recipients;
  if (!webhook && !(v.includeAdmins ?? current.includeAdmins) && (v.recipients ?? current.recipients).length === 0) {
    throw new AppError("invalid_input", "Add at least one address, or include the org's owners and admins.", "recipients");
  }
  const changed = Object.keys(data).filter((k) => JSON.stringify(data[k as keyof typeof data]) !== JSON.stringify(current[k as keyof ChannelRow]));
  if (changed.length === 0) return toView(current);
  const updated = await deps.db.$transaction(async (tx) => {
    const c = await tx.alertChannel.update({ where: { id: current.id, orgId }, data, select: channelSelect });
    const audited = Object.fromEntries(changed.map((k) => [k, k === "url" ? hostOf(c.url) : (data[k as keyof typeof data] as Prisma.InputJsonValue)]));
    await record(tx, { action: "alert_channel.updated", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { name: c.name, changed: audited }, meta });
    return c;
  });
  return toView(updated);
}

export async function rotateWebhookSecret(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<{ secret: string }> {
  const c = await channelOrThrow(deps.db, orgId, channelId);
  if (c.kind !== "WEBHOOK") throw new AppError("bad_request", "Only webhook channels have a signing secret.");
  const secret = newSigningSecret();
  await deps.db.$transaction(async (tx) => {
    await tx.alertChannel.update({ where: { id: c.id, orgId }, data: { secretEncrypted: encryptChannelSecret(deps.keyring, orgId, c.id, secret) } });
    await record(tx, { action: "alert_channel.secret_rotated", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { name: c.name }, meta });
  });
  return { secret };
}

/** Pauses or resumes by hand. Resuming starts the failure clock afresh (else one failure would pause it again at once). */
export async function setChannelPaused(db: Db, orgId: string, actor: Actor, channelId: string, paused: boolean, meta?: RequestMeta): Promise<ChannelView> {
  const c = await channelOrThrow(db, orgId, channelId);
  if ((c.status === "PAUSED") === paused) return toView(c);
  const data = paused ? { status: "PAUSED" as const, pausedAt: new Date(), pausedReason: `Paused by ${actor.email}.` } : { status: "ACTIVE" as const, pausedAt: null, pausedReason: null, failingSince: null };
  const updated = await db.$transaction(async (tx) => {
    const u = await tx.alertChannel.update({ where: { id: c.id, orgId }, data, select: channelSelect });
    await record(tx, { action: paused ? "alert_channel.paused" : "alert_channel.resumed", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { name: c.name, ...(paused ? {} : { pausedReason: c.pausedReason }) }, meta });
    return u;
  });
  return toView(updated);
}

export async function deleteChannel(db: Db, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<void> {
  const c = await channelOrThrow(db, orgId, channelId);
  await db.$transaction(async (tx) => {
    await tx.alertChannel.deleteMany({ where: { id: c.id, orgId } });
    await record(tx, { action: "alert_channel.deleted", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { kind: c.kind, name: c.name }, meta });
  });
}

/** Sends a "test" event to the channel now and returns the request and the answer (also in its delivery log). */
export async function sendTestEvent(deps: AlertDeps, orgId: string, actor: Actor, channelId: string, meta?: RequestMeta): Promise<AttemptView> {
  const c = await channelOrThrow(deps.db, orgId, channelId);
  const org = await deps.db.org.findUniqueOrThrow({ where: { id: orgId }, select: { id: true, slug: true, name: true } });
  const payload = { org, message: `A test event sent by ${actor.email} from Settings to "${c.name}".` };
  const delivery = await deps.db.$transaction(async (tx) => {
    const event = await tx.alertEvent.create({ data: { orgId, type: "test", payload }, select: { id: true } });
    return tx.alertDelivery.create({ data: { orgId, eventId: event.id, channelId: c.id, manual: true }, select: { id: true, eventId: true } });
  });
  metrics().alertEvents.inc({ type: "test" });
  const attempt = await attemptDelivery(deps, delivery.id, { manual: true });
  if (!attempt) throw notFound("That notification channel");
  await record(deps.db, { action: "alert_channel.test_sent", orgId, actor, targetType: "alert_channel", targetId: c.id, data: { name: c.name, eventId: delivery.eventId, ok: attempt.ok, statusCode: attempt.statusCode }, meta });
  return attempt;
}

const PAGE = 50;
const cursorOf = (d: { createdAt: Date; id: string }) => `${d.createdAt.getTime()}.${d.id}`;
function parseCursor(before: string | undefined): { at: Date; id: string } | null {
  const m = before ? /^(\d{1,15})\.([0-9a-f-]{36})$/i.exec(before) : null;
  // A cursor that does not parse (an edited URL) starts from the newest.
  return m ? { at: new Date(Number(m[1])), id: m[2]! } : null;
}

/** The channel's delivery log, newest first (keyset paging on createdAt, id). */
export async function listDeliveries(db: Db, orgId: string, channelId: string, opts: { before?: string; limit?: number } = {}): Promise<{ deliveries: DeliveryView[]; next: string | null }> {
  if (!isUuid(channelId)) return { deliveries: [], next: null };
  const limit = Math.min(Math.max(opts.limit ?? PAGE, 1), 200);
  const cursor = parseCursor(opts.before);
  const rows = await db.alertDelivery.findMany({
    where: { orgId, channelId, ...(cursor ? { OR: [{ createdAt: { lt: cursor.at } }, { createdAt: cursor.at, id: { lt: cursor.id } }] } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: { event: { select: { type: true, createdAt: true, payload: true, connection: { select: { mailbox: true } } } } },
  });
  const page = rows.slice(0, limit);
  const deliveries = page.map((d): DeliveryView => {
    const payload = d.event.payload as { connection?: { mailbox?: unknown } } | null;
    const fromPayload = typeof payload?.connection?.mailbox === "string" ? payload.connection.mailbox : null;
    return {
      id: d.id,
      eventId: d.eventId,
      eventType: d.event.type as AnyEventType,
      eventAt: d.event.createdAt,
      status: d.status,
      attempts: d.attempts,
      lastStatusCode: d.lastStatusCode,
      lastDurationMs: d.lastDurationMs,
      lastError: d.lastError,
      nextAttemptAt: d.nextAttemptAt,
      deliveredAt: d.deliveredAt,
      manual: d.manual,
      mailbox: d.event.connection?.mailbox ?? fromPayload,
    };
  });
  return { deliveries, next: rows.length > limit ? cursorOf(page.at(-1)!) : null };
}

/** Sends one delivery again now, by hand (a new attempt on the same event and channel, the same webhook-id). Works on paused channels. */
export async function redeliver(deps: AlertDeps, orgId: string, actor: Actor, deliveryId: string, meta?: RequestMeta): Promise<AttemptView> {
  const d = isUuid(deliveryId) ? await deps.db.alertDelivery.findFirst({ where: { id: deliveryId, orgId }, select: { id: true, channelId: true, eventId: true, event: { select: { type: true } } } }) : null;
  if (!d) throw notFound("That delivery");
  const attempt = await attemptDelivery(deps, d.id, { manual: true });
  if (!attempt) throw notFound("That delivery");
  await record(deps.db, { action: "alert_delivery.redelivered", orgId, actor, targetType: "alert_delivery", targetId: d.id, data: { channelId: d.channelId, eventId: d.eventId, eventType: d.event.type, attempt: attempt.attempt, ok: attempt.ok, statusCode: attempt.statusCode }, meta });
  return attempt;
}
