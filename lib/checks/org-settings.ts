import { z } from "zod";
import type { Db } from "@/lib/db-client";
import { record, type RequestMeta } from "@/lib/audit/record";
import { notFound } from "@/lib/errors";
import { MAX_INTERVAL_MINUTES, MAX_KEEPALIVE_DAYS, MIN_INTERVAL_MINUTES, nextDueAt, periodMsOf } from "./schedule";

// An org's check settings: how often the worker tests each mailbox and after how many idle days
// it refreshes a grant. Changing the interval moves every scheduled connection to its slot in the
// new period at once (not after its next check under the old one), so 24 h → 5 min takes effect
// within 5 minutes. "Check all mailboxes now" makes every connected mailbox due; the worker
// (lib/worker) picks due connections up, so nothing here talks to Microsoft.

type Actor = { id: string | null; email: string };

export const MIN_KEEPALIVE_DAYS = 1;

const whole = (field: string, unit: string, min: number, max: number) =>
  z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v.trim()) : v),
    z
      .number({ message: `${field} must be a whole number of ${unit} from ${min} to ${max}.` })
      .int({ message: `${field} must be a whole number of ${unit} from ${min} to ${max}.` })
      .min(min, { message: `${field} must be at least ${min} ${unit}.` })
      .max(max, { message: `${field} must be at most ${max} ${unit}.` }),
  );

export const checkSettingsSchema = z
  .object({
    checkIntervalMinutes: whole("Check interval", "minutes", MIN_INTERVAL_MINUTES, MAX_INTERVAL_MINUTES),
    keepAliveDays: whole("Keep-alive age", "days", MIN_KEEPALIVE_DAYS, MAX_KEEPALIVE_DAYS),
  })
  .strict();

export type CheckSettings = z.infer<typeof checkSettingsSchema>;

export async function getCheckSettings(db: Db, orgId: string) {
  const org = await db.org.findUnique({ where: { id: orgId }, select: { checkIntervalMinutes: true, keepAliveDays: true } });
  if (!org) throw notFound("That organization");
  const [connected, scheduled, due] = await Promise.all([
    db.connection.count({ where: { orgId, status: "CONNECTED" } }),
    db.connection.count({ where: { orgId, nextCheckAt: { not: null } } }),
    db.connection.count({ where: { orgId, nextCheckAt: { lte: new Date() } } }),
  ]);
  return { checkIntervalMinutes: org.checkIntervalMinutes, keepAliveDays: org.keepAliveDays, connected, scheduled, due };
}

const BATCH = 1000;

/**
 * Gives each of the org's scheduled connections its slot in a period of `periodMs` after `now`.
 * Connections already due keep their time (they are about to be checked, or "Check all now" asked
 * for them). Batches of ids by keyset, one set-based UPDATE per batch.
 */
export async function rescheduleOrg(db: Db, orgId: string, periodMs: number, now = new Date()): Promise<number> {
  let after: string | null = null;
  let moved = 0;
  for (;;) {
    const rows: { id: string }[] = await db.connection.findMany({
      where: { orgId, nextCheckAt: { gt: now }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.id);
    const dues = ids.map((id) => nextDueAt(id, periodMs, now).toISOString());
    // timestamp(3) columns hold UTC; the ISO strings' "Z" is dropped by the cast, as Prisma does.
    moved += await db.$executeRaw`
      UPDATE "Connection" AS c SET "nextCheckAt" = v.due
      FROM (SELECT unnest(${ids}::uuid[]) AS id, unnest(${dues}::timestamp(3)[]) AS due) AS v
      WHERE c."id" = v.id AND c."orgId" = ${orgId}::uuid AND c."nextCheckAt" > ${now}`;
    after = ids[ids.length - 1]!;
    if (rows.length < BATCH) break;
  }
  return moved;
}

/**
 * Saves the check interval and keep-alive age. Bad input throws a ZodError naming each field and
 * changes nothing. A new interval reschedules the org's connections (`intervalOverrideSeconds`,
 * the deployment's override, wins over the org's interval as it does in the worker).
 */
export async function updateCheckSettings(
  db: Db,
  orgId: string,
  input: Record<string, unknown>,
  actor: Actor,
  meta?: RequestMeta,
  opts: { now?: Date; intervalOverrideSeconds?: number } = {},
) {
  const settings = checkSettingsSchema.parse(input);
  const now = opts.now ?? new Date();
  const before = await db.$transaction(async (tx) => {
    const org = await tx.org.findUnique({ where: { id: orgId }, select: { checkIntervalMinutes: true, keepAliveDays: true } });
    if (!org) throw notFound("That organization");
    await tx.org.update({ where: { id: orgId }, data: settings });
    await record(tx, {
      action: "org.settings_updated",
      orgId,
      actor,
      targetType: "org",
      targetId: orgId,
      // Flat, so the audit log lists it as it lists every event: new values, then the old ones.
      data: { ...settings, previousCheckIntervalMinutes: org.checkIntervalMinutes, previousKeepAliveDays: org.keepAliveDays },
      meta,
    });
    return org;
  });
  // Outside the transaction: an org of 100,000 mailboxes is 100 batches, and a half-done
  // reschedule is harmless (each connection's next check writes its slot in the new period).
  const intervalChanged = before.checkIntervalMinutes !== settings.checkIntervalMinutes;
  const periodMs = opts.intervalOverrideSeconds ? opts.intervalOverrideSeconds * 1000 : periodMsOf(settings.checkIntervalMinutes);
  const rescheduled = intervalChanged ? await rescheduleOrg(db, orgId, periodMs, now) : 0;
  return { ...settings, rescheduled, intervalChanged };
}

/** Makes every connected mailbox of the org due now; the worker checks them as capacity allows. */
export async function checkAllNow(db: Db, orgId: string, actor: Actor, meta?: RequestMeta, now = new Date()) {
  return db.$transaction(async (tx) => {
    const { count } = await tx.connection.updateMany({ where: { orgId, status: "CONNECTED" }, data: { nextCheckAt: now } });
    await record(tx, { action: "org.check_all_requested", orgId, actor, targetType: "org", targetId: orgId, data: { queued: count }, meta });
    return { queued: count };
  });
}
