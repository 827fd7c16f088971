import "server-only";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { auth } from "@/auth";
import { db } from "@/lib/db";
import { can, type Permission } from "@/lib/auth/permissions";
import { findMembershipBySlug } from "@/lib/orgs/orgs";
import { AppError } from "@/lib/errors";
import { userOfSession } from "@/lib/users/portal-sessions";

// Every page, layout, route handler and server action authorizes through these functions;
// proxy.ts only sends signed-out visitors to the sign-in page.

export const currentUser = cache(async () => {
  const session = await auth();
  if (!session?.user?.id) return null;
  // The cookie is only a pointer: the session must still be live in the database.
  const user = await userOfSession(await db(), session.sid);
  return user && user.id === session.user.id ? user : null;
});

export type CurrentUser = NonNullable<Awaited<ReturnType<typeof currentUser>>>;

export async function requireUser(returnTo?: string): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : "/signin");
  return user;
}

/**
 * The signed-in user's access to an org by slug. Someone who is not a member gets a 404, the
 * same as for an org that does not exist, so org slugs can't be probed.
 */
export const requireOrg = cache(async (slug: string) => {
  const user = await requireUser(`/orgs/${slug}`);
  const membership = await findMembershipBySlug(await db(), user.id, slug);
  if (!membership) notFound();
  const { org, role } = membership;
  return { user, org, role, membershipId: membership.id, can: (p: Permission) => can(role, p) };
});

export type OrgContext = Awaited<ReturnType<typeof requireOrg>>;

/** For server actions and route handlers: throws AppError("forbidden") when the role lacks it. */
export async function requireOrgPermission(slug: string, permission: Permission): Promise<OrgContext> {
  const ctx = await requireOrg(slug);
  if (!ctx.can(permission)) throw new AppError("forbidden", "Your role in this org does not allow that. Ask an owner or admin.");
  return ctx;
}

export async function requireSupport(): Promise<CurrentUser> {
  const user = await requireUser("/support");
  if (user.platformRole !== "SUPPORT") notFound();
  return user;
}
