"use client";
import { useActionState } from "react";
import { checkCredentialsAction, deleteIntegrationAction, rotateCredentialAction } from "../actions";
import { Button } from "@/components/ui/button";
import { ActionForm } from "@/components/ui/action-form";
import { Notice } from "@/components/ui/card";
import { CredentialFields } from "@/components/integrations/credential-fields";

export function CheckButton({ slug, id }: { slug: string; id: string }) {
  return (
    <ActionForm action={checkCredentialsAction} fields={{ slug, id }} className="flex items-center gap-3">
      {({ pending }) => (
        <>
          <Button type="submit" disabled={pending}>{pending ? "Checking…" : "Check credentials"}</Button>
          <span role="status" className="text-sm text-slate-600">{pending ? "Asking Microsoft for an app-only token…" : ""}</span>
        </>
      )}
    </ActionForm>
  );
}

export function RotateCredentialForm({ slug, id, clientId }: { slug: string; id: string; clientId: string }) {
  const [state, action, pending] = useActionState(rotateCredentialAction, {});
  return (
    <form action={action} className="space-y-4" noValidate key={state.ok ? "done" : "form"}>
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="clientId" value={clientId} />
      {state.message ? <Notice tone={state.ok ? "success" : "error"}>{state.message}</Notice> : null}
      <CredentialFields clientId={clientId} errors={state.fieldErrors} />
      <Button type="submit" variant="secondary" disabled={pending}>{pending ? "Saving…" : "Replace credential"}</Button>
    </form>
  );
}

export function DeleteIntegrationForm({ slug, id, name, connections }: { slug: string; id: string; name: string; connections: number }) {
  const consequence = connections === 0 ? "No mailboxes are connected through it." : `${connections} connected mailbox${connections === 1 ? "" : "es"} will be disconnected.`;
  return (
    <ActionForm action={deleteIntegrationAction} fields={{ slug, id }} className="space-y-3" confirm={`Delete ${name}? ${consequence}`}>
      {({ pending }) => (
        <>
          <p className="text-sm text-slate-700">{consequence} The app registration in Azure is not touched.</p>
          <Button type="submit" variant="danger" disabled={pending}>Delete {name}</Button>
        </>
      )}
    </ActionForm>
  );
}
