import type { Db } from "@/lib/db-client";
import { Prisma, type CheckTrigger, type Health, type ProtocolResult } from "@/generated/prisma/client";
import type { FailureClass } from "@/lib/diagnosis/catalog";
import { checkOutcome, computeHealth, type CheckStep, type HealthInput, type HealthView, type LatestCheck, type RefreshFailure } from "./health";

// Writing what a check found: one Check row (kept 30 days, then rolled up), the connection's
// per-protocol columns, and its health. "Test now", the worker and the API all come through here,
// so every check is recorded the same way.

export type Protocol = "graph" | "imap" | "pop" | "smtp";
export const PROTOCOLS: readonly Protocol[] = ["graph", "imap", "pop", "smtp"];

type RunLike = { startedAt: string; finishedAt?: string; steps: readonly CheckStep[] };

/** Per protocol the integration is for: OK, or FAILED with the code (a failed token for it counts). */
export function protocolResults(steps: readonly CheckStep[]): Partial<Record<Protocol, { result: ProtocolResult; code: string | null }>> {
  const out: Partial<Record<Protocol, { result: ProtocolResult; code: string | null }>> = {};
  const refresh = { graph: steps.find((s) => s.id === "refresh-graph"), outlook: steps.find((s) => s.id === "refresh-outlook") };
  const of = (p: Protocol) => steps.filter((s) => (p === "graph" ? s.id.startsWith("graph-") : s.id === p));
  for (const p of PROTOCOLS) {
    const own = of(p);
    if (own.length === 0) continue;
    const token = p === "graph" ? refresh.graph : refresh.outlook;
    const failed = own.find((s) => s.status === "failed") ?? (token?.status === "failed" ? token : undefined);
    if (failed) out[p] = { result: "FAILED", code: failed.code ?? "unknown" };
    else if (own.every((s) => s.status === "ok")) out[p] = { result: "OK", code: null };
    else out[p] = { result: "SKIPPED", code: null };
  }
  return out;
}

const healthSelect = {
  status: true,
  statusReason: true,
  mailboxKind: true,
  consentedConfigVersion: true,
  lastFailure: true,
  lastRefreshedAt: true,
  refreshFailingSince: true,
  refreshTokenLastUsedAt: true,
  health: true,
  healthClass: true,
  healthCode: true,
  healthReason: true,
  integration: { select: { configVersion: true, purposes: true, extraScopes: true, credentialType: true, secretExpiresAt: true, certificateExpiresAt: true } },
} as const satisfies Prisma.ConnectionSelect;

type HealthRow = Prisma.ConnectionGetPayload<{ select: typeof healthSelect }>;

function inputOf(row: HealthRow, lastCheck: LatestCheck | null, now: Date): HealthInput {
  return {
    now,
    status: row.status,
    statusReason: row.statusReason,
    consentOutdated: row.consentedConfigVersion < row.integration.configVersion,
    mailboxKind: row.mailboxKind,
    integration: row.integration,
    lastCheck,
    lastFailure: (row.lastFailure as RefreshFailure | null) ?? null,
    lastRefreshedAt: row.lastRefreshedAt,
    refreshFailingSince: row.refreshFailingSince,
    refreshTokenLastUsedAt: row.refreshTokenLastUsedAt,
  };
}

/** The columns that store a health, with healthChangedAt moved only when the health changed. */
function healthData(before: Pick<HealthRow, "health" | "healthClass">, view: HealthView, now: Date) {
  const changed = before.health !== view.health || (before.healthClass ?? null) !== view.class;
  // A change is for the alert evaluator (lib/alerts/evaluate.ts) to look at; it decides whether it is news.
  return { health: view.health, healthClass: view.class, healthCode: view.code, healthReason: view.reason, ...(changed ? { healthChangedAt: now, alertPending: true } : {}) };
}

export type RecordedCheck = { checkId: string; health: HealthView; previous: { health: Health; class: string | null }; outcome: LatestCheck["outcome"] };

/**
 * Stores a finished run as a Check and updates the connection's protocol columns and health.
 * `nextCheckAt` (the worker's next slot) and, with `keepRun`, the whole run for the mailbox page
 * (`lastTest`, with its messages and ids) are written in the same update of the connection row.
 */
export async function recordCheck(
  db: Db,
  input: { orgId: string; connectionId: string; trigger: CheckTrigger; run: RunLike; now?: Date; nextCheckAt?: Date; releaseLeaseOf?: string; keepRun?: boolean; triggeredById?: string },
): Promise<RecordedCheck | null> {
  const now = input.now ?? new Date();
  const row = await db.connection.findFirst({ where: { id: input.connectionId, orgId: input.orgId }, select: healthSelect });
  if (!row) return null;
  const startedAt = new Date(input.run.startedAt);
  const finishedAt = new Date(input.run.finishedAt ?? now.toISOString());
  const steps = input.run.steps.map((s) => ({ id: s.id, status: s.status, ...(s.code ? { code: s.code } : {}), ...(s.class ? { class: s.class } : {}), ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}) }));
  const { outcome, failureCode, failureClass } = checkOutcome(steps);
  const latest: LatestCheck = { at: finishedAt, outcome, failureCode, failureClass };
  const view = computeHealth(inputOf(row, latest, now));
  const protocols = protocolResults(steps);
  const protocolData: Record<string, unknown> = {};
  for (const [p, r] of Object.entries(protocols)) {
    protocolData[`${p}Result`] = r.result;
    protocolData[`${p}Code`] = r.code;
    protocolData[`${p}CheckedAt`] = finishedAt;
  }
  const checkId = crypto.randomUUID();
  await db.$transaction([
    db.check.create({
      data: {
        id: checkId,
        connectionId: input.connectionId,
        orgId: input.orgId,
        trigger: input.trigger,
        startedAt,
        durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
        outcome,
        steps: steps as Prisma.InputJsonValue,
        failureCode,
        failureClass,
        health: view.health,
        results: Object.fromEntries(Object.entries(protocols).map(([p, r]) => [p, r.result])),
        triggeredById: input.triggeredById ?? null,
      },
    }),
    db.connection.updateMany({
      where: { id: input.connectionId, orgId: input.orgId },
      data: {
        ...protocolData,
        ...healthData(row, view, now),
        lastCheckAt: finishedAt,
        ...(input.keepRun ? { lastTest: input.run as unknown as Prisma.InputJsonValue, lastTestedAt: finishedAt } : {}),
        ...(input.nextCheckAt ? { nextCheckAt: input.nextCheckAt } : {}),
      },
    }),
    ...(input.releaseLeaseOf
      ? [db.connection.updateMany({ where: { id: input.connectionId, checkLeaseOwner: input.releaseLeaseOf }, data: { checkLeaseUntil: null, checkLeaseOwner: null } })]
      : []),
  ]);
  return { checkId, health: view, previous: { health: row.health, class: row.healthClass }, outcome };
}

/**
 * Recomputes and stores a connection's health from what is stored (after a refresh failed or
 * recovered, a setting or credential changed). Returns the new health, or null if it is gone.
 */
export async function refreshHealth(db: Db, orgId: string, connectionId: string, now = new Date()): Promise<HealthView | null> {
  const [row, last] = await Promise.all([
    db.connection.findFirst({ where: { id: connectionId, orgId }, select: healthSelect }),
    db.check.findFirst({ where: { connectionId, orgId }, orderBy: { startedAt: "desc" }, select: { startedAt: true, durationMs: true, outcome: true, failureCode: true, failureClass: true } }),
  ]);
  if (!row) return null;
  const latest: LatestCheck | null = last ? { at: new Date(last.startedAt.getTime() + last.durationMs), outcome: last.outcome, failureCode: last.failureCode, failureClass: last.failureClass as FailureClass | null } : null;
  const view = computeHealth(inputOf(row, latest, now));
  if (view.health !== row.health || view.class !== row.healthClass || view.code !== row.healthCode || view.reason !== row.healthReason) {
    await db.connection.updateMany({ where: { id: connectionId, orgId }, data: healthData(row, view, now) });
  }
  return view;
}
