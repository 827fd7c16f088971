import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";

export type RequestMeta = { ip?: string | null; userAgent?: string | null };

export type AuditInput = {
  action: string;
  orgId?: string | null;
  actor?: { id: string | null; email: string } | null;
  targetType?: string;
  targetId?: string;
  data?: Prisma.InputJsonValue;
  meta?: RequestMeta;
};

/** Appends one audit event. Pass a transaction client to make it part of the change it records. */
export async function record(db: Pick<Db, "auditEvent">, e: AuditInput) {
  await db.auditEvent.create({
    data: {
      action: e.action,
      orgId: e.orgId ?? null,
      actorId: e.actor?.id ?? null,
      actorEmail: e.actor?.email ?? null,
      targetType: e.targetType ?? null,
      targetId: e.targetId ?? null,
      data: e.data ?? undefined,
      ip: e.meta?.ip ?? null,
      userAgent: e.meta?.userAgent?.slice(0, 400) ?? null,
    },
  });
}

/** The org's events plus its current members' sign-ins (which belong to no org). */
export async function listAuditEvents(db: Db, orgId: string, opts: { take?: number; before?: Date } = {}) {
  const memberSignIns = { orgId: null, action: "user.signed_in", actorId: { in: (await db.membership.findMany({ where: { orgId }, select: { userId: true } })).map((m) => m.userId) } };
  return db.auditEvent.findMany({
    where: { OR: [{ orgId }, memberSignIns], ...(opts.before ? { createdAt: { lt: opts.before } } : {}) },
    orderBy: { createdAt: "desc" },
    take: opts.take ?? 100,
  });
}
