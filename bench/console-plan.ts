// The shape of the console bench's fleet, decided in JS before any SQL runs: how many connections
// each org has (one large org and a long tail), how many Microsoft tenants and integrations each
// org spreads them over, and the health scenarios with their shares. bench/console-seed.ts turns
// this into rows with set-based SQL.
import { diagnose, type FailureClass } from "@/lib/diagnosis/catalog";
import type { CheckStep } from "@/lib/checks/health";
import { protocolResults } from "@/lib/checks/record";

export type FleetSize = { connections: number; orgs: number; tenants: number; largest: number; checks: number };
export type OrgPlan = { size: number; tenants: number; integrations: number };

/** Org sizes: the largest first, then a Zipf-like tail (weight 1/rank^1.1), every org at least one connection. */
export function planOrgs(s: FleetSize): OrgPlan[] {
  if (s.orgs < 1 || s.largest < 1 || s.largest > s.connections) throw new Error("--largest must be between 1 and --connections");
  if (s.connections - s.largest < s.orgs - 1) throw new Error("--connections leaves fewer than one connection per org besides the largest");
  if (s.tenants < s.orgs || s.tenants > s.connections) throw new Error("--tenants must be at least --orgs and at most --connections");
  const rest = s.connections - s.largest;
  const weights = Array.from({ length: s.orgs - 1 }, (_, i) => 1 / (i + 2) ** 1.1);
  const sum = weights.reduce((a, b) => a + b, 0);
  const sizes = [s.largest, ...weights.map((w) => Math.max(1, Math.floor((rest * w) / sum)))];
  // Whatever rounding left over (or took too much) goes to (or comes from) the tail's biggest orgs,
  // never above the largest org.
  let diff = s.connections - sizes.reduce((a, b) => a + b, 0);
  for (let i = 1, guard = 0; diff !== 0 && sizes.length > 1 && guard < 10_000_000; i = i + 1 < sizes.length ? i + 1 : 1, guard++) {
    if (diff > 0 && sizes[i]! < s.largest) {
      sizes[i]!++;
      diff--;
    } else if (diff < 0 && sizes[i]! > 1) {
      sizes[i]!--;
      diff++;
    }
  }
  if (diff !== 0) throw new Error("these sizes do not fit: with one org --largest must equal --connections, and the tail may not outgrow the largest org");
  // Tenants: one each, the others in proportion to size, never more tenants than connections.
  const extra = s.tenants - s.orgs;
  const tenants = sizes.map((n) => Math.min(n, 1 + Math.floor((extra * n) / s.connections)));
  let left = s.tenants - tenants.reduce((a, b) => a + b, 0);
  for (let i = 0; left > 0; i = (i + 1) % sizes.length) {
    if (tenants[i]! < sizes[i]!) {
      tenants[i]!++;
      left--;
    }
  }
  return sizes.map((size, i) => ({ size, tenants: tenants[i]!, integrations: Math.min(tenants[i]!, size >= 1000 ? 4 : size >= 100 ? 2 : 1) }));
}

export type ProtocolCell = { result: "OK" | "FAILED" | "SKIPPED"; code: string | null } | null;

/** What one health scenario looks like: the connection's columns, its latest checks and its steps. */
export type Scenario = {
  key: string;
  /** Share of connections, per mille. */
  perMille: number;
  health: "HEALTHY" | "DEGRADED" | "AT_RISK" | "FAILING" | "UNKNOWN";
  class: string | null;
  code: string | null;
  reason: string;
  status: "CONNECTED" | "NEEDS_RECONSENT";
  /** Where the failure shows: the token request (every step after it skipped), or one protocol step. */
  failsAt: "refresh" | "graph-me" | "smtp" | null;
  /** The latest checks' outcome (older ones passed). */
  outcome: "PASSED" | "DEGRADED" | "FAILED" | null;
};

const failingReason = (code: string) => `${diagnose(code).title} (${code}).`;
const classOf = (code: string) => diagnose(code).class ?? "misconfigured";

function failing(key: string, perMille: number, code: string, failsAt: Scenario["failsAt"], status: Scenario["status"] = "CONNECTED"): Scenario {
  return { key, perMille, health: "FAILING", class: classOf(code), code, reason: status === "NEEDS_RECONSENT" ? "The grant no longer works: the mailbox owner must consent again." : failingReason(code), status, failsAt, outcome: "FAILED" };
}

// Mostly healthy; failures with the codes support staff search for; a few degraded, at risk and never checked.
export const SCENARIOS: Scenario[] = [
  { key: "healthy", perMille: 800, health: "HEALTHY", class: null, code: null, reason: "The last check passed.", status: "CONNECTED", failsAt: null, outcome: "PASSED" },
  failing("password-changed", 30, "AADSTS50173", "refresh", "NEEDS_RECONSENT"),
  failing("refresh-expired", 10, "AADSTS700082", "refresh", "NEEDS_RECONSENT"),
  failing("conditional-access", 15, "AADSTS53003", "refresh"),
  failing("app-not-in-tenant", 10, "AADSTS700016", "refresh"),
  failing("account-disabled", 5, "AADSTS50057", "refresh"),
  failing("smtp-auth-disabled", 15, "smtp_auth_disabled", "smtp"),
  { key: "timeout", perMille: 25, health: "DEGRADED", class: "transient", code: "timeout", reason: `The last check had only temporary failures: ${diagnose("timeout").title} (timeout). The next check tries again.`, status: "CONNECTED", failsAt: "graph-me", outcome: "DEGRADED" },
  { key: "throttled", perMille: 15, health: "DEGRADED", class: "transient", code: "graph_throttled", reason: `The last check had only temporary failures: ${diagnose("graph_throttled").title} (graph_throttled). The next check tries again.`, status: "CONNECTED", failsAt: "graph-me", outcome: "DEGRADED" },
  { key: "inactive", perMille: 25, health: "AT_RISK", class: null, code: "inactivity_deadline", reason: "Unused grants die after 90 days: this one dies in 9 days unless it is used.", status: "CONNECTED", failsAt: null, outcome: "PASSED" },
  { key: "secret-expiring", perMille: 10, health: "AT_RISK", class: null, code: "secret_expiring", reason: "The integration's client secret expires in 6 days: add a new one in Azure before then.", status: "CONNECTED", failsAt: null, outcome: "PASSED" },
  { key: "unknown", perMille: 40, health: "UNKNOWN", class: null, code: null, reason: "Not checked yet.", status: "CONNECTED", failsAt: null, outcome: null },
];

if (SCENARIOS.reduce((n, s) => n + s.perMille, 0) !== 1000) throw new Error("bench/console-plan.ts: scenario shares must add up to 1000 per mille");

/** The two kinds of integration the bench makes: every protocol, or Graph only. */
export const PURPOSE_SETS = [
  ["graph-read", "imap", "pop", "smtp"],
  ["graph-read"],
] as const;

const STEP_IDS = [
  ["refresh-graph", "refresh-outlook", "graph-me", "graph-inbox", "imap", "pop", "smtp"],
  ["refresh-graph", "graph-me", "graph-inbox"],
] as const;


/** The steps of one check, as lib/checks/record.ts stores them (id, status, code, class, durationMs). */
export function stepsFor(s: Scenario, outcome: "PASSED" | "DEGRADED" | "FAILED", purposeSet: number, variant: number): CheckStep[] {
  const ids = STEP_IDS[purposeSet]!;
  const ms = (i: number) => 40 + ((variant * 37 + i * 53) % 180) + (ids[i]!.startsWith("refresh") ? 120 : 0);
  if (outcome === "PASSED" || !s.failsAt || !s.code) return ids.map((id, i) => ({ id, status: "ok", durationMs: ms(i) }));
  const failAt = s.failsAt === "refresh" ? 0 : ids.indexOf(s.failsAt as never);
  // A protocol the set lacks (SMTP on a Graph-only integration) fails at Graph instead.
  const at = failAt < 0 ? ids.indexOf("graph-me") : failAt;
  return ids.map((id, i): CheckStep => {
    if (i === at) return { id, status: "failed", code: s.code!, class: (s.class ?? "misconfigured") as FailureClass, durationMs: ms(i) * (s.code === "timeout" ? 40 : 1) };
    if (s.failsAt === "refresh" && i > at) return { id, status: "skipped" };
    return { id, status: "ok", durationMs: ms(i) };
  });
}

/** Per-protocol columns of a connection in a scenario, from its latest check's steps as lib/checks/record.ts derives them (null: not for that protocol, or never checked). */
export function protocolCells(s: Scenario, purposeSet: number): Record<"graph" | "imap" | "pop" | "smtp", ProtocolCell> {
  const results = s.outcome ? protocolResults(stepsFor(s, s.outcome, purposeSet, 0)) : {};
  const cell = (p: "graph" | "imap" | "pop" | "smtp"): ProtocolCell => results[p] ?? null;
  return { graph: cell("graph"), imap: cell("imap"), pop: cell("pop"), smtp: cell("smtp") };
}
