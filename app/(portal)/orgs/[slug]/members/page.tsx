import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listMembers } from "@/lib/orgs/members";
import { listPendingInvitations } from "@/lib/invitations/invitations";
import { canAssignRole, ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "@/lib/auth/permissions";
import { Badge, Card } from "@/components/ui/card";
import { InviteForm, RemoveMemberForm, RevokeInvitationForm, RoleForm } from "./member-forms";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const prisma = await db();
  const [members, invitations] = await Promise.all([listMembers(prisma, ctx.org.id), ctx.can("members.invite") ? listPendingInvitations(prisma, ctx.org.id) : []]);
  const assignable = ROLES.filter((r) => canAssignRole(ctx.role, r)).map((r) => ({ value: r, label: ROLE_LABELS[r], description: ROLE_DESCRIPTIONS[r] }));
  const manage = ctx.can("members.manage");
  return (
    <div className="space-y-6">
      <Card title="Members" description={`${members.length} ${members.length === 1 ? "person" : "people"} in ${ctx.org.name}.`}>
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-600">
            <tr><th scope="col" className="py-2">Name</th><th scope="col">Role</th><th scope="col">Last sign-in</th>{manage ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {members.map((m) => {
              const editable = manage && m.userId !== ctx.user.id && canAssignRole(ctx.role, m.role);
              return (
                <tr key={m.id}>
                  <td className="py-3">
                    <div className="font-medium">{m.user.name}{m.userId === ctx.user.id ? <span className="text-slate-600"> (you)</span> : null}</div>
                    <div className="text-xs text-slate-600">{m.user.email}</div>
                  </td>
                  <td>{editable ? <RoleForm slug={slug} membershipId={m.id} role={m.role} roles={assignable} memberName={m.user.name} /> : <Badge>{ROLE_LABELS[m.role]}</Badge>}</td>
                  <td className="text-slate-600">{m.user.lastSignInAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                  {manage ? <td className="text-right">{editable ? <RemoveMemberForm slug={slug} membershipId={m.id} memberName={m.user.name} /> : null}</td> : null}
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      {ctx.can("members.invite") ? (
        <>
          <Card title="Invite someone" description="They sign in with their Microsoft account; the invitation matches on their email address.">
            <InviteForm slug={slug} roles={assignable} />
          </Card>
          <Card title="Pending invitations">
            {invitations.length === 0 ? (
              <p className="text-sm text-slate-600">No pending invitations.</p>
            ) : (
              <ul className="divide-y divide-slate-200">
                {invitations.map((inv) => (
                  <li key={inv.id} className="flex flex-wrap items-center justify-between gap-3 py-3 text-sm">
                    <span><strong>{inv.email}</strong> as <Badge tone="blue">{ROLE_LABELS[inv.role]}</Badge> · expires {inv.expiresAt.toISOString().slice(0, 10)}</span>
                    <RevokeInvitationForm slug={slug} invitationId={inv.id} email={inv.email} />
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </>
      ) : null}
    </div>
  );
}
