"use client";
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-state";
import { MicrosoftButton } from "./microsoft-button";

/** A form with one hidden token and a Microsoft button, posting to a public server action. */
export function StartWithMicrosoft({ token, label, action: serverAction }: { token: string; label: string; action: (prev: ActionState, form: FormData) => Promise<ActionState> }) {
  const [state, action, pending] = useActionState(serverAction, {});
  return (
    <form action={action} className="space-y-2">
      <input type="hidden" name="token" value={token} />
      <MicrosoftButton className="w-full" disabled={pending}>{pending ? "Opening Microsoft…" : label}</MicrosoftButton>
      {state.ok === false ? <p role="alert" className="text-sm text-red-700">{state.message}</p> : null}
    </form>
  );
}
