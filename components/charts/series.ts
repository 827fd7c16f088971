import type { Range } from "@/lib/checks/rollup";

// What the charts and their tables share (a plain module: server components cannot read
// values out of a "use client" file, only render its components).

export const HEALTH_SERIES = [
  { key: "failing", label: "Failing", color: "#b91c1c" },
  { key: "degraded", label: "Degraded", color: "#d97706" },
  { key: "atRisk", label: "At risk", color: "#f59e0b" },
  { key: "healthy", label: "Healthy", color: "#15803d" },
  { key: "unknown", label: "Not checked", color: "#94a3b8" },
] as const;

/** A bucket's start in UTC: "14:00" (24 h), "2 Dec 12:00" (7 d), "2 Dec" (30 d). */
export function bucketLabel(iso: string, range: Range): string {
  const d = new Date(iso);
  const day = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
  const time = d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
  return range === "30d" ? day : range === "7d" ? `${day} ${time}` : time;
}
