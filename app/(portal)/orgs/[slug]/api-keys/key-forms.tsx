"use client";
import { useActionState, useState } from "react";
import type { ActionState } from "@/lib/action-state";
import type { KeyChoices } from "@/lib/api-keys/key-choices";
import { Button } from "@/components/ui/button";
import { SelectField, TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import { ActionForm } from "@/components/ui/action-form";
import { RevealedValue } from "@/components/ui/revealed-value";
import { createApiKeyAction, revokeApiKeyAction } from "./actions";

// The create form and the revoke button of the API keys page. A refused form keeps what was sent
// (the action echoes it); a created key is shown once above a fresh form.

const RESOURCE_CHOICES = [
  { value: "graph", label: "Microsoft Graph", hint: "Mail, calendars and files through graph.microsoft.com." },
  { value: "outlook", label: "Outlook: IMAP, POP and SMTP (XOAUTH2)", hint: "For mail clients and libraries that sign in to IMAP, POP or SMTP with a token." },
] as const;
const EXPIRY_OPTIONS = [
  ["never", "Never"],
  ["30", "In 30 days"],
  ["90", "In 90 days"],
  ["180", "In 180 days"],
  ["365", "In a year"],
  ["custom", "On a date I choose"],
] as const;
const FILTER_FROM = 8;

const sent = (state: ActionState, field: string): string[] => state.lists?.[field] ?? (state.values?.[field] ? [state.values[field]] : []);

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? <p id={id} role="alert" className="text-sm text-red-700">{error}</p> : null;
}

/** Shown once after a key is made: the key, the warning, and two calls that use it. */
export function KeyReveal({ title, apiKey, baseUrl }: { title: string; apiKey: string; baseUrl: string }) {
  const curl = `curl -H "Authorization: Bearer ${apiKey}" ${baseUrl}/api/v1/connections
curl -X POST -H "Authorization: Bearer ${apiKey}" -H "Content-Type: application/json" -d '{"resource":"graph"}' ${baseUrl}/api/v1/connections/CONNECTION_ID/token`;
  return (
    <Notice tone="success" title={title}>
      <p className="font-medium">Copy it now: Mailgrant keeps only a hash and cannot show it again.</p>
      <RevealedValue label="API key" value={apiKey} />
      <p className="mt-3">List the mailboxes it reaches, then get an access token for one of them (its <code className="font-mono text-xs">id</code> from the list):</p>
      <pre aria-label="Example calls with curl" className="mt-2 whitespace-pre-wrap rounded bg-slate-900 p-3 font-mono text-xs text-slate-100 wrap-anywhere">{curl}</pre>
    </Notice>
  );
}

function ReachChoices({ choices, state }: { choices: KeyChoices; state: ActionState }) {
  const failed = state.ok === false;
  const [reach, setReach] = useState(failed && state.values?.reach ? state.values.reach : "ORG");
  const [filter, setFilter] = useState("");
  const chosenIntegrations = failed ? sent(state, "integrationIds") : [];
  const chosenMailboxes = failed ? sent(state, "connectionIds") : [];
  const needle = filter.trim().toLowerCase();
  const shown = needle ? choices.mailboxes.filter((m) => m.mailbox.includes(needle) || m.integrationName.toLowerCase().includes(needle)) : choices.mailboxes;
  const options = [
    { value: "ORG", label: "All mailboxes", hint: "Every mailbox of the organization, including those connected later." },
    { value: "INTEGRATIONS", label: "Mailboxes of chosen integrations", hint: "Every mailbox connected through them, including later ones." },
    { value: "CONNECTIONS", label: "Chosen mailboxes", hint: "Only these; a mailbox connected later is not included." },
  ];
  return (
    <fieldset className="space-y-2" aria-describedby={state.fieldErrors?.reach ? "key-reach-error" : undefined}>
      <legend className="text-sm font-medium text-slate-800">Reaches</legend>
      <ul className="space-y-2">
        {options.map((o) => (
          <li key={o.value}>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="reach" value={o.value} checked={reach === o.value} onChange={() => setReach(o.value)} className="mt-1 shrink-0" />
              <span><span className="font-medium">{o.label}</span><span className="block text-xs text-slate-600">{o.hint}</span></span>
            </label>
          </li>
        ))}
      </ul>
      <ErrorText id="key-reach-error" error={state.fieldErrors?.reach} />
      {reach === "INTEGRATIONS" ? (
        <fieldset className="ml-6 space-y-2" aria-describedby={state.fieldErrors?.integrationIds ? "key-integrations-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Integrations</legend>
          {choices.integrations.length === 0 ? <p className="text-sm text-slate-600">This organization has no integration yet.</p> : null}
          <ul className="space-y-1">
            {choices.integrations.map((i) => (
              <li key={i.id}>
                <label className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="integrationIds" value={i.id} defaultChecked={chosenIntegrations.includes(i.id)} className="mt-1 shrink-0" />
                  <span>{i.name} <span className="text-xs text-slate-600">({i.mailboxes} mailbox{i.mailboxes === 1 ? "" : "es"})</span></span>
                </label>
              </li>
            ))}
          </ul>
          <ErrorText id="key-integrations-error" error={state.fieldErrors?.integrationIds} />
        </fieldset>
      ) : null}
      {reach === "CONNECTIONS" ? (
        <fieldset className="ml-6 space-y-2" aria-describedby={state.fieldErrors?.connectionIds ? "key-mailboxes-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Mailboxes</legend>
          {choices.mailboxes.length === 0 ? <p className="text-sm text-slate-600">No mailbox is connected yet.</p> : null}
          {choices.mailboxes.length >= FILTER_FROM ? (
            <TextField label="Filter mailboxes" name="" id="key-mailbox-filter" type="search" autoComplete="off" value={filter} onChange={(e) => setFilter(e.target.value)} hint={`${shown.length} of ${choices.mailboxes.length} shown; ticked ones stay ticked while hidden.`} />
          ) : null}
          <ul className="max-h-72 space-y-1 overflow-y-auto">
            {choices.mailboxes.map((m) => (
              // Hidden rather than removed, so a ticked mailbox stays in the form while filtered out.
              <li key={m.id} hidden={!shown.includes(m)}>
                <label className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="connectionIds" value={m.id} defaultChecked={chosenMailboxes.includes(m.id)} className="mt-1 shrink-0" />
                  <span className="min-w-0 wrap-anywhere">{m.mailbox} <span className="text-xs text-slate-600">({m.kind === "SHARED" ? "shared, " : ""}{m.integrationName})</span></span>
                </label>
              </li>
            ))}
          </ul>
          <ErrorText id="key-mailboxes-error" error={state.fieldErrors?.connectionIds} />
        </fieldset>
      ) : null}
    </fieldset>
  );
}

function ExpiryChoice({ state }: { state: ActionState }) {
  const failed = state.ok === false;
  const [expiry, setExpiry] = useState(failed && state.values?.expiry ? state.values.expiry : "never");
  return (
    <div className="grid gap-3 sm:grid-cols-2">
      <SelectField label="Expires" name="expiry" id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)} error={state.fieldErrors?.expiry}>
        {EXPIRY_OPTIONS.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
      </SelectField>
      {expiry === "custom" ? (
        <TextField label="Last day it works" name="expiresOn" id="key-expires-on" type="date" defaultValue={failed ? state.values?.expiresOn : undefined} error={state.fieldErrors?.expiresOn} hint="It stops working at the end of that day (UTC)." />
      ) : null}
    </div>
  );
}

export function CreateApiKeyForm({ slug, choices, baseUrl }: { slug: string; choices: KeyChoices; baseUrl: string }) {
  const [state, action, pending] = useActionState(createApiKeyAction, {});
  const failed = state.ok === false;
  const resources = failed ? sent(state, "resources") : ["graph"];
  return (
    <div className="space-y-4">
      {state.ok && state.reveal ? <KeyReveal title={state.message ?? "API key created"} apiKey={state.reveal} baseUrl={baseUrl} /> : null}
      <form action={action} aria-label="Create API key" className="max-w-2xl space-y-5" noValidate key={failed ? JSON.stringify([state.values, state.lists]) : `new-${state.reveal ?? ""}`}>
        <input type="hidden" name="slug" value={slug} />
        <TextField label="Name" id="key-name" name="name" autoComplete="off" placeholder="Helpdesk production" maxLength={200} defaultValue={failed ? state.values?.name : undefined} error={state.fieldErrors?.name} hint="Says what uses the key; shown in the list and the audit log." />
        <ReachChoices choices={choices} state={state} />
        <fieldset className="space-y-2" aria-describedby={state.fieldErrors?.resources ? "key-resources-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Tokens it may get</legend>
          <ul className="space-y-2">
            {RESOURCE_CHOICES.map((r) => (
              <li key={r.value}>
                <label className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="resources" value={r.value} defaultChecked={resources.includes(r.value)} className="mt-1 shrink-0" />
                  <span><span className="font-medium">{r.label}</span><span className="block text-xs text-slate-600">{r.hint}</span></span>
                </label>
              </li>
            ))}
          </ul>
          <ErrorText id="key-resources-error" error={state.fieldErrors?.resources} />
        </fieldset>
        <ExpiryChoice state={state} />
        {failed && state.message && !Object.values(state.fieldErrors ?? {}).includes(state.message) ? <p role="alert" className="text-sm text-red-700">{state.message}</p> : null}
        <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create API key"}</Button>
      </form>
    </div>
  );
}

export function RevokeKeyForm({ slug, id, name }: { slug: string; id: string; name: string }) {
  return (
    <ActionForm action={revokeApiKeyAction} fields={{ slug, id }} confirm={`Revoke “${name}”? Software using it is refused from its next call. This cannot be undone.`} errorClassName="text-xs text-red-700">
      {({ pending }) => (
        <Button type="submit" variant="secondary" className="px-2.5 py-1 text-xs" disabled={pending} aria-label={`Revoke ${name}`}>
          {pending ? "Revoking…" : "Revoke"}
        </Button>
      )}
    </ActionForm>
  );
}
