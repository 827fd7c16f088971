"use client";
import { useActionState } from "react";
import type { FormAction } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import type { ActionState } from "@/lib/action-state";

// The list's bulk actions: one form that the rows' checkboxes belong to (form="mailbox-bulk"),
// with a button per action. Works without JavaScript too: the checked ids are plain form fields.

export const BULK_FORM_ID = "mailbox-bulk";

function Result({ state }: { state: ActionState }) {
  if (!state.message) return null;
  return (
    <p role={state.ok ? "status" : "alert"} className={`basis-full text-sm ${state.ok ? "text-green-900" : "text-red-800"}`}>
      {state.message}
    </p>
  );
}

export function MailboxBulkActions({ slug, testAction, consentAction }: { slug: string; testAction: FormAction; consentAction: FormAction }) {
  const [testState, test, testing] = useActionState(testAction, {});
  const [consentState, consent, sending] = useActionState(consentAction, {});
  return (
    <form id={BULK_FORM_ID} className="flex flex-wrap items-center gap-2" aria-label="Bulk actions on the selected mailboxes">
      <input type="hidden" name="slug" value={slug} />
      <Button type="submit" variant="secondary" formAction={test} disabled={testing || sending}>{testing ? "Queuing…" : "Test selected now"}</Button>
      <Button type="submit" variant="secondary" formAction={consent} disabled={testing || sending}>{sending ? "Sending…" : "Send fresh consent links"}</Button>
      <Result state={testState} />
      <Result state={consentState} />
    </form>
  );
}
