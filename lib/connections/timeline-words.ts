import type { CheckOutcome, CheckTrigger } from "@/generated/prisma/enums";

// The words of a connection's timeline, shared by the org's mailbox page and the support
// console's connection page. Pure: no database, no role logic (whether names are shown is the
// caller's choice).

/** The timeline's filters, in the order the filter offers them. */
export const TIMELINE_KINDS = ["checks", "tests", "refreshes", "healing", "alerts", "problems"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const KIND_LABELS: Record<TimelineKind, string> = {
  checks: "Checks",
  tests: "Test now and API checks",
  refreshes: "Token refreshes",
  healing: "Self-healing",
  alerts: "Alerts",
  problems: "Problems only",
};

/** What each ConnectionEvent kind written in lib/ means, in words. */
export const EVENT_LABELS: Record<string, string> = {
  refreshed: "Token refreshed",
  refresh_failed: "Token refresh failed",
  heal_link_sent: "Fresh consent link mailed to the owner",
  heal_link_not_sent: "Fresh consent link not mailed",
  heal_link_failed: "Mailing a fresh consent link failed",
  // Written by "Test now" before a Check row was its history; they age out with retention.
  test_passed: "Test passed",
  test_failed: "Test failed",
};

export const REFRESH_EVENT_KINDS = ["refreshed", "refresh_failed"] as const;
export const HEALING_EVENT_KINDS = ["heal_link_sent", "heal_link_not_sent", "heal_link_failed"] as const;
/** Events that mean something went wrong (the "Problems only" filter). */
export const PROBLEM_EVENT_KINDS = ["refresh_failed", "heal_link_not_sent", "heal_link_failed"] as const;
/** Events that duplicate a Check row (the check says the same, with who started it). */
export const LEGACY_EVENT_KINDS = ["test_passed", "test_failed"] as const;

/** What the self-healing notes carry: to whom the link went, or why it did not. */
export function eventDetail(kind: string, detail: unknown): string | null {
  if (!kind.startsWith("heal_")) return null;
  const d = detail as { to?: unknown; why?: unknown } | null;
  if (typeof d?.to === "string") return `to ${d.to}`;
  if (typeof d?.why === "string") return d.why;
  return null;
}

export const eventLabel = (kind: string) => EVENT_LABELS[kind] ?? kind.replaceAll("_", " ");

export const RESOURCE_LABELS: Record<string, string> = { graph: "Microsoft Graph", outlook: "Exchange Online" };

/**
 * Who or what caused an entry. `userName` is set for the people kinds when the user is still
 * known (null: deleted, or a row written before it was recorded).
 */
export type TimelineActor =
  | { kind: "scheduled-check" | "api" | "keep-alive" | "during-scheduled-check" | "self-healing" | "alerts" | "on-demand" }
  | { kind: "test-now" | "refresh-now" | "during-test-now"; userName: string | null };

/** The actor in words; `showNames: false` names no person (a viewer who may not see who did what). */
export function actorWords(actor: TimelineActor, showNames: boolean): string {
  const who = "userName" in actor && actor.userName && showNames ? ` by ${actor.userName}` : "";
  switch (actor.kind) {
    case "scheduled-check": return "Scheduled check (worker)";
    case "api": return "Started through the API";
    case "keep-alive": return "Keep-alive refresh (worker)";
    case "during-scheduled-check": return "During a scheduled check";
    case "self-healing": return "Self-healing (re-consent policy)";
    case "alerts": return "Alert evaluator (worker)";
    case "on-demand": return "When a token was needed";
    case "test-now": return `Test now${who}`;
    case "refresh-now": return `Refresh now${who}`;
    case "during-test-now": return `During Test now${who}`;
  }
}

export function checkActor(trigger: CheckTrigger, userName: string | null): TimelineActor {
  if (trigger === "MANUAL") return { kind: "test-now", userName };
  return { kind: trigger === "API" ? "api" : "scheduled-check" };
}

/** The cause a refresh event carries in its detail (lib/connections/tokens.ts RefreshCause), as an actor. */
export function refreshActor(detail: unknown, names: ReadonlyMap<string, string>): TimelineActor {
  const d = detail as { by?: unknown; userId?: unknown } | null;
  const userName = typeof d?.userId === "string" ? (names.get(d.userId) ?? null) : null;
  switch (d?.by) {
    case "scheduled-check": return { kind: "during-scheduled-check" };
    case "keep-alive": return { kind: "keep-alive" };
    case "test-now": return { kind: "during-test-now", userName };
    case "refresh-now": return { kind: "refresh-now", userName };
    default: return { kind: "on-demand" };
  }
}

export const OUTCOME_WORDS: Record<CheckOutcome, { label: string; mark: string }> = {
  PASSED: { label: "Passed", mark: "✓" },
  DEGRADED: { label: "Degraded", mark: "!" },
  FAILED: { label: "Failed", mark: "✗" },
};

/** Short names of a check's steps (lib/connections/connection-test.ts StepId). */
export const STEP_NAMES: Record<string, string> = {
  "refresh-graph": "Microsoft Graph token",
  "refresh-outlook": "Exchange Online token",
  "graph-me": "Graph: who the token is for",
  "graph-inbox": "Graph: read one message",
  "graph-send": "Graph: send",
  imap: "IMAP sign-in",
  pop: "POP sign-in",
  smtp: "SMTP sign-in",
};
