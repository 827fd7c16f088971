"use client";
import { useActionState } from "react";
import { changeRoleAction, inviteAction, removeMemberAction, revokeInvitationAction } from "./actions";
import { Button } from "@/components/ui/button";
import { ActionForm } from "@/components/ui/action-form";
import { RevealedValue } from "@/components/ui/revealed-value";
import { SelectField, TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import type { Role } from "@/lib/auth/permissions";

type RoleOption = { value: Role; label: string; description: string };

export function InviteForm({ slug, roles }: { slug: string; roles: RoleOption[] }) {
  const [state, action, pending] = useActionState(inviteAction, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="slug" value={slug} />
      {state.ok && state.reveal ? (
        <Notice tone="success" title={state.message}>
          <RevealedValue label="Invitation link" value={state.reveal} />
        </Notice>
      ) : null}
      {state.ok === false && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <div className="grid gap-4 sm:grid-cols-[1fr_12rem]">
        <TextField label="Email address" name="email" type="email" autoComplete="off" placeholder="megan@contoso.com" defaultValue={state.ok ? "" : state.values?.email} key={state.ok ? "reset" : "keep"} error={state.fieldErrors?.email} />
        <SelectField label="Role" name="role" defaultValue={state.values?.role ?? "MEMBER"} error={state.fieldErrors?.role}>
          {roles.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
        </SelectField>
      </div>
      <ul className="text-xs text-slate-600">
        {roles.map((r) => <li key={r.value}><strong>{r.label}:</strong> {r.description}</li>)}
      </ul>
      <Button type="submit" disabled={pending}>{pending ? "Inviting…" : "Send invitation"}</Button>
    </form>
  );
}

export function RoleForm({ slug, membershipId, role, roles, memberName }: { slug: string; membershipId: string; role: Role; roles: RoleOption[]; memberName: string }) {
  const [state, action, pending] = useActionState(changeRoleAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="slug" value={slug} />
      <input type="hidden" name="membershipId" value={membershipId} />
      <label className="sr-only" htmlFor={`role-${membershipId}`}>Role of {memberName}</label>
      <select id={`role-${membershipId}`} name="role" defaultValue={role} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
        {roles.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
      </select>
      <Button type="submit" variant="secondary" disabled={pending} aria-label={`Save role of ${memberName}`}>Save</Button>
      {state.message ? <p role={state.ok ? "status" : "alert"} className={`w-full text-xs ${state.ok ? "text-green-800" : "text-red-700"}`}>{state.message}</p> : null}
    </form>
  );
}

export function RemoveMemberForm({ slug, membershipId, memberName }: { slug: string; membershipId: string; memberName: string }) {
  return (
    <ActionForm action={removeMemberAction} fields={{ slug, membershipId }} confirm={`Remove ${memberName} from this organization?`} errorClassName="text-xs text-red-700">
      {({ pending }) => <Button type="submit" variant="ghost" disabled={pending} aria-label={`Remove ${memberName}`}>Remove</Button>}
    </ActionForm>
  );
}

export function RevokeInvitationForm({ slug, invitationId, email }: { slug: string; invitationId: string; email: string }) {
  return (
    <ActionForm action={revokeInvitationAction} fields={{ slug, invitationId }} errorClassName="text-xs text-red-700">
      {({ pending }) => <Button type="submit" variant="ghost" disabled={pending} aria-label={`Withdraw invitation for ${email}`}>Withdraw</Button>}
    </ActionForm>
  );
}
