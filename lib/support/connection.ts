import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import type { CheckOutcome, CheckTrigger, Health } from "@/generated/prisma/enums";
import type { CheckRow } from "@/lib/checks/history";
import { connectionHealthSelect } from "@/lib/connections/connections";
import { missingScopes } from "@/lib/connections/granted-scopes";
import { diagnose, type Diagnosis } from "@/lib/diagnosis/catalog";
import type { StoredFailure } from "@/lib/connections/connection-detail";
import { record, type RequestMeta } from "@/lib/audit/record";

// One connection as support staff read it, across orgs, by id. Every column is named: no token,
// no encrypted field, no consent link (its signed URL is never stored, and its rows are not read).

export const SUPPORT_CHECKS = 20;
export const SUPPORT_AUDIT = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const supportConnectionSelect = {
  id: true,
  orgId: true,
  mailbox: true,
  mailboxKind: true,
  tenantId: true,
  objectId: true,
  upn: true,
  displayName: true,
  consentType: true,
  requestedScopes: true,
  grantedScopes: true,
  consentedConfigVersion: true,
  refreshTokenIssuedAt: true,
  refreshTokenLastUsedAt: true,
  lastRefreshedAt: true,
  lastFailure: true,
  status: true,
  statusReason: true,
  connectedAt: true,
  ...connectionHealthSelect,
  org: { select: { id: true, slug: true, name: true } },
  integration: { select: { id: true, name: true, cloud: true, tenantMode: true, clientId: true, configVersion: true, purposes: true } },
} as const satisfies Prisma.ConnectionSelect;

/** One step of a stored check, as far as it is shown (the shape lib/checks/health.ts CheckStep stores). */
export type SupportStep = { id: string; status: string; code: string | null; class: string | null; durationMs: number | null };
export type SupportCheck = CheckRow & { steps: SupportStep[] };

/** Only the fields a step is allowed to carry on screen, whatever else the JSON holds. */
function stepsOf(raw: unknown): SupportStep[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((s) => {
    if (!s || typeof s !== "object") return [];
    const o = s as Record<string, unknown>;
    return [{
      id: String(o.id ?? "step"),
      status: typeof o.status === "string" ? o.status : "unknown",
      code: typeof o.code === "string" ? o.code : null,
      class: typeof o.class === "string" ? o.class : null,
      durationMs: typeof o.durationMs === "number" ? o.durationMs : null,
    }];
  });
}

export type CodeDiagnosis = Diagnosis & { where: string[] };

/** Every diagnosis code the connection shows (health, protocols, last refresh, recent checks), once each, with where it appeared. */
function diagnosesOf(c: { healthCode: string | null; health: Health; graphCode: string | null; imapCode: string | null; popCode: string | null; smtpCode: string | null }, lastFailure: StoredFailure | null, checks: SupportCheck[]): CodeDiagnosis[] {
  const seen = new Map<string, Set<string>>();
  const add = (code: string | null | undefined, where: string) => {
    if (!code) return;
    seen.set(code, (seen.get(code) ?? new Set()).add(where));
  };
  if (c.health !== "HEALTHY") add(c.healthCode, "health");
  add(c.graphCode, "Graph");
  add(c.imapCode, "IMAP");
  add(c.popCode, "POP");
  add(c.smtpCode, "SMTP");
  add(lastFailure?.code, "last token refresh");
  for (const k of checks) {
    add(k.failureCode, "recent checks");
    for (const s of k.steps) if (s.status === "failed") add(s.code, "recent checks");
  }
  return [...seen].map(([code, where]) => ({ ...diagnose(code), where: [...where] }));
}

/** The connection with its org, checks (with steps), diagnoses and the org's audit entries about it; null for an unknown id. */
export async function getSupportConnection(db: Db, id: string) {
  if (!UUID.test(id)) return null;
  const c = await db.connection.findUnique({ where: { id }, select: supportConnectionSelect });
  if (!c) return null;
  const [checkRows, audit] = await Promise.all([
    db.check.findMany({
      where: { orgId: c.orgId, connectionId: c.id },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: SUPPORT_CHECKS,
      select: { id: true, trigger: true, startedAt: true, durationMs: true, outcome: true, failureCode: true, failureClass: true, health: true, steps: true },
    }),
    // The org's own entries whose target is this connection (the (orgId, targetType, targetId, createdAt) index).
    db.auditEvent.findMany({
      where: { orgId: c.orgId, targetType: "connection", targetId: c.id },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: SUPPORT_AUDIT,
      select: { id: true, action: true, actorEmail: true, createdAt: true, data: true },
    }),
  ]);
  const checks: SupportCheck[] = checkRows.map((r) => {
    const steps = stepsOf(r.steps);
    return {
      id: r.id,
      trigger: r.trigger as CheckTrigger,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      outcome: r.outcome as CheckOutcome,
      failureCode: r.failureCode,
      failureClass: r.failureClass,
      health: r.health,
      failedSteps: steps.filter((s) => s.status === "failed").map((s) => ({ id: s.id, code: s.code })),
      steps,
    };
  });
  const { lastFailure: rawFailure, ...connection } = c;
  const lastFailure = (rawFailure as StoredFailure | null) ?? null;
  const healthDiagnosis = connection.healthCode && connection.health !== "HEALTHY" ? diagnose(connection.healthCode) : null;
  return {
    connection,
    missingScopes: missingScopes(connection.requestedScopes, connection.grantedScopes),
    consentOutdated: connection.consentedConfigVersion < connection.integration.configVersion,
    lastFailure,
    checks,
    diagnoses: diagnosesOf(connection, lastFailure, checks),
    healthDiagnosis: healthDiagnosis && !healthDiagnosis.unknown ? healthDiagnosis : null,
    audit,
  };
}

export type SupportConnection = NonNullable<Awaited<ReturnType<typeof getSupportConnection>>>;

/** Support staff opened one connection's page: part of its org's audit trail, targeted at the connection. */
export async function recordSupportConnectionView(db: Db, viewer: { id: string; email: string }, c: { id: string; orgId: string; mailbox: string }, meta?: RequestMeta) {
  await record(db, { action: "support.viewed_connection", orgId: c.orgId, actor: viewer, targetType: "connection", targetId: c.id, data: { mailbox: c.mailbox }, meta });
}
