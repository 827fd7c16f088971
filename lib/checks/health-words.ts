import type { Health, ProtocolResult } from "@/generated/prisma/enums";
import { healthClassWords } from "./health";
import type { Protocol } from "./record";

export type { Health };

// How screens say a health, a protocol result and a time, in words. Colour always comes with
// these words (never colour alone), and every screen uses the same ones.

export type HealthTone = "green" | "amber" | "red" | "slate";

const HEALTH: Record<Health, { label: string; tone: HealthTone }> = {
  HEALTHY: { label: "Healthy", tone: "green" },
  DEGRADED: { label: "Degraded", tone: "amber" },
  AT_RISK: { label: "At risk", tone: "amber" },
  FAILING: { label: "Failing", tone: "red" },
  UNKNOWN: { label: "Not checked yet", tone: "slate" },
};

/** "Failing · blocked", "Degraded", "At risk", "Healthy", "Not checked yet". */
export function healthLabel(health: Health, healthClass?: string | null): string {
  const words = HEALTH[health].label;
  // Degraded is always transient: its class adds nothing. Failing says why in one word.
  const cls = health === "FAILING" ? healthClassWords(healthClass) : null;
  return cls ? `${words} · ${cls}` : words;
}

export const healthTone = (health: Health): HealthTone => HEALTH[health].tone;

/** The order screens list healths in (worst first) and the words for a count of them. */
export const HEALTH_ORDER: readonly Health[] = ["FAILING", "DEGRADED", "AT_RISK", "HEALTHY", "UNKNOWN"];
export const HEALTH_COUNT_LABELS: Record<Health, string> = { FAILING: "Failing", DEGRADED: "Degraded", AT_RISK: "At risk", HEALTHY: "Healthy", UNKNOWN: "Not checked" };

export const PROTOCOL_LABELS: Record<Protocol, string> = { graph: "Graph", imap: "IMAP", pop: "POP", smtp: "SMTP" };

/** The protocols an integration is for, in a fixed order (Graph for reading or sending). */
export function protocolsOf(purposes: readonly string[]): Protocol[] {
  const out: Protocol[] = [];
  if (purposes.includes("graph-read") || purposes.includes("graph-send")) out.push("graph");
  for (const p of ["imap", "pop", "smtp"] as const) if (purposes.includes(p)) out.push(p);
  return out;
}

export type ProtocolChip = { protocol: Protocol; label: string; result: ProtocolResult | null; code: string | null; checkedAt: Date | null; text: string; title: string };

type ProtocolColumns = { [K in `${Protocol}Result`]: ProtocolResult | null } & { [K in `${Protocol}Code`]: string | null } & { [K in `${Protocol}CheckedAt`]: Date | null };

/** One chip per protocol the integration uses: "IMAP ✓", "SMTP ✗ smtp_auth_disabled", "POP –". */
export function protocolChips(c: ProtocolColumns & { integration: { purposes: readonly string[] } }): ProtocolChip[] {
  return protocolsOf(c.integration.purposes).map((p) => {
    const result = c[`${p}Result`];
    const code = c[`${p}Code`];
    const checkedAt = c[`${p}CheckedAt`];
    const label = PROTOCOL_LABELS[p];
    const mark = result === "OK" ? "✓" : result === "FAILED" ? "✗" : "–";
    const state = result === "OK" ? "works" : result === "FAILED" ? `failed${code ? ` (${code})` : ""}` : result === "SKIPPED" ? "skipped" : "not checked yet";
    return { protocol: p, label, result, code, checkedAt, text: `${label} ${mark}${result === "FAILED" && code ? ` ${code}` : ""}`, title: `${label}: ${state}${checkedAt ? `, ${exactTime(checkedAt)}` : ""}` };
  });
}

/** When the next check is: "in 12 min", or "due now" once its time has come (the worker is on it). */
export const nextCheckWords = (d: Date, now: Date = new Date()) => (d.getTime() <= now.getTime() ? "due now" : relativeTime(d, now));

export const exactTime = (d: Date) => `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** "just now", "4 min ago", "in 12 min", "3 h ago", "2 days ago". */
export function relativeTime(d: Date | null | undefined, now: Date = new Date()): string {
  if (!d) return "never";
  const ms = d.getTime() - now.getTime();
  const abs = Math.abs(ms);
  const say = (n: number, unit: string) => (ms < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 45_000) return ms < 0 ? "just now" : "in a moment";
  if (abs < 3_600_000) return say(Math.max(1, Math.round(abs / 60_000)), "min");
  if (abs < 86_400_000) return say(Math.round(abs / 3_600_000), "h");
  const days = Math.round(abs / 86_400_000);
  return say(days, days === 1 ? "day" : "days");
}

