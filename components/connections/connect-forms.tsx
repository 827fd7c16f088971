"use client";
import { startTransition, useActionState, useState } from "react";
import type { ActionState } from "@/lib/action-state";
import { Button } from "@/components/ui/button";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import { RevealedValue } from "@/components/ui/revealed-value";
import { SelectField, TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import { MicrosoftButton } from "./microsoft-button";

/** `missingShared`: Graph scopes a shared mailbox would need that this integration lacks. */
type IntegrationOption = { id: string; name: string; missingShared: string[] };

function IntegrationSelect({ id, integrations, defaultValue, error, onChange }: { id: string; integrations: IntegrationOption[]; defaultValue?: string; error?: string; onChange?: (id: string) => void }) {
  if (integrations.length === 1) return <input type="hidden" name="integrationId" value={integrations[0]!.id} />;
  return (
    <SelectField label="Integration" id={id} name="integrationId" defaultValue={defaultValue ?? integrations[0]?.id} error={error} onChange={onChange ? (e) => onChange(e.currentTarget.value) : undefined}>
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

export function ConnectMailboxForm(props: { action: FormAction; addSharedScopes?: FormAction; slug: string; integrations: IntegrationOption[]; selected?: string; canConnectOthers: boolean; ownEmail: string }) {
  const [state, action, pending] = useActionState(props.action, {});
  // Remounted with each answer, so every field starts from what was submitted (React resets a form after its action).
  return (
    <form action={action} className="space-y-4" noValidate key={JSON.stringify(state.values ?? {})}>
      <input type="hidden" name="slug" value={props.slug} />
      <ConnectFields {...props} state={state} pending={pending} />
    </form>
  );
}

function ConnectFields({ slug, integrations, selected, canConnectOthers, ownEmail, addSharedScopes, state, pending }: { slug: string; addSharedScopes?: FormAction; integrations: IntegrationOption[]; selected?: string; canConnectOthers: boolean; ownEmail: string; state: ActionState; pending: boolean }) {
  const [kind, setKind] = useState(state.values?.mailboxKind ?? "USER");
  const [integrationId, setIntegrationId] = useState(state.values?.integrationId ?? selected ?? integrations[0]?.id);
  const chosen = integrations.find((i) => i.id === integrationId);
  const missingShared = kind === "SHARED" ? (chosen?.missingShared ?? []) : [];
  return (
    <>
      {state.ok === false && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <IntegrationSelect id="connect-integration" integrations={integrations} defaultValue={integrationId} error={state.fieldErrors?.integrationId} onChange={setIntegrationId} />
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
          {missingShared.length ? (
            <div role="alert" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-950">
              <p className="font-semibold">{chosen?.name} cannot read a shared mailbox through Graph yet</p>
              <p>Graph needs {missingShared.join(" and ")} for a shared mailbox; without {missingShared.length === 1 ? "it" : "them"} the delegate&apos;s token gets 403 Access Denied. IMAP, POP and SMTP work without {missingShared.length === 1 ? "it" : "them"}.</p>
              {addSharedScopes ? <AddSharedScopesButton action={addSharedScopes} slug={slug} integrationId={chosen!.id} scopes={missingShared} /> : <p>Ask an owner or admin to add {missingShared.join(" and ")} to the integration.</p>}
              <label className="flex items-start gap-2"><input type="checkbox" name="acknowledgeMissingShared" value="yes" className="mt-1" /> Connect anyway: this mailbox will be used over IMAP, POP or SMTP only.</label>
              {state.fieldErrors?.acknowledgeMissingShared ? <p className="text-red-700">{state.fieldErrors.acknowledgeMissingShared}</p> : null}
            </div>
          ) : null}
        </>
      ) : (
        <p className="text-sm text-slate-700">You will connect your own mailbox, <strong>{ownEmail}</strong>.{state.fieldErrors?.mailbox ? <span role="alert" className="block text-red-700">{state.fieldErrors.mailbox}</span> : null}</p>
      )}
      <MicrosoftButton disabled={pending}>{pending ? "Opening Microsoft…" : "Sign in with Microsoft"}</MicrosoftButton>
    </>
  );
}

/** A separate submit (formAction) inside the connect form: adds the scopes, then the page shows the integration changed. */
function AddSharedScopesButton({ action, slug, integrationId, scopes }: { action: FormAction; slug: string; integrationId: string; scopes: string[] }) {
  const [state, run, pending] = useActionState(action, {});
  return (
    <div>
      <button type="button" disabled={pending} className="rounded-md border border-amber-400 bg-white px-3 py-1.5 text-sm font-medium hover:bg-amber-100" onClick={() => { const f = new FormData(); f.set("slug", slug); f.set("integrationId", integrationId); startTransition(() => run(f)); }}>
        {pending ? "Adding…" : `Add ${scopes.join(" and ")} to the integration`}
      </button>
      {state.message ? <p role={state.ok ? "status" : "alert"} className={state.ok ? "mt-1 text-green-800" : "mt-1 text-red-700"}>{state.message}</p> : null}
    </div>
  );
}

export function InviteMailboxForm({ action: inviteAction, slug, integrations, selected }: { action: FormAction; slug: string; integrations: IntegrationOption[]; selected?: string }) {
  const [state, action, pending] = useActionState(inviteAction, {});
  return (
    <form action={action} className="space-y-4" noValidate key={state.ok ? `done-${state.reveal}` : JSON.stringify(state.values ?? {})}>
      <InviteFields slug={slug} integrations={integrations} selected={selected} state={state} pending={pending} />
    </form>
  );
}

function InviteFields({ slug, integrations, selected, state, pending }: { slug: string; integrations: IntegrationOption[]; selected?: string; state: ActionState; pending: boolean }) {
  const [kind, setKind] = useState(state.ok ? "USER" : (state.values?.mailboxKind ?? "USER"));
  return (
    <>
      <input type="hidden" name="slug" value={slug} />
      {state.ok && state.reveal ? (
        <Notice tone="success" title={state.message}>
          <RevealedValue label="Consent link" value={state.reveal} />
        </Notice>
      ) : null}
      {state.ok === false && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <IntegrationSelect id="invite-integration" integrations={integrations} defaultValue={state.values?.integrationId ?? selected} error={state.fieldErrors?.integrationId} />
      <MailboxKindChoice name="mailboxKind" value={kind} onChange={setKind} />
      <TextField label="Mailbox owner's address" name="mailbox" id="invite-mailbox" type="email" autoComplete="off" placeholder="megan@contoso.com" defaultValue={state.ok ? "" : state.values?.mailbox} key={state.ok ? "reset" : "keep"} error={state.fieldErrors?.mailbox} hint={kind === "SHARED" ? "Send the link to a delegate of the shared mailbox; they sign in with their own account." : "Only this account can use the link."} />
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Creating…" : "Create consent link"}</Button>
    </>
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
