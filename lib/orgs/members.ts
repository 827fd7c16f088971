import type { Db } from "@/lib/db-client";
import type { Role } from "@/generated/prisma/enums";
import { AppError, notFound } from "@/lib/errors";
import { canAssignRole } from "@/lib/auth/permissions";
import { record, type RequestMeta } from "@/lib/audit/record";

type Actor = { id: string; email: string; role: Role };

export async function listMembers(db: Db, orgId: string) {
  return db.membership.findMany({
    where: { orgId },
    include: { user: { select: { id: true, name: true, email: true, lastSignInAt: true } } },
    orderBy: { createdAt: "asc" },
  });
}

async function ownerCount(db: Pick<Db, "membership">, orgId: string) {
  return db.membership.count({ where: { orgId, role: "OWNER" } });
}

export async function changeMemberRole(db: Db, orgId: string, actor: Actor, membershipId: string, role: Role, meta?: RequestMeta) {
  return db.$transaction(async (tx) => {
    const m = await tx.membership.findFirst({ where: { id: membershipId, orgId }, include: { user: true } });
    if (!m) throw notFound("That member");
    if (!canAssignRole(actor.role, role) || !canAssignRole(actor.role, m.role)) {
      throw new AppError("forbidden", "Only owners can grant or remove the Owner role.", "role");
    }
    if (m.role === role) return m;
    if (m.role === "OWNER" && (await ownerCount(tx, orgId)) <= 1) {
      throw new AppError("conflict", "An org needs at least one owner: make someone else an owner first.", "role");
    }
    const updated = await tx.membership.update({ where: { id: m.id }, data: { role } });
    await record(tx, { action: "member.role_changed", orgId, actor, targetType: "user", targetId: m.userId, data: { email: m.user.email, from: m.role, to: role }, meta });
    return updated;
  });
}

export async function removeMember(db: Db, orgId: string, actor: Actor, membershipId: string, meta?: RequestMeta) {
  return db.$transaction(async (tx) => {
    const m = await tx.membership.findFirst({ where: { id: membershipId, orgId }, include: { user: true } });
    if (!m) throw notFound("That member");
    if (!canAssignRole(actor.role, m.role)) throw new AppError("forbidden", "Only owners can remove an owner.");
    if (m.role === "OWNER" && (await ownerCount(tx, orgId)) <= 1) {
      throw new AppError("conflict", "An org needs at least one owner: make someone else an owner first.");
    }
    await tx.membership.delete({ where: { id: m.id } });
    await record(tx, { action: "member.removed", orgId, actor, targetType: "user", targetId: m.userId, data: { email: m.user.email, role: m.role }, meta });
  });
}
