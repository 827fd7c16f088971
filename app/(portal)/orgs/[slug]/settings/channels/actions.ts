"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { formList, idField } from "@/lib/action-state";
import { deploymentAlertDeps } from "@/lib/deployment";
import {
  createEmailChannel,
  createWebhookChannel,
  deleteChannel,
  redeliver,
  rotateWebhookSecret,
  sendTestEvent,
  setChannelPaused,
  updateChannel,
  type AttemptView,
} from "@/lib/alerts/channels";

// Notification channels from Settings and the channel page. The domain functions validate names,
// URLs (https, no private addresses), addresses and events, and say which field is wrong; these
// schemas only bound what a form may send.

const name = z.string().max(200);
const events = formList(z.string().max(100)).pipe(z.array(z.string()).max(50));
const checkbox = z.literal("yes").optional().transform((v) => v === "yes");
const channelId = idField("That notification channel");

export const createWebhookChannelAction = orgAction(
  { permission: "org.settings", schema: z.object({ name, url: z.string().max(2000), events }) },
  async ({ db, org, user, meta, input }) => {
    const { channel, secret } = await createWebhookChannel(deploymentAlertDeps(db), org.id, user, input, meta);
    return { ok: true, message: `Webhook “${channel.name}” added`, reveal: secret, data: { channelId: channel.id } };
  },
);

export const createEmailChannelAction = orgAction(
  { permission: "org.settings", schema: z.object({ name, includeAdmins: checkbox, recipients: z.string().max(5000), events }) },
  async ({ db, org, user, meta, input }) => {
    const channel = await createEmailChannel(deploymentAlertDeps(db), org.id, user, input, meta);
    return { ok: true, message: `Email channel “${channel.name}” added.`, data: { channelId: channel.id } };
  },
);

// One form per kind on the channel page; `kind` says which fields it carries.
export const updateChannelAction = orgAction(
  {
    permission: "org.settings",
    schema: z.object({ id: channelId, kind: z.enum(["WEBHOOK", "EMAIL"]), name, url: z.string().max(2000).optional(), includeAdmins: checkbox, recipients: z.string().max(5000).optional(), events }),
  },
  async ({ db, org, user, meta, input: { id, kind, ...f } }) => {
    const input = kind === "WEBHOOK" ? { name: f.name, url: f.url ?? "", events: f.events } : { name: f.name, includeAdmins: f.includeAdmins, recipients: f.recipients ?? "", events: f.events };
    const channel = await updateChannel(deploymentAlertDeps(db), org.id, user, id, input, meta);
    return { ok: true, message: `Saved “${channel.name}”.` };
  },
);

const attemptMessage = (a: AttemptView) =>
  a.ok ? `Delivered${a.statusCode !== null ? ` (${a.statusCode})` : ""} in ${a.durationMs} ms.` : `Not delivered${a.statusCode !== null ? ` (${a.statusCode})` : ""}: ${a.error ?? "the receiver did not accept it."}`;

/** The attempt goes back whole (request, answer, time taken) for the page to show; `ok` is the action's, not the delivery's. */
export const sendTestEventAction = orgAction({ permission: "org.settings", schema: z.object({ id: channelId }) }, async ({ db, org, user, meta, input }) => {
  const attempt = await sendTestEvent(deploymentAlertDeps(db), org.id, user, input.id, meta);
  return { ok: true, message: attemptMessage(attempt), data: attempt };
});

export const redeliverAction = orgAction({ permission: "org.settings", schema: z.object({ deliveryId: idField("That delivery") }) }, async ({ db, org, user, meta, input }) => {
  const attempt = await redeliver(deploymentAlertDeps(db), org.id, user, input.deliveryId, meta);
  return { ok: true, message: attemptMessage(attempt), data: attempt };
});

export const rotateWebhookSecretAction = orgAction({ permission: "org.settings", schema: z.object({ id: channelId }) }, async ({ db, org, user, meta, input }) => {
  const { secret } = await rotateWebhookSecret(deploymentAlertDeps(db), org.id, user, input.id, meta);
  return { ok: true, message: "New signing secret created: the old one no longer verifies. Copy this one into your receiver now; it is not shown again.", reveal: secret };
});

export const setChannelPausedAction = orgAction(
  { permission: "org.settings", schema: z.object({ id: channelId, paused: z.enum(["yes", "no"]) }) },
  async ({ db, org, user, meta, input }) => {
    const channel = await setChannelPaused(db, org.id, user, input.id, input.paused === "yes", meta);
    return { ok: true, message: channel.status === "PAUSED" ? `“${channel.name}” is paused: events are recorded but not sent to it.` : `“${channel.name}” is active again: new events are sent to it.` };
  },
);

export const deleteChannelAction = orgAction({ permission: "org.settings", schema: z.object({ id: channelId }) }, async ({ db, org, slug, user, meta, input }) => {
  await deleteChannel(db, org.id, user, input.id, meta);
  return { redirect: `/orgs/${slug}/settings?channelDeleted=1#notifications` };
});
