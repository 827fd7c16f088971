import type { Db } from "@/lib/db-client";
import type { CheckTrigger, Prisma } from "@/generated/prisma/client";
import { recordCheck, type RecordedCheck } from "@/lib/checks/record";
import { notFound } from "@/lib/errors";
import type { Keyring } from "@/lib/crypto";
import type { FailureClass } from "@/lib/diagnosis/catalog";
import type { CloudId } from "@/lib/microsoft/clouds";
import { mailEndpoints, type HostMap } from "@/lib/microsoft/endpoints";
import type { Purpose } from "@/lib/microsoft/scopes";
import { probeGraphInbox, probeGraphMe, probeGraphSend } from "@/lib/microsoft/probes/graph";
import { probeImap } from "@/lib/microsoft/probes/imap";
import { probePop } from "@/lib/microsoft/probes/pop";
import { probeSmtp } from "@/lib/microsoft/probes/smtp";
import { withDeadline, type ProbeEndpoint, type ProbeResult } from "@/lib/microsoft/probes/probe-result";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import { endpointsOf } from "@/lib/integrations/integrations";
import { getAccessToken, claimsOf, type RefreshCause, type Resource } from "./tokens";

// "Test now": real mail access for one connection, as a list of steps that report as they run.
// Only what the integration is for is tested. The protocol work is in lib/microsoft/probes, whose
// classified results (diagnosis code, class, the server's exact reply) become the steps here;
// every probe has a deadline, so a test never hangs.

export type StepId = "refresh-graph" | "refresh-outlook" | "graph-me" | "graph-inbox" | "graph-send" | "imap" | "pop" | "smtp";
export type StepStatus = "pending" | "running" | "ok" | "failed" | "skipped";
export type TestStep = {
  id: StepId;
  label: string;
  status: StepStatus;
  detail?: string;
  /** Failed steps: the diagnosis code, its class and the server's exact reply. */
  code?: string;
  class?: FailureClass;
  reply?: string;
  /** Failed steps: what Microsoft sent, for explaining codes the catalog lacks. */
  error?: string;
  suberror?: string;
  httpStatus?: number;
  message?: string;
  /** Failed steps: the wait Microsoft asked for (Retry-After on a 429/503), which the worker's tenant backoff honours. */
  retryAfterSeconds?: number;
  /** The server the step talked to (Graph, IMAP, POP, SMTP). */
  at?: ProbeEndpoint;
  /** What identifies the failure for Microsoft support (Graph's request ids; the token endpoint's trace and correlation ids). */
  ids?: StepIds;
  /** Running steps: when they started (the panel shows elapsed time) and a wait Microsoft asked for. */
  startedAt?: string;
  waiting?: { reason: "throttled" | "unavailable"; seconds: number; attempt: number; maxRetries: number; httpStatus: number };
  durationMs?: number;
};
export type StepIds = { requestId?: string; clientRequestId?: string; date?: string; traceId?: string; correlationId?: string; timestamp?: string };
export type TestRun = { startedAt: string; finishedAt?: string; ok?: boolean; steps: TestStep[] };

export type MailHostSettings = { host: string; imapPort?: number; popPort?: number; smtpPort?: number };

export type TestDeps = {
  db: Db;
  keyring: Keyring;
  hostMap?: HostMap;
  /** Where IMAP/POP/SMTP live when not at Microsoft's hosts (the emulator). */
  mailHost?: MailHostSettings;
  /** Extra CA for the mail servers' TLS (tests; demo mode trusts the emulator through NODE_EXTRA_CA_CERTS). */
  tlsCa?: string;
  stepTimeoutMs?: number;
};

async function loadConnection(db: Db, orgId: string, id: string) {
  return db.connection.findFirst({
    where: { id, orgId },
    select: {
      id: true,
      orgId: true,
      mailbox: true,
      mailboxKind: true,
      upn: true,
      integration: { select: { cloud: true, tenantMode: true, tenant: true, purposes: true, authorizeEndpoint: true, tokenEndpoint: true } },
    },
  });
}

const LABELS: Record<StepId, string> = {
  "refresh-graph": "Access token for Microsoft Graph",
  "refresh-outlook": "Access token for Exchange Online",
  "graph-me": "Graph: who the token is for (/me)",
  "graph-inbox": "Graph: read one message from the inbox",
  "graph-send": "Graph: send a test message",
  imap: "IMAP: sign in with XOAUTH2 and open INBOX",
  pop: "POP: sign in with XOAUTH2 and count messages",
  smtp: "SMTP: STARTTLS and sign in with XOAUTH2",
};

export function plannedSteps(purposes: Purpose[], opts: { sendTo?: string } = {}): TestStep[] {
  const ids: StepId[] = [];
  for (const r of resourcesFor(purposes)) ids.push(r === "graph" ? "refresh-graph" : "refresh-outlook");
  if (purposes.includes("graph-read") || purposes.includes("graph-send")) ids.push("graph-me");
  if (purposes.includes("graph-read")) ids.push("graph-inbox");
  if (purposes.includes("graph-send") && opts.sendTo) ids.push("graph-send");
  if (purposes.includes("imap")) ids.push("imap");
  if (purposes.includes("pop")) ids.push("pop");
  if (purposes.includes("smtp")) ids.push("smtp");
  return ids.map((id) => ({ id, label: id === "smtp" && opts.sendTo ? "SMTP: STARTTLS, sign in with XOAUTH2 and send a test message" : LABELS[id], status: "pending" }));
}

/** What a step ends with: a probe's result, or the refresh's (which is not a probe). */
type StepOutcome =
  | { ok: true; summary: string }
  | { ok: false; code: string; class: FailureClass; detail: string; reply?: string; claims?: string; error?: string; suberror?: string; httpStatus?: number; message?: string; retryAfterSeconds?: number; at?: ProbeEndpoint; ids?: StepIds };

/** Runs the test, reporting each step change through onUpdate, and returns the finished run. */
export async function runConnectionTest(deps: TestDeps, orgId: string, connectionId: string, opts: { sendTo?: string; onUpdate?: (run: TestRun) => void; cause?: RefreshCause } = {}): Promise<TestRun> {
  const found = await loadConnection(deps.db, orgId, connectionId);
  if (!found) throw notFound("That mailbox connection");
  const c = found;
  const purposes = c.integration.purposes as Purpose[];
  const run: TestRun = { startedAt: new Date().toISOString(), steps: plannedSteps(purposes, opts) };
  const publish = () => opts.onUpdate?.(structuredClone(run));
  const timeoutMs = deps.stepTimeoutMs ?? 15_000;
  const tokens: Partial<Record<Resource, string>> = {};
  const graphBase = endpointsOf(c.integration, deps.hostMap).graphBase;
  const mail = mailEndpoints(c.integration.cloud as CloudId, deps.mailHost);
  const ca = deps.tlsCa ? { ca: deps.tlsCa } : {};
  // Delegated Graph calls for a shared mailbox go through /users/{address}; the token is the delegate's.
  const mailboxPath = c.mailboxKind === "SHARED" ? `/users/${encodeURIComponent(c.mailbox)}` : "/me";
  let current: TestStep | undefined;
  // A throttled (or briefly unavailable) Graph call waits before its retry: the step says so meanwhile.
  const onRetryWait = (w: { seconds: number; attempt: number; maxRetries: number; status: number }) => {
    if (!current) return;
    current.waiting = { reason: w.status === 429 ? "throttled" : "unavailable", seconds: Math.round(w.seconds), attempt: w.attempt, maxRetries: w.maxRetries, httpStatus: w.status };
    publish();
  };
  const graph = () => ({ graphBase, accessToken: tokens.graph ?? "", mailboxPath, timeoutMs, onRetryWait });
  const outlook = { user: c.mailbox, timeoutMs, ...ca };
  // The probes have their own timeouts; the deadline is the last word, a little later.
  const deadline = <D>(at: ProbeEndpoint, probe: (signal: AbortSignal) => Promise<ProbeResult<D>>) => withDeadline(at, timeoutMs + 1000, probe);

  const steps: Record<StepId, () => Promise<StepOutcome>> = {
    "refresh-graph": () => refreshStep("graph"),
    "refresh-outlook": () => refreshStep("outlook"),
    "graph-me": () => probeGraphMe(graph()),
    "graph-inbox": () => probeGraphInbox(graph()),
    "graph-send": () => probeGraphSend({ ...graph(), to: opts.sendTo ?? "" }),
    imap: () => deadline({ protocol: "imap", ...mail.imap }, () => probeImap({ ...mail.imap, ...outlook, accessToken: tokens.outlook ?? "" })),
    pop: () => deadline({ protocol: "pop", ...mail.pop }, (signal) => probePop({ ...mail.pop, ...outlook, accessToken: tokens.outlook ?? "", signal })),
    smtp: () => deadline({ protocol: "smtp", ...mail.smtp }, () => probeSmtp({ ...mail.smtp, ...outlook, accessToken: tokens.outlook ?? "", ...(opts.sendTo ? { sendTo: opts.sendTo } : {}) })),
  };

  async function refreshStep(resource: Resource): Promise<StepOutcome> {
    let timer: NodeJS.Timeout | undefined;
    // The refresh carries on (and is stored) if it outlives the step; the test just stops waiting.
    const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), timeoutMs)));
    const refreshed = getAccessToken({ db: deps.db, keyring: deps.keyring, ...(deps.hostMap ? { hostMap: deps.hostMap } : {}) }, c.orgId, c.id, resource, { force: true, ...(opts.cause ? { cause: opts.cause } : {}) });
    refreshed.catch(() => {}); // a late failure has nowhere to go
    const r = await Promise.race([refreshed, late]).finally(() => clearTimeout(timer));
    if (r === "late") return { ok: false, code: "timeout", class: "transient", detail: `No access token within ${Math.round(timeoutMs / 1000)} s.` };
    if (!r.ok) {
      const f = r.failure;
      const ids = { ...(f.traceId ? { traceId: f.traceId } : {}), ...(f.correlationId ? { correlationId: f.correlationId } : {}), ...(f.timestamp ? { timestamp: f.timestamp } : {}) };
      return {
        ok: false,
        code: f.code,
        class: r.classification,
        detail: f.description ?? f.code,
        ...(f.error ? { error: f.error } : {}),
        ...(f.suberror ? { suberror: f.suberror } : {}),
        ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
        ...(f.description ? { message: f.description } : {}),
        ...(f.retryAfterSeconds !== undefined ? { retryAfterSeconds: f.retryAfterSeconds } : {}),
        ...(Object.keys(ids).length ? { ids } : {}),
      };
    }
    tokens[resource] = r.value.token;
    const claims = claimsOf(r.value.token);
    const expires = `expires ${r.value.expiresAt.toISOString().slice(11, 16)} UTC`;
    const summary = claims.readable
      ? `Audience ${claims.aud ?? "?"}, scopes ${claims.scp ?? claims.roles?.join(" ") ?? "?"}, tenant ${claims.tid ?? "?"}, ${expires}.`
      : `Token issued (${expires}); Microsoft made it opaque, so its claims can't be shown.`;
    return { ok: true, summary };
  }

  publish();
  for (const step of run.steps) {
    const needs: Resource | undefined = step.id.startsWith("graph") ? "graph" : ["imap", "pop", "smtp"].includes(step.id) ? "outlook" : undefined;
    if (needs && !tokens[needs]) {
      step.status = "skipped";
      step.detail = "Not run: no access token for it.";
      publish();
      continue;
    }
    step.status = "running";
    step.startedAt = new Date().toISOString();
    current = step;
    publish();
    const started = Date.now();
    // Probes return their failures; anything thrown is a bug or the database, shown as unknown.
    const result = await steps[step.id]().catch((e: unknown): StepOutcome => ({ ok: false, code: "unknown", class: "transient", detail: String((e as Error)?.message ?? e).slice(0, 300) }));
    if (result.ok) {
      step.status = "ok";
      step.detail = result.summary;
    } else {
      step.status = "failed";
      step.code = result.code;
      step.class = result.class;
      step.detail = result.detail;
      if (result.reply) step.reply = result.reply;
      if (result.error) step.error = result.error;
      if (result.suberror) step.suberror = result.suberror;
      if (result.httpStatus !== undefined) step.httpStatus = result.httpStatus;
      if (result.message) step.message = result.message;
      if (result.retryAfterSeconds !== undefined) step.retryAfterSeconds = result.retryAfterSeconds;
      if (result.at) step.at = result.at;
      if (result.ids) step.ids = result.ids;
      if (result.claims !== undefined) await recordClaimsChallenge(deps.db, c.orgId, c.id, result.claims);
    }
    step.durationMs = Date.now() - started;
    delete step.waiting;
    current = undefined;
    publish();
  }
  run.finishedAt = new Date().toISOString();
  run.ok = run.steps.every((s) => s.status === "ok");
  publish();
  return run;
}

/**
 * Keeps the finished run on the connection (shown on its page) and records it as a check
 * (lib/checks/record.ts), which updates the connection's health. The Check row, with who started
 * it, is the run's history: no test_passed/test_failed event besides it, which the mailbox
 * timeline would show twice.
 */
export async function saveTestRun(db: Db, orgId: string, connectionId: string, run: TestRun, opts: { trigger?: CheckTrigger; triggeredById?: string } = {}): Promise<RecordedCheck | null> {
  return recordCheck(db, { orgId, connectionId, trigger: opts.trigger ?? "MANUAL", run, keepRun: true, ...(opts.triggeredById ? { triggeredById: opts.triggeredById } : {}) });
}

/** A claims challenge means the next sign-in must satisfy those claims: the grant needs re-consent. */
async function recordClaimsChallenge(db: Db, orgId: string, connectionId: string, claims: string): Promise<void> {
  await db.connection.updateMany({
    where: { id: connectionId, orgId },
    data: {
      status: "NEEDS_RECONSENT",
      statusReason: "Microsoft asked for a fresh sign-in (a claims challenge from Conditional Access or continuous access evaluation).",
      lastFailure: { code: "graph_claims_challenge", classification: "needs_reconsent", resource: "graph", at: new Date().toISOString(), claims } as Prisma.InputJsonValue,
    },
  });
  await db.connectionAccessToken.deleteMany({ where: { connectionId, resource: "graph" } });
}

/** The claims to carry into the next sign-in, when the last failure was a claims challenge. */
export function pendingClaims(lastFailure: unknown): string | undefined {
  const f = lastFailure as { code?: string; claims?: unknown } | null;
  return f?.code === "graph_claims_challenge" && typeof f.claims === "string" && f.claims ? f.claims : undefined;
}
