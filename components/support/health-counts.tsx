import Link from "next/link";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER, type Health } from "@/lib/checks/health-words";

// Counts by health for the support console (fleet and org pages), worst first; each count can
// open the connections table filtered to that health.

const TEXT: Record<Health, string> = { FAILING: "text-red-800", DEGRADED: "text-amber-800", AT_RISK: "text-amber-800", HEALTHY: "text-green-800", UNKNOWN: "text-slate-700" };
const BOX: Record<Health, string> = { FAILING: "border-red-300 bg-red-50", DEGRADED: "border-amber-300 bg-amber-50", AT_RISK: "border-amber-300 bg-amber-50", HEALTHY: "border-slate-200", UNKNOWN: "border-slate-200" };

export function HealthCounts({ counts, label, href }: { counts: Record<Health, number>; label: string; href?: (h: Health) => string }) {
  return (
    <dl aria-label={label} className="grid grid-cols-2 gap-3 text-center sm:grid-cols-5">
      {HEALTH_ORDER.map((h) => {
        const n = counts[h];
        const box = n && h !== "HEALTHY" && h !== "UNKNOWN" ? BOX[h] : "border-slate-200";
        return (
          <div key={h} className={`rounded-md border px-2 py-2 ${box}`}>
            <dt className="text-sm text-slate-700">{HEALTH_COUNT_LABELS[h]}</dt>
            <dd className={`text-2xl font-semibold tabular-nums ${n ? TEXT[h] : "text-slate-500"}`}>
              {href && n ? <Link className="underline decoration-1 underline-offset-4 hover:decoration-2" href={href(h)} aria-label={`${n.toLocaleString("en-US")} ${HEALTH_COUNT_LABELS[h].toLowerCase()}: open them`}>{n.toLocaleString("en-US")}</Link> : n.toLocaleString("en-US")}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** "2 failing · 1 at risk · 5 healthy": worst first, zero counts left out. */
export function HealthLine({ counts }: { counts: Partial<Record<Health, number>> }) {
  const parts = HEALTH_ORDER.filter((h) => (counts[h] ?? 0) > 0).map((h) => ({ h, text: `${(counts[h] ?? 0).toLocaleString("en-US")} ${HEALTH_COUNT_LABELS[h].toLowerCase()}` }));
  if (parts.length === 0) return <span className="text-slate-600">No mailboxes</span>;
  return (
    <span className="text-xs">
      {parts.map((p, i) => (
        <span key={p.h} className={p.h === "FAILING" ? "font-semibold text-red-800" : p.h === "DEGRADED" || p.h === "AT_RISK" ? "text-amber-800" : "text-slate-700"}>{i ? " · " : ""}{p.text}</span>
      ))}
    </span>
  );
}
