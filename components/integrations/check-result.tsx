import { diagnose } from "@/lib/diagnosis/catalog";
import type { CheckResult } from "@/lib/integrations/check-credentials";

const ICON = { ok: "✓", failed: "✗", warning: "!", skipped: "–" } as const;
const TONE = { ok: "text-green-800", failed: "text-red-800", warning: "text-amber-800", skipped: "text-slate-500" } as const;

/** The stored checklist, with the diagnosis of the failing step and the raw error one click away. */
export function CheckResultView({ result }: { result: CheckResult }) {
  const failed = result.steps.find((s) => s.status === "failed");
  const d = failed?.diagnosis ? diagnose(failed.diagnosis) : null;
  return (
    <div className="space-y-4">
      <ol className="space-y-2 text-sm" aria-label="Credentials checklist">
        {result.steps.map((s) => (
          <li key={s.id} className="flex gap-3">
            <span aria-hidden="true" className={`w-4 font-bold ${TONE[s.status]}`}>{ICON[s.status]}</span>
            <span>
              <span className={`font-medium ${TONE[s.status]}`}>{s.label}</span>
              <span className="sr-only"> — {s.status}</span>
              {s.detail ? <span className="block text-xs text-slate-600">{s.detail}</span> : null}
            </span>
          </li>
        ))}
      </ol>
      {d ? (
        <div role="alert" className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-950">
          <p className="font-semibold">{d.title}</p>
          <p className="mt-1">{d.meaning}</p>
          <p className="mt-2"><span className="font-medium">Likely cause:</span> {d.cause}</p>
          <p className="mt-1"><span className="font-medium">Fix:</span> {d.fix}</p>
          {d.docs ? <a className="mt-2 inline-block underline" href={d.docs} rel="noreferrer">Microsoft&apos;s page for {d.code}</a> : null}
        </div>
      ) : null}
      {result.error ? (
        <details className="rounded-md bg-slate-50 p-3 text-xs">
          <summary className="cursor-pointer font-medium">Full Microsoft error (for a support ticket)</summary>
          <dl className="mt-2 grid grid-cols-[8rem_1fr] gap-y-1">
            {Object.entries({ "HTTP status": result.error.httpStatus, error: result.error.error, suberror: result.error.suberror, code: result.error.aadsts ? `AADSTS${result.error.aadsts}` : result.error.kind, "Trace ID": result.error.traceId, "Correlation ID": result.error.correlationId, Timestamp: result.error.timestamp, Description: result.error.description, "Token endpoint": result.tokenEndpoint })
              .filter(([, v]) => v !== undefined && v !== "")
              .map(([k, v]) => <div key={k} className="contents"><dt className="text-slate-600">{k}</dt><dd className="whitespace-pre-wrap break-all font-mono">{String(v)}</dd></div>)}
          </dl>
        </details>
      ) : null}
    </div>
  );
}
