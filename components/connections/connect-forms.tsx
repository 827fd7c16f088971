"use client";
import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { SelectField, TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import { MicrosoftButton } from "./microsoft-button";

type IntegrationOption = { id: string; name: string };

function IntegrationSelect({ id, integrations, defaultValue, error }: { id: string; integrations: IntegrationOption[]; defaultValue?: string; error?: string }) {
  if (integrations.length === 1) return <input type="hidden" name="integrationId" value={integrations[0]!.id} />;
  return (
    <SelectField label="Integration" id={id} name="integrationId" defaultValue={defaultValue ?? integrations[0]?.id} error={error}>
      {integrations.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
    </SelectField>
  );
}

function MailboxKindChoice({ name, value, onChange }: { name: string; value: string; onChange: (v: string) => void }) {
  return (
    <fieldset className="space-y-1">
      <legend className="text-sm font-medium text-slate-800">Mailbox type</legend>
      <label className="flex items-center gap-2 text-sm"><input type="radio" name={name} value="USER" checked={value === "USER"} onChange={() => onChange("USER")} /> A user&apos;s own mailbox (its user signs in)</label>
      <label className="flex items-center gap-2 text-sm"><input type="radio" name={name} value="SHARED" checked={value === "SHARED"} onChange={() => onChange("SHARED")} /> A shared mailbox (a delegate with Full Access signs in)</label>
    </fieldset>
  );
}

// Server actions come in as props: components never import from app/.

export function ConnectMailboxForm({ action: connectAction, slug, integrations, selected, canConnectOthers, ownEmail }: { action: FormAction; slug: string; integrations: IntegrationOption[]; selected?: string; canConnectOthers: boolean; ownEmail: string }) {
  const [state, action, pending] = useActionState(connectAction, {});
  const [kind, setKind] = useState(state.values?.mailboxKind ?? "USER");
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="slug" value={slug} />
      {state.ok === false && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <IntegrationSelect id="connect-integration" integrations={integrations} defaultValue={state.values?.integrationId ?? selected} error={state.fieldErrors?.integrationId} />
      {canConnectOthers ? (
        <>
          <MailboxKindChoice name="mailboxKind" value={kind} onChange={setKind} />
          <TextField
            label={kind === "SHARED" ? "Shared mailbox address" : "Mailbox address (optional)"}
            name="mailbox"
            type="email"
            autoComplete="off"
            placeholder={kind === "SHARED" ? "support@contoso.com" : "megan@contoso.com"}
            defaultValue={state.values?.mailbox}
            error={state.fieldErrors?.mailbox}
            hint={kind === "SHARED" ? "Sign in next with an account that has Full Access to it." : "Microsoft will ask for this account. Leave empty to connect whichever account signs in."}
          />
        </>
      ) : (
        <p className="text-sm text-slate-700">You will connect your own mailbox, <strong>{ownEmail}</strong>.{state.fieldErrors?.mailbox ? <span role="alert" className="block text-red-700">{state.fieldErrors.mailbox}</span> : null}</p>
      )}
      <MicrosoftButton disabled={pending}>{pending ? "Opening Microsoft…" : "Sign in with Microsoft"}</MicrosoftButton>
    </form>
  );
}

export function InviteMailboxForm({ action: inviteAction, slug, integrations, selected }: { action: FormAction; slug: string; integrations: IntegrationOption[]; selected?: string }) {
  const [state, action, pending] = useActionState(inviteAction, {});
  const [kind, setKind] = useState("USER");
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="slug" value={slug} />
      {state.ok && state.reveal ? (
        <Notice tone="success" title={state.message}>
          <input aria-label="Consent link" readOnly value={state.reveal} className="mt-2 w-full rounded border border-green-300 bg-white px-2 py-1 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        </Notice>
      ) : null}
      {state.ok === false && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <IntegrationSelect id="invite-integration" integrations={integrations} defaultValue={state.values?.integrationId ?? selected} error={state.fieldErrors?.integrationId} />
      <MailboxKindChoice name="mailboxKind" value={kind} onChange={setKind} />
      <TextField label="Mailbox owner's address" name="mailbox" id="invite-mailbox" type="email" autoComplete="off" placeholder="megan@contoso.com" defaultValue={state.ok ? "" : state.values?.mailbox} key={state.ok ? "reset" : "keep"} error={state.fieldErrors?.mailbox} hint={kind === "SHARED" ? "Send the link to a delegate of the shared mailbox; they sign in with their own account." : "Only this account can use the link."} />
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Creating…" : "Create consent link"}</Button>
    </form>
  );
}

type RowAction = { action: FormAction; slug: string; id: string };

export function RevokeLinkForm({ action, slug, id, mailbox }: RowAction & { mailbox: string }) {
  return (
    <ActionForm action={action} fields={{ slug, id }} errorClassName="text-xs text-red-700">
      {({ pending }) => <Button type="submit" variant="ghost" disabled={pending} aria-label={`Withdraw consent link for ${mailbox}`}>Withdraw</Button>}
    </ActionForm>
  );
}

export function ReconsentForm({ action, slug, id }: RowAction) {
  return (
    <ActionForm action={action} fields={{ slug, id }} className="space-y-2">
      {({ pending }) => <MicrosoftButton disabled={pending}>{pending ? "Opening Microsoft…" : "Re-consent with Microsoft"}</MicrosoftButton>}
    </ActionForm>
  );
}

export function DisconnectForm({ action, slug, id, mailbox }: RowAction & { mailbox: string }) {
  return (
    <ActionForm action={action} fields={{ slug, id }} className="space-y-2" confirm={`Disconnect ${mailbox}? The stored grant is deleted; software using this connection stops getting tokens.`}>
      {({ pending }) => <Button type="submit" variant="danger" disabled={pending}>Disconnect {mailbox}</Button>}
    </ActionForm>
  );
}

export function AdminConsentForm({ action, slug, integrationId }: { action: FormAction; slug: string; integrationId: string }) {
  return (
    <ActionForm action={action} fields={{ slug, integrationId }} className="space-y-2">
      {({ pending }) => <MicrosoftButton disabled={pending}>{pending ? "Opening Microsoft…" : "Grant admin consent for the organization"}</MicrosoftButton>}
    </ActionForm>
  );
}

export function RefreshNowForm({ action, slug, id }: RowAction) {
  return (
    <ActionForm action={action} fields={{ slug, id }} className="flex flex-wrap items-center gap-3" errorClassName="hidden">
      {({ pending, state }) => (
        <>
          <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Refreshing…" : "Refresh now"}</Button>
          <span role="status" className={`text-sm ${state.ok === false ? "text-red-700" : "text-slate-700"}`}>{pending ? "Asking Microsoft for new access tokens…" : state.message ?? ""}</span>
        </>
      )}
    </ActionForm>
  );
}
