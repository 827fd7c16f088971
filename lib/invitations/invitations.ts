import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "@/lib/db-client";
import type { Role } from "@/generated/prisma/enums";
import { AppError, notFound } from "@/lib/errors";
import { canAssignRole, ROLES } from "@/lib/auth/permissions";
import { record, type RequestMeta } from "@/lib/audit/record";

const INVITATION_DAYS = 14;

type Actor = { id: string; email: string; role: Role };

export const invitationInputSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email({ message: "Enter the person's work email address, e.g. megan@contoso.com." })),
  role: z.enum(ROLES as [Role, ...Role[]], { message: "Pick a role: owner, admin, member or viewer." }),
});

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");

/** Creates an invitation and returns the one-time token for its link (only its hash is stored). */
export async function createInvitation(db: Db, orgId: string, actor: Actor, input: z.input<typeof invitationInputSchema>, meta?: RequestMeta) {
  const { email, role } = invitationInputSchema.parse(input);
  if (!canAssignRole(actor.role, role)) throw new AppError("forbidden", "Only owners can invite other owners.", "role");
  const token = randomBytes(32).toString("base64url");
  const invitation = await db.$transaction(async (tx) => {
    const member = await tx.membership.findFirst({ where: { orgId, user: { email } } });
    if (member) throw new AppError("conflict", `${email} is already a member of this org.`, "email");
    // A new invitation replaces an unanswered one, so only the newest link works.
    await tx.invitation.updateMany({ where: { orgId, email, status: "PENDING" }, data: { status: "REVOKED" } });
    const inv = await tx.invitation.create({
      data: { orgId, email, role, tokenHash: hashToken(token), invitedById: actor.id, expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000) },
    });
    await record(tx, { action: "invitation.created", orgId, actor, targetType: "invitation", targetId: inv.id, data: { email, role }, meta });
    return inv;
  });
  return { invitation, token };
}

export async function listPendingInvitations(db: Db, orgId: string) {
  return db.invitation.findMany({ where: { orgId, status: "PENDING" }, orderBy: { createdAt: "desc" } });
}

export async function revokeInvitation(db: Db, orgId: string, actor: Actor, invitationId: string, meta?: RequestMeta) {
  await db.$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where: { id: invitationId, orgId, status: "PENDING" } });
    if (!inv) throw notFound("That invitation");
    await tx.invitation.update({ where: { id: inv.id }, data: { status: "REVOKED" } });
    await record(tx, { action: "invitation.revoked", orgId, actor, targetType: "invitation", targetId: inv.id, data: { email: inv.email }, meta });
  });
}

export type InvitationView = Awaited<ReturnType<typeof findInvitationByToken>>;

export async function findInvitationByToken(db: Db, token: string) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return db.invitation.findUnique({ where: { tokenHash: hashToken(token) }, include: { org: { select: { id: true, name: true, slug: true } } } });
}

export function invitationProblem(inv: NonNullable<InvitationView>, userEmail: string, now = new Date()): string | null {
  if (inv.status === "ACCEPTED") return "This invitation has already been used.";
  if (inv.status === "REVOKED") return "This invitation was withdrawn or replaced by a newer one. Ask an admin of the org for a new link.";
  if (inv.expiresAt < now) return "This invitation has expired. Ask an admin of the org for a new link.";
  if (inv.email !== userEmail.toLowerCase()) {
    return `This invitation is for ${inv.email}, but you are signed in as ${userEmail}. Sign out and sign in with ${inv.email}.`;
  }
  return null;
}

/**
 * Accepts an invitation, found by its link token or by id, for the signed-in user. The user's
 * Microsoft account must match the invited email either way, so an id alone grants nothing.
 */
export async function acceptInvitation(db: Db, by: { token: string } | { id: string }, user: { id: string; email: string }, meta?: RequestMeta) {
  // By id (the org picker) only the invitee's own invitations exist: anyone else's id is unknown,
  // so the answer does not tell whom it was for. A link's token is its own authority.
  const where = "token" in by ? { tokenHash: hashToken(by.token) } : { id: by.id, email: user.email.toLowerCase() };
  return db.$transaction(async (tx) => {
    const inv = await tx.invitation.findFirst({ where, include: { org: true } });
    if (!inv) throw notFound("That invitation");
    const problem = invitationProblem(inv, user.email);
    if (problem) throw new AppError("conflict", problem);
    await tx.membership.upsert({
      where: { orgId_userId: { orgId: inv.orgId, userId: user.id } },
      create: { orgId: inv.orgId, userId: user.id, role: inv.role },
      update: {},
    });
    await tx.invitation.update({ where: { id: inv.id }, data: { status: "ACCEPTED", acceptedById: user.id, acceptedAt: new Date() } });
    await record(tx, { action: "invitation.accepted", orgId: inv.orgId, actor: user, targetType: "invitation", targetId: inv.id, data: { email: inv.email, role: inv.role }, meta });
    return inv.org;
  });
}

/** Pending, unexpired invitations addressed to this email, for the org picker. */
export async function listInvitationsForEmail(db: Db, email: string) {
  return db.invitation.findMany({
    where: { email: email.toLowerCase(), status: "PENDING", expiresAt: { gt: new Date() } },
    include: { org: { select: { name: true, slug: true } } },
    orderBy: { createdAt: "desc" },
  });
}
