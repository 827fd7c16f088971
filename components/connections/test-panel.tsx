"use client";
import { useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import type { TestRun, TestStep } from "@/lib/connections/connection-test";
import { explainStep, formatDuration, stepProgress, stepSupportRows } from "@/lib/connections/step-view";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

const ICON: Record<TestStep["status"], string> = { pending: "○", running: "", ok: "✓", failed: "✗", skipped: "–" };
const COLOR: Record<TestStep["status"], string> = { pending: "text-slate-400", running: "text-brand-700", ok: "text-green-700", failed: "text-red-700", skipped: "text-slate-400" };

function StepRow({ step, now }: { step: TestStep; now: number }) {
  const d = explainStep(step);
  const progress = stepProgress(step, now);
  const rows = stepSupportRows(step);
  return (
    <li className="py-2">
      <div className="flex items-start gap-3">
        <span aria-hidden="true" className={`mt-0.5 w-4 text-center font-bold ${COLOR[step.status]}`}>
          {step.status === "running" ? <span className="inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" /> : ICON[step.status]}
        </span>
        <div className="min-w-0 flex-1">
          <p className="text-sm font-medium">
            {step.label} <span className="sr-only">({step.status})</span>
            {step.durationMs !== undefined ? <span className="ml-2 text-xs font-normal text-slate-500">{formatDuration(step.durationMs)}</span> : null}
          </p>
          {progress ? <p className="text-xs text-brand-800">{progress}</p> : null}
          {step.detail ? <p className={`break-words text-xs ${step.status === "failed" ? "text-red-800" : "text-slate-600"}`}>{step.detail}</p> : null}
          {d ? (
            <div className="mt-1 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-xs text-red-900">
              <p className="font-semibold">{d.title}</p>
              {d.classLabel ? <p><strong>Kind of failure:</strong> {d.classLabel}</p> : null}
              <p>{d.meaning}</p>
              {d.happened ? <p>{d.happened}</p> : null}
              <p className="mt-1"><strong>Fix:</strong> {d.fix}</p>
              <dl aria-label="Details for a support ticket" className="mt-1 grid grid-cols-[7rem_minmax(0,1fr)] sm:grid-cols-[8rem_minmax(0,1fr)] gap-y-0.5 break-all">
                {rows.map(([k, v]) => <div key={k} className="contents"><dt className="text-red-800">{k}</dt><dd className="font-mono">{v}</dd></div>)}
              </dl>
              {d.docs ? <p className="mt-1"><a className="underline" href={d.docs} target="_blank" rel="noreferrer">Microsoft&apos;s documentation</a></p> : null}
            </div>
          ) : null}
        </div>
      </div>
    </li>
  );
}

/** A clock for elapsed times, ticking only while a step runs. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [active]);
  return now;
}

/** "Test now": streams the steps from the test API as they run, then keeps the result on screen. */
export function TestPanel({ slug, id, initialRun, canSend }: { slug: string; id: string; initialRun: TestRun | null; canSend: boolean }) {
  const router = useRouter();
  const [run, setRun] = useState<TestRun | null>(initialRun);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sendTo, setSendTo] = useState("");
  const now = useNow(Boolean(run && !run.finishedAt));

  async function start() {
    setRunning(true);
    setError(null);
    try {
      const res = await fetch(`/api/orgs/${encodeURIComponent(slug)}/connections/${id}/test`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(sendTo ? { sendTo } : {}),
      });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
        setError(body.error?.message ?? `The test could not start (HTTP ${res.status}).`);
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let nl: number;
        while ((nl = buffer.indexOf("\n")) !== -1) {
          const line = JSON.parse(buffer.slice(0, nl)) as TestRun | { error: { message: string } };
          buffer = buffer.slice(nl + 1);
          if ("error" in line) setError(line.error.message);
          else setRun(line);
        }
      }
      // The stream ends once the run is saved as a check: show the new health and history.
      router.refresh();
    } catch {
      setError("The connection to the portal broke off during the test. Try again.");
    } finally {
      setRunning(false);
    }
  }

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-end gap-3">
        {canSend ? (
          <div className="w-72">
            <TextField label="Send a test message to (optional)" name="sendTo" type="email" value={sendTo} onChange={(e) => setSendTo(e.target.value)} placeholder="you@example.com" />
          </div>
        ) : null}
        <Button type="button" onClick={start} disabled={running}>{running ? "Testing…" : "Test now"}</Button>
      </div>
      {error ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
      {run ? (
        <div aria-live="polite">
          <p className="text-xs text-slate-600">
            {run.finishedAt ? `${run.ok ? "All steps passed" : "Some steps failed"} · ${run.finishedAt.slice(0, 16).replace("T", " ")} UTC` : "Running…"}
          </p>
          <ol aria-label="Test steps" className="divide-y divide-slate-100">
            {run.steps.map((s) => <StepRow key={s.id} step={s} now={now} />)}
          </ol>
        </div>
      ) : <p className="text-sm text-slate-600">Not tested yet.</p>}
    </div>
  );
}
