"use client";
import { useActionState } from "react";
import { acceptInvitationByTokenAction } from "@/app/(portal)/orgs/actions";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";

export function AcceptByTokenForm({ token, orgName }: { token: string; orgName: string }) {
  const [state, action, pending] = useActionState(acceptInvitationByTokenAction, {});
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      {state.message ? <Notice tone="error">{state.message}</Notice> : null}
      <Button type="submit" disabled={pending} className="w-full">{pending ? "Joining…" : `Join ${orgName}`}</Button>
    </form>
  );
}
