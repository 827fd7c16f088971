import type { CheckOutcome, CheckTrigger } from "@/generated/prisma/enums";
import { BRIDGE_SESSION_KIND, type FailedBridgeOutcome } from "@/lib/bridge/session-outcome";

// The words of a connection's timeline, shared by the org's mailbox page and the support
// console's connection page. Pure: no database, no role logic (whether names are shown is the
// caller's choice).

/** The timeline's filters, in the order the filter offers them. */
export const TIMELINE_KINDS = ["checks", "tests", "refreshes", "bridge", "healing", "alerts", "problems"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export const KIND_LABELS: Record<TimelineKind, string> = {
  checks: "Checks",
  tests: "Test now and API checks",
  refreshes: "Token refreshes",
  bridge: "Mail bridge sessions",
  healing: "Self-healing",
  alerts: "Alerts",
  problems: "Problems only",
};

/** What each ConnectionEvent kind written in lib/ means, in words. */
export const EVENT_LABELS: Record<string, string> = {
  refreshed: "Token refreshed",
  refresh_failed: "Token refresh failed",
  bridge_session: "Mail bridge session",
  heal_link_sent: "Fresh consent link mailed to the owner",
  heal_link_not_sent: "Fresh consent link not mailed",
  heal_link_failed: "Mailing a fresh consent link failed",
  // Written by "Test now" before a Check row was its history; they age out with retention.
  test_passed: "Test passed",
  test_failed: "Test failed",
};

export const REFRESH_EVENT_KINDS = ["refreshed", "refresh_failed"] as const;
export const BRIDGE_EVENT_KINDS = [BRIDGE_SESSION_KIND] as const;
export const HEALING_EVENT_KINDS = ["heal_link_sent", "heal_link_not_sent", "heal_link_failed"] as const;
/** Events that mean something went wrong (the "Problems only" filter), with failed bridge sessions (lib/bridge/session-outcome.ts). */
export const PROBLEM_EVENT_KINDS = ["refresh_failed", "heal_link_not_sent", "heal_link_failed"] as const;
/** Events that duplicate a Check row (the check says the same, with who started it). */
export const LEGACY_EVENT_KINDS = ["test_passed", "test_failed"] as const;

const BRIDGE_OUTCOMES: Record<FailedBridgeOutcome, string> = {
  refused_upstream: "Microsoft refused the sign-in",
  token_failed: "no token (see the refresh)",
  revoked: "cut: the credential was revoked",
  error: "ended with an error",
};

function bytes(n: unknown): string {
  const v = typeof n === "number" ? n : 0;
  return v < 1024 ? `${v} B` : v < 1024 * 1024 ? `${(v / 1024).toFixed(1)} KB` : `${(v / 1024 / 1024).toFixed(1)} MB`;
}

/** A bridge session in words: protocol, client address, bytes each way, how long, which credential, how it ended. */
export function bridgeSessionWords(detail: unknown): string {
  const d = (detail ?? {}) as { protocol?: string; clientIp?: string | null; durationMs?: number; bytesFromClient?: number; bytesToClient?: number; outcome?: string; reply?: string; via?: { kind?: string; name?: string; username?: string; prefix?: string } };
  const via = d.via?.kind === "api_key" ? `API key "${d.via.name}"` : d.via?.name ? `"${d.via.name}" (${d.via.username})` : null;
  const parts = [
    `${(d.protocol ?? "?").toUpperCase()} from ${d.clientIp ?? "an unknown address"}`,
    `${bytes(d.bytesFromClient)} from the client, ${bytes(d.bytesToClient)} to it`,
    typeof d.durationMs === "number" ? `${(d.durationMs / 1000).toFixed(1)} s` : null,
    via ? `signed in with ${via}` : null,
    d.outcome && d.outcome !== "ok" ? `${BRIDGE_OUTCOMES[d.outcome as FailedBridgeOutcome] ?? d.outcome}${d.reply ? `: ${d.reply}` : ""}` : null,
  ];
  return parts.filter(Boolean).join(" · ");
}

/** What an event carries in words: to whom a self-healing link went (or why not), a bridge session's facts. */
export function eventDetail(kind: string, detail: unknown): string | null {
  if (kind === BRIDGE_SESSION_KIND) return bridgeSessionWords(detail);
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
  | { kind: "scheduled-check" | "api" | "keep-alive" | "during-scheduled-check" | "self-healing" | "alerts" | "on-demand" | "bridge" }
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
    case "bridge": return "A mail client through the bridge";
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
