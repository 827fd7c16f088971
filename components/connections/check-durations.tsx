import type { DurationChart } from "@/lib/checks/check-durations";
import { PROTOCOL_LABELS, exactTime } from "@/lib/checks/health-words";
import { formatDuration } from "@/lib/connections/step-view";
import { CheckDurationChart } from "@/components/charts/check-duration-chart";

// The last week of a mailbox's checks: the chart (drawn in the browser) and the same figures as a
// table, which is the chart's text alternative. Server-rendered around the client chart; no role
// logic, so the support console can show it too.

export function CheckDurations({ chart }: { chart: DurationChart }) {
  if (chart.points.length === 0) return <p className="text-sm text-slate-600">No check in the last 7 days. Scheduled checks and &ldquo;Test now&rdquo; runs appear here.</p>;
  const span = `${chart.points.length} check${chart.points.length === 1 ? "" : "s"} since ${exactTime(chart.from)}${chart.capped ? " (the newest only)" : ""}`;
  const failed = chart.summary.reduce((n, s) => n + s.failed, 0);
  return (
    <figure className="space-y-3">
      <CheckDurationChart
        protocols={chart.protocols}
        points={chart.points}
        from={chart.from.getTime()}
        to={chart.to.getTime()}
        label={`Line chart of how long each protocol took per check: ${span}, ${failed} failed protocol run${failed === 1 ? "" : "s"} marked with a cross. The table below has the figures.`}
      />
      <figcaption className="text-xs text-slate-600">Time of each protocol&apos;s own steps per check ({span}); the token requests are not counted. A cross marks a run of that protocol that failed.</figcaption>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-xs sm:text-sm">
          <caption className="sr-only">Check durations per protocol, last 7 days</caption>
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th scope="col" className="py-1.5 pr-3">Protocol</th>
              <th scope="col" className="py-1.5 pr-3 text-right">Checks</th>
              <th scope="col" className="py-1.5 pr-3 text-right">Failed</th>
              <th scope="col" className="py-1.5 pr-3 text-right">Median</th>
              <th scope="col" className="py-1.5 pr-3 text-right">95th pct.</th>
              <th scope="col" className="py-1.5 max-sm:hidden">Last failure</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 tabular-nums">
            {chart.summary.map((s) => (
              <tr key={s.protocol}>
                <th scope="row" className="py-1.5 pr-3 font-medium">{PROTOCOL_LABELS[s.protocol]}</th>
                <td className="py-1.5 pr-3 text-right">{s.runs}</td>
                <td className={`py-1.5 pr-3 text-right ${s.failed ? "font-semibold text-red-800" : ""}`}>{s.failed}</td>
                <td className="py-1.5 pr-3 text-right">{s.medianMs === null ? "—" : formatDuration(s.medianMs)}</td>
                <td className="py-1.5 pr-3 text-right">{s.p95Ms === null ? "—" : formatDuration(s.p95Ms)}</td>
                <td className="py-1.5 max-sm:hidden">{s.lastFailedAt ? exactTime(s.lastFailedAt) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
