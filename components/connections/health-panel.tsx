import type { Diagnosis } from "@/lib/diagnosis/catalog";
import { diagnose } from "@/lib/diagnosis/catalog";
import type { CheckRow } from "@/lib/checks/history";
import { exactTime, protocolChips, type Health } from "@/lib/checks/health-words";
import { formatDuration } from "@/lib/connections/step-view";
import { ConnectionProtocolChips, HealthBadge, NextCheck, RelativeTime } from "./health-badge";

// The mailbox page's health: what it is and why, the fix, when it was last and will next be
// checked, and the last checks. Reads stored columns and Check rows only.

type HealthConnection = Parameters<typeof protocolChips>[0] & {
  health: Health;
  healthClass: string | null;
  healthCode: string | null;
  healthReason: string | null;
  healthChangedAt: Date | null;
  lastCheckAt: Date | null;
  nextCheckAt: Date | null;
};

const BOX: Record<Health, string> = {
  FAILING: "border-red-200 bg-red-50 text-red-950",
  DEGRADED: "border-amber-200 bg-amber-50 text-amber-950",
  AT_RISK: "border-amber-200 bg-amber-50 text-amber-950",
  HEALTHY: "border-green-200 bg-green-50 text-green-950",
  UNKNOWN: "border-slate-200 bg-slate-50 text-slate-800",
};

export function HealthSummary({ connection: c, diagnosis, now }: { connection: HealthConnection; diagnosis: Diagnosis | null; now: Date }) {
  return (
    <div className="space-y-4">
      <div className={`rounded-md border px-4 py-3 text-sm ${BOX[c.health]}`}>
        <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} size="lg" />
        <p className="mt-2">{c.healthReason ?? (c.health === "UNKNOWN" ? "Not checked yet: the first scheduled check runs soon after a mailbox connects." : "")}</p>
        {/* The stored reason already names the diagnosis (its title and code): add what it means and the fix. */}
        {diagnosis ? (
          <div className="mt-2 space-y-1">
            <p>{diagnosis.meaning}</p>
            <p><strong>Fix:</strong> {diagnosis.fix}</p>
            {diagnosis.docs ? <p><a className="underline" href={diagnosis.docs} target="_blank" rel="noreferrer">Microsoft&apos;s documentation</a></p> : null}
          </div>
        ) : null}
      </div>
      <dl className="grid grid-cols-[8rem_minmax(0,1fr)] gap-y-2 text-sm sm:grid-cols-[10rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
        <dt className="text-slate-600">Last check</dt>
        <dd><RelativeTime at={c.lastCheckAt} now={now} empty="Not checked yet" />{c.lastCheckAt ? <span className="text-slate-600"> · {exactTime(c.lastCheckAt)}</span> : null}</dd>
        <dt className="text-slate-600">Next check</dt>
        <dd><NextCheck at={c.nextCheckAt} now={now} />{c.nextCheckAt ? <span className="text-slate-600"> · {exactTime(c.nextCheckAt)}</span> : null}</dd>
        <dt className="text-slate-600">Health since</dt>
        <dd>{c.healthChangedAt ? <><RelativeTime at={c.healthChangedAt} now={now} /><span className="text-slate-600"> · {exactTime(c.healthChangedAt)}</span></> : "—"}</dd>
        <dt className="text-slate-600">Protocols</dt>
        <dd><ConnectionProtocolChips connection={c} /></dd>
      </dl>
    </div>
  );
}

const TRIGGER = { SCHEDULED: "Scheduled", MANUAL: "Test now", API: "API" } as const;
const OUTCOME = {
  PASSED: { label: "Passed", mark: "✓", cls: "text-green-800" },
  DEGRADED: { label: "Degraded", mark: "!", cls: "text-amber-800" },
  FAILED: { label: "Failed", mark: "✗", cls: "text-red-800" },
} as const;

export function ChecksTable({ checks, now }: { checks: CheckRow[]; now: Date }) {
  if (checks.length === 0) return <p className="text-sm text-slate-600">No check yet. Scheduled checks and &ldquo;Test now&rdquo; runs appear here.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-xs sm:text-sm" aria-label="Recent checks">
        <thead className="text-xs uppercase text-slate-500">
          <tr><th scope="col" className="py-2 pr-2 sm:pr-4">When</th><th scope="col" className="py-2 pr-2 sm:pr-4">Trigger</th><th scope="col" className="py-2 pr-2 sm:pr-4">Outcome</th><th scope="col" className="py-2 pr-2 max-sm:hidden sm:pr-4">Duration</th><th scope="col" className="py-2 max-sm:hidden">First failure</th></tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {checks.map((k) => {
            const o = OUTCOME[k.outcome];
            return (
              <tr key={k.id} className="align-top">
                <td className="py-1.5 pr-2 sm:pr-4 whitespace-nowrap"><RelativeTime at={k.startedAt} now={now} /><span className="block text-slate-600 tabular-nums sm:hidden">{formatDuration(k.durationMs)}</span></td>
                <td className="py-1.5 pr-2 sm:pr-4 whitespace-nowrap">{TRIGGER[k.trigger]}</td>
                <td className="py-1.5 pr-2 sm:pr-4">
                  <span className={`whitespace-nowrap font-medium ${o.cls}`}><span aria-hidden="true">{o.mark} </span>{o.label}</span>
                  {/* On a phone the failure goes under the outcome instead of a column of its own. */}
                  {k.failureCode ? <code className="block font-mono wrap-anywhere sm:hidden">{k.failureCode}</code> : null}
                </td>
                <td className="py-1.5 pr-2 whitespace-nowrap tabular-nums max-sm:hidden sm:pr-4">{formatDuration(k.durationMs)}</td>
                <td className="py-1.5 text-xs max-sm:hidden">{k.failureCode ? <><code className="font-mono wrap-anywhere">{k.failureCode}</code><span className="block text-slate-600">{diagnose(k.failureCode).title}</span></> : <span className="text-slate-500">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
