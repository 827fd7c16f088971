import type { CheckOutcome, ConnectionStatus, Health } from "@/generated/prisma/enums";
import { diagnose, type FailureClass } from "@/lib/diagnosis/catalog";
import { inactivityDeadline } from "@/lib/connections/inactivity";
import { missingSharedScopes } from "@/lib/integrations/shared-scopes";

// A connection's health: does it work right now, and will it keep working? A second axis beside
// its consent status (connected, needs re-consent, revoked). One function over the latest refresh
// outcome and the latest check decides it; the worker, "Test now" and every refresh store its
// answer in indexed columns (lib/checks/record.ts), and every screen shows those columns.

export const AT_RISK_DAYS = 14;
/** Transient refresh failures for this long make a working connection "at risk". */
export const REFRESH_FAILING_AT_RISK_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;

export type CheckStep = { id: string; status: "ok" | "failed" | "skipped" | "pending" | "running"; code?: string; class?: FailureClass; durationMs?: number };

export type LatestCheck = { at: Date; outcome: CheckOutcome; failureCode?: string | null; failureClass?: string | null };

/** The last failed token request as tokens.ts stores it (lastFailure). */
export type RefreshFailure = { code: string; classification?: string; at?: string };

export type HealthInput = {
  now: Date;
  status: ConnectionStatus;
  statusReason?: string | null;
  /** The integration changed since the consent (display status "needs re-consent"). */
  consentOutdated?: boolean;
  mailboxKind?: "USER" | "SHARED";
  integration?: { purposes: string[]; extraScopes: string[]; credentialType?: "SECRET" | "CERTIFICATE"; secretExpiresAt?: Date | null; certificateExpiresAt?: Date | null };
  lastCheck?: LatestCheck | null;
  lastFailure?: RefreshFailure | null;
  lastRefreshedAt?: Date | null;
  refreshFailingSince?: Date | null;
  refreshTokenLastUsedAt?: Date | null;
};

export type HealthView = { health: Health; class: FailureClass | null; code: string | null; reason: string };

const CLASS_WORDS: Record<FailureClass, string> = {
  needs_reconsent: "needs re-consent",
  misconfigured: "misconfigured",
  blocked: "blocked",
  transient: "temporary failure",
};

export const healthClassWords = (c: string | null | undefined) => (c && c in CLASS_WORDS ? CLASS_WORDS[c as FailureClass] : null);

const days = (ms: number) => Math.max(0, Math.ceil(ms / DAY_MS));
const inDays = (ms: number) => (days(ms) === 0 ? "today" : days(ms) === 1 ? "within a day" : `in ${days(ms)} days`);

/** Outcome of a run's steps: passed; degraded when every failure is transient; failed otherwise. */
export function checkOutcome(steps: readonly CheckStep[]): { outcome: CheckOutcome; failureCode: string | null; failureClass: FailureClass | null } {
  const failed = steps.filter((s) => s.status === "failed");
  if (failed.length === 0) {
    // Nothing failed: passed, unless nothing ran at all (no step is ok).
    const ran = steps.some((s) => s.status === "ok");
    return { outcome: ran ? "PASSED" : "FAILED", failureCode: ran ? null : "no_steps", failureClass: null };
  }
  const first = failed.find((s) => (s.class ?? "transient") !== "transient") ?? failed[0]!;
  const cls = first.class ?? "transient";
  return { outcome: cls === "transient" ? "DEGRADED" : "FAILED", failureCode: first.code ?? "unknown", failureClass: cls };
}

function failing(cls: FailureClass, code: string, input: HealthInput): HealthView {
  // A 403 from Graph on a shared mailbox whose integration lacks the .Shared scopes: say which.
  if (code === "graph:ErrorAccessDenied" && input.mailboxKind === "SHARED" && input.integration) {
    const missing = missingSharedScopes(input.integration);
    if (missing.length) {
      return { health: "FAILING", class: "misconfigured", code, reason: `Graph refused the shared mailbox: the integration lacks ${missing.join(" and ")}. Add ${missing.length > 1 ? "them" : "it"} on the integration and have the delegate consent again.` };
    }
  }
  return { health: "FAILING", class: cls, code, reason: `${diagnose(code).title} (${code}).` };
}

/**
 * The health of a connection. Order matters: a grant that needs consent beats a failed check, a
 * failure newer than the last check beats that check, and "at risk" only applies to connections
 * that work today.
 */
export function computeHealth(input: HealthInput): HealthView {
  const { now } = input;
  if (input.status === "REVOKED") return { health: "FAILING", class: "needs_reconsent", code: "revoked", reason: input.statusReason ?? "The grant was revoked: the mailbox owner must consent again." };
  if (input.status === "NEEDS_RECONSENT") {
    return { health: "FAILING", class: "needs_reconsent", code: input.lastFailure?.code ?? "needs_reconsent", reason: input.statusReason ?? "The grant no longer works: the mailbox owner must consent again." };
  }
  if (input.consentOutdated) {
    return { health: "FAILING", class: "needs_reconsent", code: "integration_changed", reason: "The integration's scopes or endpoints changed since this mailbox consented: it must consent again." };
  }

  const checkAt = input.lastCheck?.at.getTime() ?? -Infinity;
  const refreshedAt = input.lastRefreshedAt?.getTime() ?? -Infinity;
  const failure = input.lastFailure;
  const failureAt = failure?.at ? Date.parse(failure.at) : NaN;
  // A refresh that failed after the last check and after the last good refresh is the latest word.
  const freshFailure = failure && Number.isFinite(failureAt) && failureAt > checkAt && failureAt >= refreshedAt ? failure : null;
  if (freshFailure && freshFailure.classification && freshFailure.classification !== "transient") {
    return failing(freshFailure.classification as FailureClass, freshFailure.code, input);
  }

  const check = input.lastCheck;
  if (check?.outcome === "FAILED") return failing((check.failureClass as FailureClass | null) ?? "misconfigured", check.failureCode ?? "unknown", input);

  // Refreshes failing transiently for hours: still working (cached tokens), but not for long.
  const failingSince = input.refreshFailingSince?.getTime();
  if (freshFailure && failingSince !== undefined && now.getTime() - failingSince >= REFRESH_FAILING_AT_RISK_MS) {
    const hours = Math.floor((now.getTime() - failingSince) / 3_600_000);
    return { health: "AT_RISK", class: "transient", code: freshFailure.code, reason: `Token refreshes have failed for ${hours} hours (${diagnose(freshFailure.code).title}, ${freshFailure.code}); mail stops when the cached token runs out.` };
  }
  if (check?.outcome === "DEGRADED") {
    return { health: "DEGRADED", class: "transient", code: check.failureCode ?? "unknown", reason: `The last check had only temporary failures: ${diagnose(check.failureCode ?? "unknown").title} (${check.failureCode ?? "unknown"}). The next check tries again.` };
  }
  if (freshFailure) {
    return { health: "DEGRADED", class: "transient", code: freshFailure.code, reason: `The last token refresh failed temporarily: ${diagnose(freshFailure.code).title} (${freshFailure.code}).` };
  }
  if (!check) return { health: "UNKNOWN", class: null, code: null, reason: "Not checked yet." };

  // Working today. Will it keep working?
  const risks: { at: number; code: string; reason: string }[] = [];
  const deadline = inactivityDeadline(input.refreshTokenLastUsedAt)?.getTime();
  if (deadline !== undefined && deadline - now.getTime() < AT_RISK_DAYS * DAY_MS) {
    risks.push({ at: deadline, code: "inactivity_deadline", reason: `Unused grants die after 90 days: this one dies ${inDays(deadline - now.getTime())} unless it is used.` });
  }
  const integration = input.integration;
  const credential = integration?.credentialType === "CERTIFICATE" ? { at: integration.certificateExpiresAt, what: "certificate", code: "certificate_expiring" } : { at: integration?.secretExpiresAt, what: "client secret", code: "secret_expiring" };
  if (credential.at) {
    const left = credential.at.getTime() - now.getTime();
    if (left <= 0) return { health: "FAILING", class: "misconfigured", code: credential.code.replace("expiring", "expired"), reason: `The integration's ${credential.what} expired on ${credential.at.toISOString().slice(0, 10)}: add a new one in Azure and paste it on the integration.` };
    if (left < AT_RISK_DAYS * DAY_MS) risks.push({ at: credential.at.getTime(), code: credential.code, reason: `The integration's ${credential.what} expires ${inDays(left)} (${credential.at.toISOString().slice(0, 10)}): add a new one in Azure before then.` });
  }
  if (risks.length) {
    const soonest = risks.sort((a, b) => a.at - b.at)[0]!;
    return { health: "AT_RISK", class: null, code: soonest.code, reason: soonest.reason };
  }
  return { health: "HEALTHY", class: null, code: null, reason: check.outcome === "PASSED" ? "The last check passed." : "Working." };
}
