"use client";
import { useActionState } from "react";
import Link from "next/link";
import type { ActionState } from "@/lib/action-state";
import { EVENT_LABELS, EVENT_TYPES } from "@/lib/alerts/events";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import { RevealedValue } from "@/components/ui/revealed-value";
import { createEmailChannelAction, createWebhookChannelAction } from "./channels/actions";

// The forms that add notification channels, and the pieces the channel page's edit forms share.
// After a refused save every field shows what was sent (the action echoes it); after a save the
// form starts empty again.

/** A refusal's message when no field shows it already (a domain error on one field carries the same words). */
export function FormRefusal({ state }: { state: ActionState }) {
  if (state.ok !== false || !state.message) return null;
  if (!state.fieldErrors) return <Notice tone="error">{state.message}</Notice>;
  if (Object.values(state.fieldErrors).includes(state.message)) return null;
  return <p role="alert" className="text-sm text-red-700">{state.message}</p>;
}

/** The events a refused form sent (one ticked box arrives as a value, several as a list). */
export function sentEvents(state: ActionState): string[] {
  return state.lists?.events ?? (state.values?.events ? [state.values.events] : []);
}

export function EventChoices({ idPrefix, selected, error }: { idPrefix: string; selected: readonly string[]; error?: string }) {
  const errorId = `${idPrefix}-events-error`;
  return (
    <fieldset className="space-y-2" aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-800">Events</legend>
      <p className="text-xs text-slate-600">Each is sent once per change of state, never repeated while nothing changes.</p>
      <ul className="space-y-2">
        {EVENT_TYPES.map((type) => (
          <li key={type}>
            <label className="flex items-start gap-2 text-sm">
              <input type="checkbox" name="events" value={type} defaultChecked={selected.includes(type)} className="mt-1 shrink-0" />
              <span className="min-w-0">
                <span className="font-medium">{EVENT_LABELS[type].label}</span> <code className="font-mono text-xs text-slate-600">{type}</code>
                <span className="block text-xs text-slate-600">{EVENT_LABELS[type].description}</span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      {error ? <p id={errorId} role="alert" className="text-sm text-red-700">{error}</p> : null}
    </fieldset>
  );
}

export function WebhookFields({ idPrefix, state, current }: { idPrefix: string; state: ActionState; current?: { name: string; url: string; events: readonly string[] } }) {
  const failed = state.ok === false;
  return (
    <>
      <TextField label="Name" id={`${idPrefix}-name`} name="name" autoComplete="off" placeholder="Ops on-call" defaultValue={failed ? state.values?.name : current?.name} error={state.fieldErrors?.name} hint="Shown in the delivery log and the audit log." />
      <TextField
        label="URL"
        id={`${idPrefix}-url`}
        name="url"
        type="url"
        inputMode="url"
        autoComplete="off"
        placeholder="https://hooks.example.com/mailgrant"
        defaultValue={failed ? state.values?.url : current?.url}
        error={state.fieldErrors?.url}
        hint="An https address on the public internet. Events are POSTed to it as JSON, signed, with a 10 second timeout."
      />
      <EventChoices idPrefix={idPrefix} selected={failed ? sentEvents(state) : (current?.events ?? EVENT_TYPES)} error={state.fieldErrors?.events} />
    </>
  );
}

export function EmailFields({ idPrefix, state, current }: { idPrefix: string; state: ActionState; current?: { name: string; includeAdmins: boolean; recipients: readonly string[]; events: readonly string[] } }) {
  const failed = state.ok === false;
  const includeAdmins = failed ? state.values?.includeAdmins === "yes" : (current?.includeAdmins ?? true);
  return (
    <>
      <TextField label="Name" id={`${idPrefix}-name`} name="name" autoComplete="off" placeholder="Mail team" defaultValue={failed ? state.values?.name : current?.name} error={state.fieldErrors?.name} />
      <div className="space-y-1">
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="includeAdmins" value="yes" defaultChecked={includeAdmins} className="mt-1" />
          <span>Send to the org&apos;s owners and admins <span className="block text-xs text-slate-600">Whoever has the role when an event happens.</span></span>
        </label>
        {state.fieldErrors?.includeAdmins ? <p role="alert" className="text-sm text-red-700">{state.fieldErrors.includeAdmins}</p> : null}
      </div>
      <TextField
        label="Other addresses"
        id={`${idPrefix}-recipients`}
        name="recipients"
        autoComplete="off"
        placeholder="mail-team@contoso.com, oncall@contoso.com"
        defaultValue={failed ? state.values?.recipients : current?.recipients.join(", ")}
        error={state.fieldErrors?.recipients}
        hint="Optional. Separate addresses with commas or spaces."
      />
      <EventChoices idPrefix={idPrefix} selected={failed ? sentEvents(state) : (current?.events ?? EVENT_TYPES)} error={state.fieldErrors?.events} />
    </>
  );
}

/** Shown once after a webhook is created or its secret rotated: the secret, and how a receiver checks it. */
export function SecretReveal({ title, secret, children }: { title: string; secret: string; children?: React.ReactNode }) {
  return (
    <Notice tone="success" title={title}>
      <p>Its signing secret is shown only now. Copy it into the receiver; the portal keeps it encrypted and cannot show it again.</p>
      <RevealedValue label="Signing secret" value={secret} />
      <VerifyHint />
      {children}
    </Notice>
  );
}

export function VerifyHint() {
  return (
    <details className="mt-3 text-sm">
      <summary className="cursor-pointer font-medium">How the receiver verifies a request</summary>
      <div className="mt-2 space-y-2">
        <p>
          Requests are signed with the <a className="underline" href="https://www.standardwebhooks.com/" target="_blank" rel="noreferrer">Standard Webhooks</a> scheme: the headers <code className="font-mono text-xs">webhook-id</code>,{" "}
          <code className="font-mono text-xs">webhook-timestamp</code> and <code className="font-mono text-xs">webhook-signature</code> (<code className="font-mono text-xs">v1,</code> + base64 HMAC-SHA256 of <code className="font-mono text-xs">id.timestamp.body</code>). Any Standard Webhooks library verifies them, for example in Node.js:
        </p>
        <pre className="overflow-x-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100">{`import { Webhook } from "standardwebhooks";
const wh = new Webhook(process.env.MAILGRANT_WEBHOOK_SECRET);
// rawBody: the request body exactly as received
const event = wh.verify(rawBody, request.headers); // throws if forged or older than 5 min`}</pre>
        <p>Answer with any 2xx status within 10 seconds; anything else is retried with backoff for about a day. The <code className="font-mono text-xs">webhook-id</code> stays the same across retries, so a receiver can ignore repeats.</p>
      </div>
    </details>
  );
}

const channelLink = (slug: string, state: ActionState) => {
  const id = (state.data as { channelId?: string } | undefined)?.channelId;
  return id ? `/orgs/${slug}/settings/channels/${id}` : null;
};

export function AddWebhookForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(createWebhookChannelAction, {});
  const link = channelLink(slug, state);
  return (
    <div className="space-y-4">
      {state.ok && state.reveal ? (
        <SecretReveal title={state.message ?? "Webhook added"} secret={state.reveal}>
          {link ? <p className="mt-3"><Link className="font-medium underline" href={link}>Open the webhook</Link> to send a test event and see its delivery log.</p> : null}
        </SecretReveal>
      ) : null}
      <form action={action} aria-label="Add webhook" className="space-y-4" noValidate key={state.ok === false ? JSON.stringify([state.values, state.lists]) : `new-${state.reveal ?? ""}`}>
        <input type="hidden" name="slug" value={slug} />
        <FormRefusal state={state} />
        <WebhookFields idPrefix="new-webhook" state={state} />
        <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add webhook"}</Button>
      </form>
    </div>
  );
}

export function AddEmailChannelForm({ slug }: { slug: string }) {
  const [state, action, pending] = useActionState(createEmailChannelAction, {});
  const link = channelLink(slug, state);
  return (
    <div className="space-y-4">
      {state.ok ? (
        <Notice tone="success" title={state.message}>
          {link ? <p><Link className="font-medium underline" href={link}>Open the channel</Link> to send a test email.</p> : null}
        </Notice>
      ) : null}
      <form action={action} aria-label="Add email channel" className="space-y-4" noValidate key={state.ok === false ? JSON.stringify([state.values, state.lists]) : `new-${link ?? ""}`}>
        <input type="hidden" name="slug" value={slug} />
        <FormRefusal state={state} />
        <EmailFields idPrefix="new-email" state={state} />
        <Button type="submit" disabled={pending}>{pending ? "Adding…" : "Add email channel"}</Button>
      </form>
    </div>
  );
}
