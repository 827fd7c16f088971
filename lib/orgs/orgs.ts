import { defaultChannel } from "@/lib/alerts/defaults";
import { z } from "zod";
import type { Db } from "@/lib/db-client";
import { AppError, isUniqueViolation } from "@/lib/errors";
import { record, type RequestMeta } from "@/lib/audit/record";

type Actor = { id: string; email: string; tenantId: string };

// Words that would shadow routes or confuse people reading a URL.
const RESERVED = new Set(["new", "api", "support", "admin", "settings", "signin", "auth", "invite", "orgs"]);

export const orgInputSchema = z.object({
  name: z.string().trim().min(2, { message: "Name must be at least 2 characters." }).max(80, { message: "Name must be at most 80 characters." }),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .min(3, { message: "URL slug must be at least 3 characters." })
    .max(40, { message: "URL slug must be at most 40 characters." })
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, { message: "URL slug may use lowercase letters, digits and hyphens, and must start and end with a letter or digit." })
    .refine((s) => !RESERVED.has(s), { message: "That URL slug is reserved; pick another." }),
});

/** Creates an org with its creator as owner, recording the creator's Entra tenant. */
export async function createOrg(db: Db, actor: Actor, input: z.input<typeof orgInputSchema>, meta?: RequestMeta) {
  const { name, slug } = orgInputSchema.parse(input);
  try {
    return await db.$transaction(async (tx) => {
      const org = await tx.org.create({ data: { name, slug, tenantId: actor.tenantId, createdById: actor.id } });
      await tx.membership.create({ data: { orgId: org.id, userId: actor.id, role: "OWNER" } });
      await tx.alertChannel.create({ data: defaultChannel(org.id) });
      await record(tx, { action: "org.created", orgId: org.id, actor, targetType: "org", targetId: org.id, data: { name, slug }, meta });
      return org;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new AppError("conflict", `The URL slug "${slug}" is taken; pick another.`, "slug");
    }
    throw e;
  }
}

export async function listOrgsForUser(db: Db, userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    include: { org: true },
    orderBy: { org: { name: "asc" } },
  });
  return memberships.map((m) => ({ ...m.org, role: m.role }));
}

/** The caller's membership in the org with this slug, or null: tenancy lives in the WHERE clause. */
export async function findMembershipBySlug(db: Db, userId: string, slug: string) {
  return db.membership.findFirst({ where: { userId, org: { slug } }, include: { org: true } });
}

export async function getOrgForSupport(db: Db, slug: string) {
  return db.org.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      name: true,
      tenantId: true,
      createdAt: true,
      memberships: { select: { role: true, createdAt: true, user: { select: { name: true, email: true, lastSignInAt: true } } }, orderBy: { createdAt: "asc" } },
    },
  });
}

/** An org's public name by id, for pages reached through a signed link (no membership involved). */
export async function orgNameById(db: Db, id: string): Promise<string | null> {
  return (await db.org.findUnique({ where: { id }, select: { name: true } }))?.name ?? null;
}

/** Support staff opened an org's health pages: part of that org's audit trail. */
export async function recordSupportView(db: Db, viewer: { id: string; email: string }, org: { id: string; slug: string }, meta?: RequestMeta) {
  await record(db, { action: "support.viewed_org", orgId: org.id, actor: viewer, targetType: "org", targetId: org.id, data: { slug: org.slug }, meta });
}
