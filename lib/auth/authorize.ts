import type { Db } from "@/lib/db-client";
import type { Org, User } from "@/generated/prisma/client";
import type { Role } from "@/generated/prisma/enums";
import { can, type Permission } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { findMembershipBySlug } from "@/lib/orgs/orgs";
import { recordAggregated } from "@/lib/audit/record";

/** What an authorized org request knows: who, in which org, with which role. */
export type OrgAccess = {
  user: User;
  org: Org;
  role: Role;
  membershipId: string;
  can: (p: Permission) => boolean;
};

export const NOT_A_MEMBER = "That organization does not exist, or you are not a member of it.";

/**
 * The caller's access to an org by slug, or an AppError: not_found for an org that does not
 * exist or that the caller is not in (the two look the same, so slugs can't be probed), forbidden
 * when the role lacks the permission. Tenancy is in the WHERE clause (membership by user and slug).
 */
export async function authorizeOrg(db: Db, user: User | null, slug: string, permission: Permission): Promise<OrgAccess> {
  if (!user) throw new AppError("unauthenticated", "Your session has ended. Sign in again, then retry.");
  const membership = typeof slug === "string" && slug.length <= 64 ? await findMembershipBySlug(db, user.id, slug) : null;
  if (!membership) throw new AppError("not_found", NOT_A_MEMBER);
  const { org, role } = membership;
  if (!can(role, permission)) {
    await recordAggregated(db, { action: "access.forbidden", orgId: org.id, actor: user, data: { permission, role } });
    throw new AppError("forbidden", "Your role in this org does not allow that. Ask an owner or admin.");
  }
  return { user, org, role, membershipId: membership.id, can: (p) => can(role, p) };
}
