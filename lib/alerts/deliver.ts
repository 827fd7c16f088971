import type { Prisma } from "@/generated/prisma/client";
import { DecryptError } from "@/lib/crypto";
import { record } from "@/lib/audit/record";
import { logger } from "@/lib/logger";
import { metrics } from "@/lib/metrics/metrics";
import type { AlertDeps } from "./deps";
import type { AttemptView } from "./channels";
import type { AnyEventType, EventEnvelope } from "./events";
import { decryptChannelSecret } from "./channel-secret";
import { alertRecipients, orgAdminEmails, renderAlertEmail } from "./email";
import { checkWebhookUrl } from "./url-guard";
import { postWebhook, signedRequest } from "./webhook";

// One attempt of one delivery (an event to a channel), and what it changes: the attempt log, the
// delivery's state and next retry, and the channel's health. A channel failing for three days is
// paused and its org's owners and admins are told. Scheduled attempts come from pg-boss jobs
// (delivery-queue.ts); manual ones from "Send a test event" and "Redeliver" (channels.ts).

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** Attempts a scheduled delivery gets before it is FAILED. */
export const MAX_ATTEMPTS = 6;
/** Waits after attempts 1…5: about 23 hours in all, so a receiver down for a day loses nothing. */
const RETRY_DELAYS_MS = [1 * MINUTE, 10 * MINUTE, 1 * HOUR, 6 * HOUR, 16 * HOUR];
/** A channel whose deliveries have failed this long, with no success between, is paused. */
export const PAUSE_AFTER_MS = 3 * DAY;
/** A claimed attempt holds the delivery this long: a worker that dies mid-send leaves it to the sweep after that. */
export const CLAIM_MS = 2 * MINUTE;
/** A job this early (clock skew between worker and database) still runs its attempt. */
const EARLY_SLACK_MS = 30_000;

/** The wait before the next attempt after `attemptsMade` attempts, ±20 % jitter so retries of one outage spread out; null: give up. */
export function retryDelayMs(attemptsMade: number, random: () => number = Math.random): number | null {
  if (attemptsMade < 1 || attemptsMade >= MAX_ATTEMPTS) return null;
  const base = RETRY_DELAYS_MS[attemptsMade - 1]!;
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Loaded = Prisma.AlertDeliveryGetPayload<{ include: { event: true; channel: true } }>;
type Outcome = { ok: boolean; statusCode: number | null; durationMs: number; error: string | null; request: AttemptView["request"] };

export const envelopeOf = (event: { id: string; type: string; createdAt: Date; payload: unknown }): EventEnvelope =>
  ({ id: event.id, type: event.type as AnyEventType, timestamp: event.createdAt.toISOString(), data: event.payload }) as EventEnvelope;

async function sendWebhook(deps: AlertDeps, d: Loaded): Promise<Outcome> {
  const url = d.channel.url ?? "";
  const failed = (error: string, headers: Record<string, string> = {}, body = ""): Outcome => ({ ok: false, statusCode: null, durationMs: 0, error, request: { method: "POST", url, headers, body } });
  if (!d.channel.secretEncrypted) return failed("This webhook has no signing secret: rotate the secret on Settings, then redeliver.");
  let secret: string;
  try {
    secret = decryptChannelSecret(deps.keyring, { orgId: d.orgId, id: d.channelId, secretEncrypted: d.channel.secretEncrypted });
  } catch (e) {
    if (!(e instanceof DecryptError)) throw e;
    return failed(`The signing secret cannot be read (${e.message}): rotate the secret on Settings and give the receiver the new one.`);
  }
  // Signed with the wall clock, not deps.now: the receiver checks the timestamp against its own clock.
  const { body, headers } = signedRequest(secret, envelopeOf(d.event), new Date());
  // Checked again at send: the URL was checked at save, but DNS may answer differently now.
  const checked = await checkWebhookUrl(url, { allowLocal: deps.allowLocalWebhooks, lookup: deps.lookup });
  if (!checked.ok) return failed(checked.message, headers, body);
  const r = await postWebhook({ url: checked.url, headers, body, allowLocal: deps.allowLocalWebhooks, lookup: deps.lookup });
  return { ...r, request: { method: "POST", url, headers, body } };
}

async function sendEmail(deps: AlertDeps, d: Loaded): Promise<Outcome> {
  const to = await alertRecipients(deps.db, d.orgId, d.channel);
  const message = renderAlertEmail(envelopeOf(d.event), { publicUrl: deps.publicUrl });
  const request = { to, subject: message.subject, text: message.text };
  const failed = (error: string, statusCode: number | null = null, durationMs = 0): Outcome => ({ ok: false, statusCode, durationMs, error, request });
  if (!deps.mail) return failed("No outgoing mail is configured: set MAILGRANT_SMTP_URL (smtp://user:password@host:587) so email channels can send.");
  if (to.length === 0) return failed("This channel has no recipients: the org has no owners or admins to include and no extra addresses. Add addresses on Settings.");
  const started = performance.now();
  try {
    const sent = await deps.mail.send({ ...message, to, orgId: d.orgId });
    return { ok: true, statusCode: sent.code, durationMs: Math.round(performance.now() - started), error: null, request };
  } catch (e) {
    const err = e as { message?: string; responseCode?: number; code?: string };
    const code = typeof err.responseCode === "number" ? err.responseCode : null;
    return failed(`The mail server refused or failed: ${err.message ?? String(e)}${err.code ? ` (${err.code})` : ""}. Check MAILGRANT_SMTP_URL and the sender MAILGRANT_MAIL_FROM.`, code, Math.round(performance.now() - started));
  }
}

/** Takes the next attempt number: scheduled ones only when due and nobody else took it, manual ones always. */
async function claim(deps: AlertDeps, d: Loaded, manual: boolean, now: Date): Promise<number | null> {
  if (manual) {
    const row = await deps.db.alertDelivery.update({ where: { id: d.id }, data: { attempts: { increment: 1 }, manual: true }, select: { attempts: true } });
    return row.attempts;
  }
  const due = d.nextAttemptAt && d.nextAttemptAt.getTime() <= now.getTime() + EARLY_SLACK_MS;
  if (d.status !== "PENDING" || !due) return null;
  const taken = await deps.db.alertDelivery.updateMany({
    where: { id: d.id, status: "PENDING", attempts: d.attempts },
    data: { attempts: d.attempts + 1, nextAttemptAt: new Date(now.getTime() + CLAIM_MS) },
  });
  return taken.count === 1 ? d.attempts + 1 : null;
}

/** The delivery's state after an attempt (see DeliveryStatus in the schema). */
function nextState(d: Loaded, attempt: number, o: Outcome, manual: boolean, now: Date, random: () => number) {
  const last = { lastStatusCode: o.statusCode, lastDurationMs: o.durationMs, lastError: o.error ? o.error.slice(0, 1000) : null };
  if (o.ok) return { outcome: "delivered" as const, data: { ...last, status: "DELIVERED" as const, deliveredAt: now, nextAttemptAt: null } };
  if (manual) {
    // A failed redelivery leaves a running schedule and an earlier success as they were.
    const scheduled = d.status === "PENDING" && d.nextAttemptAt !== null;
    const status = scheduled || d.status === "DELIVERED" ? d.status : ("FAILED" as const);
    return { outcome: "failed_attempt" as const, data: { ...last, status, ...(status === "FAILED" ? { nextAttemptAt: null } : {}) } };
  }
  const delay = retryDelayMs(attempt, random);
  if (delay === null) return { outcome: "gave_up" as const, data: { ...last, status: "FAILED" as const, nextAttemptAt: null } };
  return { outcome: "failed_attempt" as const, data: { ...last, status: "PENDING" as const, nextAttemptAt: new Date(now.getTime() + delay) } };
}

export type AttemptOptions = { manual?: boolean; random?: () => number };

/**
 * Makes one attempt of a delivery now. Scheduled (manual false): only when it is PENDING and due; on
 * a paused channel it is SKIPPED instead. Manual: always, paused channel or not, so an admin can
 * see whether a receiver is back. Returns what was sent and what came back, or null when nothing
 * was attempted (the delivery is gone, not due, done, taken by another worker, or skipped).
 */
export async function attemptDelivery(deps: AlertDeps, deliveryId: string, opts: AttemptOptions = {}): Promise<AttemptView | null> {
  const manual = opts.manual ?? false;
  const now = deps.now?.() ?? new Date();
  const d = await deps.db.alertDelivery.findUnique({ where: { id: deliveryId }, include: { event: true, channel: true } });
  if (!d) return null;
  const kind = d.channel.kind.toLowerCase();
  const m = metrics();

  if (!manual && d.status === "PENDING" && d.channel.status === "PAUSED") {
    const skipped = await deps.db.alertDelivery.updateMany({ where: { id: d.id, status: "PENDING" }, data: { status: "SKIPPED", lastError: "channel paused", nextAttemptAt: null } });
    if (skipped.count) m.alertDeliveries.inc({ kind, outcome: "skipped" });
    return null;
  }
  const attempt = await claim(deps, d, manual, now);
  if (attempt === null) return null;

  const o = d.channel.kind === "WEBHOOK" ? await sendWebhook(deps, d) : await sendEmail(deps, d);
  const after = deps.now?.() ?? new Date();
  const state = nextState(d, attempt, o, manual, after, opts.random ?? Math.random);
  await deps.db.alertAttempt.create({ data: { deliveryId: d.id, attempt, at: after, statusCode: o.statusCode, durationMs: o.durationMs, error: state.data.lastError } });
  await deps.db.alertDelivery.update({ where: { id: d.id }, data: state.data });
  m.alertDeliveries.inc({ kind, outcome: state.outcome });
  m.alertDeliveryDuration.observe({ kind }, o.durationMs / 1000);
  await channelHealth(deps, d, o, after);
  return { deliveryId: d.id, attempt, ok: o.ok, statusCode: o.statusCode, durationMs: o.durationMs, error: o.error, request: o.request };
}

/** Last delivery and failing-since on the channel; three days of failures pause it. */
async function channelHealth(deps: AlertDeps, d: Loaded, o: Outcome, now: Date) {
  const db = deps.db;
  if (o.ok) {
    await db.alertChannel.update({ where: { id: d.channelId }, data: { lastDeliveryAt: now, lastDeliveryOk: true, failingSince: null } });
    return;
  }
  await db.alertChannel.update({ where: { id: d.channelId }, data: { lastDeliveryAt: now, lastDeliveryOk: false } });
  // Only the first failure after a success starts the clock.
  await db.alertChannel.updateMany({ where: { id: d.channelId, failingSince: null }, data: { failingSince: now } });
  const c = await db.alertChannel.findUnique({ where: { id: d.channelId }, select: { failingSince: true, status: true } });
  if (!c?.failingSince || c.status !== "ACTIVE" || now.getTime() - c.failingSince.getTime() < PAUSE_AFTER_MS) return;
  await pauseFailingChannel(deps, d, c.failingSince, o.error ?? "no answer", now);
}

const utc = (t: Date) => `${t.toISOString().slice(0, 16).replace("T", " ")} UTC`;

async function pauseFailingChannel(deps: AlertDeps, d: Loaded, failingSince: Date, lastError: string, now: Date) {
  const days = Math.floor((now.getTime() - failingSince.getTime()) / DAY);
  const reason = `Paused automatically: every delivery since ${utc(failingSince)} (${days} days) failed. Last error: ${lastError}`.slice(0, 1000);
  // One worker pauses (and mails); a second failing attempt at the same moment finds it paused.
  const paused = await deps.db.alertChannel.updateMany({ where: { id: d.channelId, status: "ACTIVE" }, data: { status: "PAUSED", pausedAt: now, pausedReason: reason } });
  if (paused.count === 0) return;
  await record(deps.db, { action: "alert_channel.paused", orgId: d.orgId, actor: null, targetType: "alert_channel", targetId: d.channelId, data: { name: d.channel.name, kind: d.channel.kind, automatic: true, failingSince: failingSince.toISOString() } });
  logger.warn({ orgId: d.orgId, channelId: d.channelId, failingSince }, "alert channel paused after 3 days of failed deliveries");
  await mailPauseNotice(deps, d, { failingSince, lastError, days });
}

async function mailPauseNotice(deps: AlertDeps, d: Loaded, p: { failingSince: Date; lastError: string; days: number }) {
  if (!deps.mail) return void logger.warn({ orgId: d.orgId, channelId: d.channelId }, "alert channel paused; no outgoing mail configured to tell the org's admins");
  const org = await deps.db.org.findUnique({ where: { id: d.orgId }, select: { name: true, slug: true } });
  const to = await orgAdminEmails(deps.db, d.orgId);
  if (!org || to.length === 0) return;
  const settings = `${deps.publicUrl}/orgs/${org.slug}/settings`;
  const what = d.channel.kind === "WEBHOOK" ? `The webhook "${d.channel.name}" (${d.channel.url})` : `The email channel "${d.channel.name}"`;
  const text = [
    `${what} of ${org.name} is paused.`,
    "",
    `Every delivery to it has failed since ${utc(p.failingSince)}, ${p.days} days in a row. The last error was:`,
    `  ${p.lastError}`,
    "",
    "While it is paused it receives no events (they are logged as skipped). To resume:",
    "  1. Fix the receiver (see the error above).",
    "  2. Open Settings, use \"Send a test event\" on the channel to check it answers 2xx.",
    "  3. Resume the channel.",
    "",
    `Settings: ${settings}`,
  ].join("\n");
  try {
    await deps.mail.send({ to, orgId: d.orgId, subject: `[Mailgrant] Alert channel "${d.channel.name}" paused after ${p.days} days of failures`, text });
  } catch (err) {
    logger.error({ err, orgId: d.orgId, channelId: d.channelId }, "could not mail the org's admins that an alert channel was paused");
  }
}
