import Link from "next/link";
import type { Availability, FailureSeries, HealthPoint, Range } from "@/lib/checks/rollup";
import { RANGES, RANGE_LABELS } from "@/lib/checks/rollup";
import { PROTOCOL_LABELS } from "@/lib/checks/health-words";
import { HealthChart } from "./health-chart";
import { HEALTH_SERIES, bucketLabel } from "./series";
import { FailuresChart } from "./failures-chart";

// The chart panels of the overview and the support fleet view: each a figure whose caption says
// what it shows, a range switch in the URL (?range=7d), the chart, and the same numbers as a
// table under "Show the numbers" (for screen readers, for copying, and for when a chart says little).

export function RangeSwitch({ range, hrefFor, label }: { range: Range; hrefFor: (r: Range) => string; label: string }) {
  return (
    <nav aria-label={label} className="flex gap-1 text-sm">
      {RANGES.map((r) => (
        <Link
          key={r}
          href={hrefFor(r)}
          scroll={false}
          aria-current={r === range ? "page" : undefined}
          className={`rounded-md px-2 py-1 ${r === range ? "bg-brand-700 font-medium text-white" : "text-brand-700 underline hover:bg-slate-100"}`}
        >
          {RANGE_LABELS[r]}
        </Link>
      ))}
    </nav>
  );
}

const count = (n: number | null) => (n === null ? "—" : String(n));

export function HealthOverTime({ points, range }: { points: HealthPoint[]; range: Range }) {
  const now = points.at(-1);
  const summary = now ? HEALTH_SERIES.filter((s) => (now[s.key] ?? 0) > 0).map((s) => `${now[s.key]} ${s.label.toLowerCase()}`).join(" · ") || "no mailboxes" : "";
  return (
    <figure aria-labelledby="health-over-time-caption">
      <figcaption id="health-over-time-caption" className="text-sm text-slate-700">
        Mailboxes by health over the last {RANGE_LABELS[range]}, one bar per {range === "30d" ? "day" : range === "7d" ? "6 hours" : "hour"} (UTC). <span className="font-medium text-slate-900">Now: {summary}.</span>
      </figcaption>
      <HealthChart points={points} range={range} />
      <details className="mt-2 text-sm">
        <summary className="cursor-pointer text-brand-700 underline">Show the numbers</summary>
        {/* Scrolls on its own: focusable and named, so a keyboard can scroll it too. */}
        <div className="mt-2 max-h-72 overflow-auto rounded-md border border-slate-200" tabIndex={0} role="region" aria-label="Mailboxes by health, as numbers">
          <table className="w-full text-left text-xs">
            <caption className="sr-only">Mailboxes by health per {range === "30d" ? "day" : "period"}</caption>
            <thead className="sticky top-0 bg-slate-50 text-slate-600"><tr><th scope="col" className="px-2 py-1">Time (UTC)</th>{HEALTH_SERIES.map((s) => <th key={s.key} scope="col" className="px-2 py-1 text-right">{s.label}</th>)}</tr></thead>
            <tbody className="divide-y divide-slate-100">
              {[...points].reverse().map((p, i) => (
                <tr key={p.at}>
                  <th scope="row" className="px-2 py-1 font-normal">{bucketLabel(p.at, range === "24h" ? "7d" : range)}{i === 0 ? " (now)" : ""}</th>
                  {HEALTH_SERIES.map((s) => <td key={s.key} className="px-2 py-1 text-right tabular-nums">{count(p[s.key])}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p className="mt-1 text-xs text-slate-600">A dash: no snapshot in that period (the worker was not running).</p>
      </details>
    </figure>
  );
}

const percent = (share: number) => `${(Math.floor(share * 1000) / 10).toFixed(1)} %`;

/** Share of successful checks per protocol over the range, as a bar and in words. */
export function AvailabilityList({ items, range }: { items: Availability[]; range: Range }) {
  if (items.length === 0) return <p className="text-sm text-slate-600">No checks in the last {RANGE_LABELS[range]} yet. Checks are counted here within 5 minutes.</p>;
  return (
    <ul className="space-y-3" aria-label="Availability per protocol">
      {items.map((a) => (
        <li key={a.protocol} className="text-sm">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <span className="font-medium text-slate-900">{PROTOCOL_LABELS[a.protocol]}</span>
            <span className={a.share !== null && a.share < 0.99 ? "font-semibold text-red-800" : "text-slate-700"}>
              {a.share === null ? "no result" : percent(a.share)} <span className="font-normal text-slate-600">of {(a.passed + a.failed).toLocaleString("en")} checks{a.failed ? `, ${a.failed.toLocaleString("en")} failed` : ""}</span>
            </span>
          </div>
          <div className="mt-1 h-2 overflow-hidden rounded-full bg-red-200" aria-hidden="true">
            <div className="h-full bg-green-700" style={{ width: `${(a.share ?? 0) * 100}%` }} />
          </div>
        </li>
      ))}
    </ul>
  );
}

export function FailuresOverTime({ series, range }: { series: FailureSeries; range: Range }) {
  const totals = series.codes.map((c) => ({ code: c, n: series.points.reduce((s, p) => s + Number(p[c] ?? 0), 0) }));
  if (totals.length === 0) return <p className="text-sm text-slate-600">No failed checks in the last {RANGE_LABELS[range]}.</p>;
  return (
    <figure aria-labelledby="failures-over-time-caption">
      <figcaption id="failures-over-time-caption" className="text-sm text-slate-700">
        Failed checks by diagnosis code over the last {RANGE_LABELS[range]} (UTC). <span className="font-medium text-slate-900">{totals.map((t) => `${t.code}: ${t.n}`).join(" · ")}.</span>
      </figcaption>
      <FailuresChart series={series} range={range} />
    </figure>
  );
}
