"use client";
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-state";
import type { AttemptView } from "@/lib/alerts/channels";
import { Badge, Notice } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { ActionForm } from "@/components/ui/action-form";
import { EmailFields, FormRefusal, SecretReveal, WebhookFields } from "../../channel-forms";
import { deleteChannelAction, redeliverAction, rotateWebhookSecretAction, sendTestEventAction, setChannelPausedAction, updateChannelAction } from "../actions";
import { AttemptResult } from "./attempt-result";

// The channel page's forms. Test sends and redeliveries show the attempt the action returns.

/** The attempt the test/redeliver actions put in `data` (see ../actions.ts). */
const attemptOf = (state: ActionState) => (state.ok ? (state.data as AttemptView | undefined) : undefined);

type Current = { id: string; kind: "WEBHOOK" | "EMAIL"; name: string; url: string | null; includeAdmins: boolean; recipients: string[]; events: string[] };

export function EditChannelForm({ slug, channel: c }: { slug: string; channel: Current }) {
  const [state, action, pending] = useActionState(updateChannelAction, {});
  return (
    <form action={action} className="space-y-4" noValidate key={state.ok === false ? JSON.stringify([state.values, state.lists]) : `saved-${state.message ?? ""}-${c.name}-${c.url}-${c.events.join()}-${c.recipients.join()}-${c.includeAdmins}`}>
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="id" value={c.id} />
      <input type="hidden" name="kind" value={c.kind} />
      {state.ok ? <Notice tone="success">{state.message}</Notice> : null}
      <FormRefusal state={state} />
      {c.kind === "WEBHOOK" ? (
        <WebhookFields idPrefix="edit" state={state} current={{ name: c.name, url: c.url ?? "", events: c.events }} />
      ) : (
        <EmailFields idPrefix="edit" state={state} current={{ name: c.name, includeAdmins: c.includeAdmins, recipients: c.recipients, events: c.events }} />
      )}
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save changes"}</Button>
    </form>
  );
}

export function SendTestForm({ slug, id, kind, paused }: { slug: string; id: string; kind: "WEBHOOK" | "EMAIL"; paused: boolean }) {
  const [state, action, pending] = useActionState(sendTestEventAction, {});
  const attempt = attemptOf(state);
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="id" value={id} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" disabled={pending}>{pending ? "Sending…" : "Send a test event"}</Button>
        <span role="status" className="text-sm text-slate-700">{pending ? (kind === "WEBHOOK" ? "Posting a signed test event; the receiver has 10 seconds to answer…" : "Sending a test email…") : ""}</span>
      </div>
      {paused ? <p className="text-xs text-slate-600">The channel is paused; a test event is still sent, so you can check the receiver before resuming.</p> : null}
      {state.ok === false ? <Notice tone="error">{state.message}</Notice> : null}
      {attempt ? <AttemptResult attempt={attempt} title="Test event" /> : null}
    </form>
  );
}

export function RotateSecretForm({ slug, id, name }: { slug: string; id: string; name: string }) {
  return (
    <ActionForm action={rotateWebhookSecretAction} fields={{ slug, id }} className="space-y-3" confirm={`Rotate the signing secret of “${name}”? The current secret stops verifying at once: update the receiver with the new one.`}>
      {({ pending, state }) => (
        <>
          {state.ok && state.reveal ? <SecretReveal title="New signing secret" secret={state.reveal} /> : null}
          <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Rotating…" : "Rotate secret"}</Button>
        </>
      )}
    </ActionForm>
  );
}

export function PauseForm({ slug, id, paused }: { slug: string; id: string; paused: boolean }) {
  return (
    <ActionForm action={setChannelPausedAction} fields={{ slug, id, paused: paused ? "no" : "yes" }} className="space-y-3">
      {({ pending, state }) => (
        <>
          <Button type="submit" variant="secondary" disabled={pending}>{pending ? (paused ? "Resuming…" : "Pausing…") : paused ? "Resume" : "Pause"}</Button>
          {state.ok && state.message ? <p role="status" className="text-sm text-green-800">{state.message}</p> : null}
        </>
      )}
    </ActionForm>
  );
}

export function DeleteChannelForm({ slug, id, name }: { slug: string; id: string; name: string }) {
  return (
    <ActionForm action={deleteChannelAction} fields={{ slug, id }} confirm={`Delete “${name}”? Nothing more is sent to it, and its delivery log is deleted too. This cannot be undone.`}>
      {({ pending }) => <Button type="submit" variant="danger" disabled={pending}>{pending ? "Deleting…" : `Delete “${name}”`}</Button>}
    </ActionForm>
  );
}

const STATUS = {
  DELIVERED: { label: "Delivered", tone: "green" },
  PENDING: { label: "Retrying", tone: "amber" },
  FAILED: { label: "Failed", tone: "red" },
  SKIPPED: { label: "Skipped", tone: "slate" },
} as const;

/** One delivery-log row, pre-formatted on the server; its Redeliver result opens a row below it. */
export type DeliveryRowView = {
  id: string;
  label: string;
  type: string;
  when: string;
  whenExact: string;
  attempts: number;
  statusCode: number | null;
  duration: string | null;
  status: keyof typeof STATUS;
  nextRetry: string | null;
  error: string | null;
  mailbox: string | null;
  manual: boolean;
};

export function DeliveryRow({ slug, d, columns }: { slug: string; d: DeliveryRowView; columns: number }) {
  const [state, action, pending] = useActionState(redeliverAction, {});
  const attempt = attemptOf(state);
  const s = STATUS[d.status];
  return (
    <>
      <tr className="align-top">
        <td className="py-2 pr-3">
          <span className="font-medium">{d.label}</span>
          {d.manual ? <span className="text-xs text-slate-600"> · by hand</span> : null}
          {d.mailbox ? <span className="block text-xs text-slate-600 wrap-anywhere">{d.mailbox}</span> : null}
          <time className="block text-xs text-slate-600 sm:hidden" title={d.whenExact}>{d.when}</time>
        </td>
        <td className="py-2 pr-3 whitespace-nowrap max-sm:hidden"><time title={d.whenExact}>{d.when}</time></td>
        <td className="py-2 pr-3 tabular-nums max-sm:hidden">{d.attempts}</td>
        <td className="py-2 pr-3 whitespace-nowrap tabular-nums max-sm:hidden">{d.statusCode ?? "—"}{d.duration ? <span className="text-slate-600"> · {d.duration}</span> : null}</td>
        <td className="py-2 pr-3">
          <Badge tone={s.tone}>{s.label}</Badge>
          <span className="block text-xs text-slate-600 tabular-nums sm:hidden">{d.attempts} attempt{d.attempts === 1 ? "" : "s"}{d.statusCode !== null ? ` · ${d.statusCode}` : ""}{d.duration ? ` · ${d.duration}` : ""}</span>
          {d.nextRetry ? <span className="block text-xs text-slate-600">Next retry {d.nextRetry}</span> : null}
          {d.error && d.status !== "DELIVERED" ? <span className="block text-xs text-red-800 wrap-anywhere">{d.error}</span> : null}
        </td>
        <td className="py-2 text-right">
          <form action={action}>
            <input type="hidden" name="slug" value={slug} />
            <input type="hidden" name="deliveryId" value={d.id} />
            <Button type="submit" variant="secondary" className="px-2.5 py-1" disabled={pending} aria-label={`Redeliver ${d.label} from ${d.whenExact}`}>{pending ? "Sending…" : "Redeliver"}</Button>
          </form>
        </td>
      </tr>
      {attempt || state.ok === false ? (
        <tr>
          <td colSpan={columns} className="pb-3">
            {/* Sized by the table, not by its content: a long header or body scrolls in its own box instead of widening the log. */}
            <div className="[contain:inline-size]">
              {attempt ? <AttemptResult attempt={attempt} title="Redelivery" /> : <p role="alert" className="text-sm text-red-700">{state.message}</p>}
            </div>
          </td>
        </tr>
      ) : null}
    </>
  );
}
