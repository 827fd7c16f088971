"use client";
import { useActionState } from "react";
import { acceptInvitationAction } from "./actions";
import { Button } from "@/components/ui/button";

export function AcceptInvitationButton({ invitationId, orgName }: { invitationId: string; orgName: string }) {
  const [state, action, pending] = useActionState(acceptInvitationAction, {});
  return (
    <form action={action} className="flex items-center gap-3">
      <input type="hidden" name="invitationId" value={invitationId} />
      {state.message ? <p role="alert" className="text-sm text-red-700">{state.message}</p> : null}
      <Button type="submit" disabled={pending} aria-label={`Accept invitation to ${orgName}`}>{pending ? "Joining…" : "Accept"}</Button>
    </form>
  );
}
