"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { idField } from "@/lib/action-state";
import { publicUrl } from "@/lib/deployment";
import { createInvitation, revokeInvitation } from "@/lib/invitations/invitations";
import { changeMemberRole, removeMember } from "@/lib/orgs/members";

const role = z.enum(["OWNER", "ADMIN", "MEMBER", "VIEWER"], { message: "Pick a role: owner, admin, member or viewer." });
const membershipId = idField("That member");

export const inviteAction = orgAction(
  { permission: "members.invite", schema: z.object({ email: z.string(), role: z.string() }) },
  async ({ db, org, user, role: actorRole, meta, input }) => {
    const { invitation, token } = await createInvitation(db, org.id, { ...user, role: actorRole }, { email: input.email, role: input.role as z.infer<typeof role> }, meta);
    // Built from the configured public URL, never from the request's Host header.
    return { ok: true, message: `Invitation created for ${invitation.email}. They can sign in and accept it, or use this link (shown once):`, reveal: `${publicUrl()}/invite/${token}` };
  },
);

export const changeRoleAction = orgAction({ permission: "members.manage", schema: z.object({ membershipId, role }) }, async ({ db, org, user, role: actorRole, meta, input }) => {
  await changeMemberRole(db, org.id, { ...user, role: actorRole }, input.membershipId, input.role, meta);
  return { ok: true, message: "Role updated." };
});

export const removeMemberAction = orgAction({ permission: "members.manage", schema: z.object({ membershipId }) }, async ({ db, org, user, role: actorRole, meta, input }) => {
  await removeMember(db, org.id, { ...user, role: actorRole }, input.membershipId, meta);
  return { ok: true, message: "Member removed." };
});

export const revokeInvitationAction = orgAction({ permission: "members.invite", schema: z.object({ invitationId: idField("That invitation") }) }, async ({ db, org, user, role: actorRole, meta, input }) => {
  await revokeInvitation(db, org.id, { ...user, role: actorRole }, input.invitationId, meta);
  return { ok: true, message: "Invitation withdrawn." };
});
