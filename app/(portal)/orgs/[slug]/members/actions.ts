"use server";
import { revalidatePath } from "next/cache";
import { headers } from "next/headers";
import { requireOrgPermission } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { runAction, type ActionState } from "@/lib/action-state";
import { createInvitation, revokeInvitation } from "@/lib/invitations/invitations";
import { changeMemberRole, removeMember } from "@/lib/orgs/members";
import { requestMeta } from "@/lib/request-meta";
import type { Role } from "@/generated/prisma/enums";
import { ROLES } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";

const str = (form: FormData, key: string) => String(form.get(key) ?? "");

function parseRole(value: string): Role {
  if (!(ROLES as string[]).includes(value)) throw new AppError("invalid_input", "Pick a role: owner, admin, member or viewer.", "role");
  return value as Role;
}

async function origin() {
  const h = await headers();
  return `${h.get("x-forwarded-proto") ?? "http"}://${h.get("host")}`;
}

export async function inviteAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "members.invite");
    const { invitation, token } = await createInvitation(await db(), ctx.org.id, { ...ctx.user, role: ctx.role }, { email: str(form, "email"), role: str(form, "role") as Role }, await requestMeta());
    revalidatePath(`/orgs/${slug}/members`);
    return { ok: true, message: `Invitation created for ${invitation.email}. They can sign in and accept it, or use this link (shown once):`, reveal: `${await origin()}/invite/${token}` };
  });
}

export async function changeRoleAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "members.manage");
    await changeMemberRole(await db(), ctx.org.id, { ...ctx.user, role: ctx.role }, str(form, "membershipId"), parseRole(str(form, "role")), await requestMeta());
    revalidatePath(`/orgs/${slug}/members`);
    return { ok: true, message: "Role updated." };
  });
}

export async function removeMemberAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "members.manage");
    await removeMember(await db(), ctx.org.id, { ...ctx.user, role: ctx.role }, str(form, "membershipId"), await requestMeta());
    revalidatePath(`/orgs/${slug}/members`);
    return { ok: true, message: "Member removed." };
  });
}

export async function revokeInvitationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  return runAction(form, async () => {
    const slug = str(form, "slug");
    const ctx = await requireOrgPermission(slug, "members.invite");
    await revokeInvitation(await db(), ctx.org.id, { ...ctx.user, role: ctx.role }, str(form, "invitationId"), await requestMeta());
    revalidatePath(`/orgs/${slug}/members`);
    return { ok: true, message: "Invitation withdrawn." };
  });
}
