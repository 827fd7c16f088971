import type { Db, Tx } from "@/lib/db-client";
import type { Health } from "@/generated/prisma/client";
import { DIGEST_THRESHOLD, DIGEST_WINDOW_MS } from "./events";
import { emitEvent, type QueuedDelivery } from "./emit";
import { connectionRef, failureInWords, integrationRef, mailboxesUrl, orgRef } from "./payloads";
import { evaluateReminders } from "./reminders";
import { evaluateCredentials } from "./credential-alerts";

// The alert evaluator: turns changes of health into events, once per change of state. It runs on
// every worker tick over the connections whose health changed since (alertPending, set wherever
// health is written) and compares what the connection is now with what the last alert said
// (alertedState): failing, or ok. Nothing else decides what is news, so a check, a refresh, a new
// consent or the daily expiry scan can all change health without knowing about alerts.
//
// Tenant digests: a failure waits `groupMs` (MAILGRANT_ALERT_GROUP_SECONDS) for others of its
// Microsoft tenant. When five or more connections of one tenant start failing within ten minutes
// (counting those already announced in that window), one tenant.failing event replaces their
// individual ones; further failures of that tenant fold into it while it is open, their
// recoveries too, and the last recovery closes it with one tenant.recovered.
//
// One evaluator at a time across workers (a transaction-scoped advisory lock); rows are locked
// FOR UPDATE so a health change committed meanwhile is evaluated on the next tick, not lost.

const LOCK_KEY = 7_301_013;
const BATCH = 500;

type AlertState = "failing" | "ok";
const stateOf = (h: Health): AlertState | null => (h === "FAILING" ? "failing" : h === "UNKNOWN" ? null : "ok");

export type HealRequest = { orgId: string; connectionId: string };
export type EvaluateResult = { events: number; folded: number; waiting: number; deliveries: QueuedDelivery[]; heal: HealRequest[] };
export type EvaluateOptions = { now?: Date; groupMs?: number; publicUrl: string };

const rowSelect = {
  id: true,
  orgId: true,
  tenantId: true,
  mailbox: true,
  mailboxKind: true,
  displayName: true,
  health: true,
  healthClass: true,
  healthCode: true,
  healthReason: true,
  healthChangedAt: true,
  alertedState: true,
  alertedAt: true,
  alertDigestId: true,
  healLinkSentAt: true,
  org: { select: { id: true, slug: true, name: true, reconsentPolicy: true } },
  integration: { select: { id: true, name: true, cloud: true } },
} as const;

/**
 * One evaluation: connection health, expiry reminders and integration credentials. Returns null
 * when another evaluator holds the lock. The deliveries are to be queued once this returns (the
 * transaction has committed); the heal requests are for lib/alerts/self-heal.ts.
 */
export async function evaluateAlerts(db: Db, opts: EvaluateOptions): Promise<EvaluateResult | null> {
  const now = opts.now ?? new Date();
  const groupMs = opts.groupMs ?? 120_000;
  return db.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${LOCK_KEY}) AS locked`;
      if (!lock?.locked) return null;
      const out: EvaluateResult = { events: 0, folded: 0, waiting: 0, deliveries: [], heal: [] };
      await evaluateConnections(tx, now, groupMs, opts.publicUrl, out);
      out.deliveries.push(...(await evaluateReminders(tx, now, opts.publicUrl)));
      out.deliveries.push(...(await evaluateCredentials(tx, now, opts.publicUrl)));
      return out;
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}

type Row = Awaited<ReturnType<typeof loadPending>>[number];

async function loadPending(tx: Tx) {
  const ids = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Connection" WHERE "alertPending" ORDER BY "healthChangedAt" NULLS FIRST LIMIT ${BATCH} FOR UPDATE`;
  if (!ids.length) return [];
  return tx.connection.findMany({ where: { id: { in: ids.map((r) => r.id) } }, select: rowSelect, orderBy: { healthChangedAt: "asc" } });
}

async function evaluateConnections(tx: Tx, now: Date, groupMs: number, publicUrl: string, out: EvaluateResult) {
  const rows = await loadPending(tx);
  const newFailures = new Map<string, Row[]>();
  const touchedDigests = new Set<string>();

  for (const row of rows) {
    const state = stateOf(row.health);
    if (wantsHeal(row)) {
      out.heal.push({ orgId: row.orgId, connectionId: row.id });
      await tx.connection.update({ where: { id: row.id }, data: { healLinkSentAt: now } });
    }
    if (state === "failing" && row.alertedState !== "failing") {
      const key = `${row.orgId}|${row.tenantId}`;
      newFailures.set(key, [...(newFailures.get(key) ?? []), row]);
      continue;
    }
    if (state === "ok" && row.alertedState === "failing") {
      await recover(tx, row, now, publicUrl, out, touchedDigests);
      continue;
    }
    // Unknown (a new consent, not checked yet), or no change in what the last alert said.
    await tx.connection.update({ where: { id: row.id }, data: { alertPending: false, ...(state === "ok" && row.alertedState === null ? { alertedState: "ok", alertedAt: now } : {}) } });
  }

  for (const group of newFailures.values()) await failTenantGroup(tx, group, now, groupMs, publicUrl, out);
  for (const digestId of touchedDigests) await closeDigestIfRecovered(tx, digestId, now, publicUrl, out);
}

/** A mailbox that needs its owner's consent again, in an org that mails the owner a fresh link, not mailed yet. */
const wantsHeal = (row: Row) => row.health === "FAILING" && row.healthClass === "needs_reconsent" && row.org.reconsentPolicy === "EMAIL_OWNER" && row.healLinkSentAt === null;

/** The connection.failing event of a row; with `digestId` it is folded into that digest (recorded, not sent). */
const failingEvent = (row: Row, now: Date, publicUrl: string, digestId?: string) => ({
  orgId: row.orgId,
  type: "connection.failing" as const,
  connectionId: row.id,
  integrationId: row.integration.id,
  tenantId: row.tenantId,
  ...(digestId ? { digestId } : {}),
  data: {
    org: orgRef(row.org),
    connection: connectionRef(row, row.org, publicUrl),
    integration: integrationRef(row.integration),
    health: "failing",
    failure: failureInWords(row.healthCode ?? "unknown", row.healthClass, row.healthReason),
    firstFailedAt: (row.healthChangedAt ?? now).toISOString(),
  },
});

async function announceFailing(tx: Tx, row: Row, now: Date, publicUrl: string, out: EvaluateResult) {
  const r = await emitEvent(tx, failingEvent(row, now, publicUrl), now);
  out.events += 1;
  out.deliveries.push(...r.deliveries);
  await tx.connection.update({ where: { id: row.id }, data: { alertPending: false, alertedState: "failing", alertedAt: now, alertDigestId: null } });
}

async function fold(tx: Tx, row: Row, digestId: string, now: Date, publicUrl: string, out: EvaluateResult) {
  await emitEvent(tx, failingEvent(row, now, publicUrl, digestId), now);
  out.folded += 1;
  await tx.connection.update({ where: { id: row.id }, data: { alertPending: false, alertedState: "failing", alertedAt: now, alertDigestId: digestId } });
}

async function failTenantGroup(tx: Tx, group: Row[], now: Date, groupMs: number, publicUrl: string, out: EvaluateResult) {
  const { orgId, tenantId, org } = group[0]!;
  const open = await tx.tenantAlert.findFirst({ where: { orgId, tenantId, closedAt: null }, select: { id: true } });
  if (open) {
    for (const row of group) await fold(tx, row, open.id, now, publicUrl, out);
    await tx.tenantAlert.update({ where: { id: open.id }, data: { members: { increment: group.length } } });
    return;
  }
  const windowStart = new Date(now.getTime() - DIGEST_WINDOW_MS);
  // "Start failing within ten minutes": a failure older than that (the worker was down) is told on its own.
  const fresh = group.filter((r) => (r.healthChangedAt ?? now) >= windowStart);
  const stale = group.filter((r) => !fresh.includes(r));
  const announced = await tx.connection.findMany({
    where: { orgId, tenantId, health: "FAILING", alertedState: "failing", alertDigestId: null, alertedAt: { gte: windowStart }, id: { notIn: group.map((r) => r.id) } },
    select: { id: true, mailbox: true, mailboxKind: true, displayName: true, tenantId: true, healthCode: true, healthClass: true, healthChangedAt: true },
  });
  for (const row of stale) await announceFailing(tx, row, now, publicUrl, out);

  if (fresh.length > 0 && fresh.length + announced.length >= DIGEST_THRESHOLD) {
    const digest = await tx.tenantAlert.create({ data: { orgId, tenantId, openedAt: now, members: fresh.length + announced.length } });
    const members = [...announced, ...fresh];
    const firstFailedAt = new Date(Math.min(...members.map((m) => (m.healthChangedAt ?? now).getTime())));
    const r = await emitEvent(
      tx,
      {
        orgId,
        type: "tenant.failing",
        tenantId,
        data: {
          org: orgRef(org),
          tenantId,
          failing: members.length,
          // The first 100 in the body; the portal's list has them all.
          connections: members.slice(0, 100).map((m) => ({ ...connectionRef(m, org, publicUrl), code: m.healthCode ?? "unknown", class: m.healthClass })),
          firstFailedAt: firstFailedAt.toISOString(),
          url: mailboxesUrl(publicUrl, org.slug),
        },
      },
      now,
    );
    out.events += 1;
    out.deliveries.push(...r.deliveries);
    for (const row of fresh) await fold(tx, row, digest.id, now, publicUrl, out);
    if (announced.length) await tx.connection.updateMany({ where: { id: { in: announced.map((a) => a.id) } }, data: { alertDigestId: digest.id } });
    return;
  }
  for (const row of fresh) {
    if ((row.healthChangedAt ?? now).getTime() + groupMs <= now.getTime()) await announceFailing(tx, row, now, publicUrl, out);
    else out.waiting += 1; // stays pending: others of its tenant may follow within the grouping delay
  }
}

async function recover(tx: Tx, row: Row, now: Date, publicUrl: string, out: EvaluateResult, touchedDigests: Set<string>) {
  const data = {
    org: orgRef(row.org),
    connection: connectionRef(row, row.org, publicUrl),
    integration: integrationRef(row.integration),
    health: row.health.toLowerCase().replace("_", " "),
    failingSince: row.alertedAt?.toISOString() ?? null,
  };
  const base = { orgId: row.orgId, type: "connection.recovered" as const, connectionId: row.id, integrationId: row.integration.id, tenantId: row.tenantId, data };
  if (row.alertDigestId) {
    await emitEvent(tx, { ...base, digestId: row.alertDigestId }, now);
    out.folded += 1;
    touchedDigests.add(row.alertDigestId);
  } else {
    const r = await emitEvent(tx, base, now);
    out.events += 1;
    out.deliveries.push(...r.deliveries);
  }
  // The digest id stays until the digest closes: it counts who is still failing.
  await tx.connection.update({ where: { id: row.id }, data: { alertPending: false, alertedState: "ok", alertedAt: now, healLinkSentAt: null } });
}

async function closeDigestIfRecovered(tx: Tx, digestId: string, now: Date, publicUrl: string, out: EvaluateResult) {
  const stillFailing = await tx.connection.count({ where: { alertDigestId: digestId, alertedState: "failing" } });
  if (stillFailing > 0) return;
  const digest = await tx.tenantAlert.update({ where: { id: digestId }, data: { closedAt: now }, include: { org: { select: { id: true, slug: true, name: true } } } });
  const r = await emitEvent(
    tx,
    {
      orgId: digest.orgId,
      type: "tenant.recovered",
      tenantId: digest.tenantId,
      data: { org: orgRef(digest.org), tenantId: digest.tenantId, recovered: digest.members, failingSince: digest.openedAt.toISOString(), url: mailboxesUrl(publicUrl, digest.org.slug) },
    },
    now,
  );
  out.events += 1;
  out.deliveries.push(...r.deliveries);
  await tx.connection.updateMany({ where: { alertDigestId: digestId }, data: { alertDigestId: null } });
}
