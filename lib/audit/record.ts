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
  /** When it happened, if not now (a recorder that writes counted events later). */
  at?: Date;
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
      ...(e.at ? { createdAt: e.at } : {}),
    },
  });
}

/**
 * Appends an event that may repeat many times (refused requests): one row per org, actor, action
 * and hour, whose `data.count` grows, so a script hammering an endpoint cannot flood the log.
 */
export async function recordAggregated(db: Db, e: AuditInput & { orgId: string }, now = new Date()) {
  const hour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const existing = await db.auditEvent.findFirst({ where: { orgId: e.orgId, action: e.action, actorId: e.actor?.id ?? null, createdAt: { gte: hour } }, select: { id: true, data: true } });
  if (!existing) return record(db, { ...e, data: { ...((e.data as object | undefined) ?? {}), count: 1 } });
  const previous = (existing.data as { count?: number } | null)?.count ?? 1;
  await db.auditEvent.update({ where: { id: existing.id }, data: { data: { ...((existing.data as object | null) ?? {}), count: previous + 1, last: now.toISOString() } } });
}
