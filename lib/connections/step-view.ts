import { explain, type Explanation, type FailureStep } from "@/lib/diagnosis/explain";
import type { StepId, TestStep } from "./connection-test";
import { supportRows } from "./failure";

// What the test panel shows for a step, as plain functions (the panel is a client component):
// the explanation of a failed step in its context, what identifies it for support, and progress
// while it runs (a wait Microsoft asked for, elapsed time).

const STEP_OF: Record<StepId, FailureStep> = {
  "refresh-graph": "refresh",
  "refresh-outlook": "refresh",
  "graph-me": "graph",
  "graph-inbox": "graph",
  "graph-send": "graph",
  imap: "imap",
  pop: "pop",
  smtp: "smtp",
};

export function explainStep(step: TestStep): Explanation | undefined {
  if (step.status !== "failed" || !step.code) return undefined;
  const graphCode = step.code.startsWith("graph:") ? step.code.slice(6) : undefined;
  const error = step.error ?? graphCode;
  return explain(step.code, {
    step: STEP_OF[step.id],
    ...(error && error !== step.code ? { error } : {}),
    ...(step.suberror ? { suberror: step.suberror } : {}),
    ...(step.httpStatus !== undefined ? { httpStatus: step.httpStatus } : {}),
    ...(step.message ? { message: step.message } : {}),
    ...(step.class ? { class: step.class } : {}),
    ...(step.at ? { at: step.at } : {}),
  });
}

export function stepSupportRows(step: TestStep): [string, string][] {
  if (step.status !== "failed" || !step.code) return [];
  const ids = step.ids ?? {};
  const rows = supportRows({
    code: step.code,
    ...(step.error ? { error: step.error } : {}),
    ...(step.suberror ? { suberror: step.suberror } : {}),
    ...(step.httpStatus !== undefined ? { httpStatus: step.httpStatus } : {}),
    ...(step.reply ? { reply: step.reply } : {}),
    ...(ids.traceId ? { traceId: ids.traceId } : {}),
    ...(ids.correlationId ? { correlationId: ids.correlationId } : {}),
    ...(ids.requestId ? { requestId: ids.requestId } : {}),
    ...(ids.clientRequestId ? { clientRequestId: ids.clientRequestId } : {}),
    ...(ids.timestamp ?? ids.date ? { timestamp: (ids.timestamp ?? ids.date)! } : {}),
  });
  if (step.at) rows.push(["Server", `${step.at.protocol.toUpperCase()} ${step.at.host}:${step.at.port}`]);
  return rows;
}

/** Seconds after which a running step shows how long it has been running. */
const SLOW_AFTER_S = 3;

/** A running step's progress line, or undefined when there is nothing to say yet. */
export function stepProgress(step: TestStep, nowMs: number): string | undefined {
  if (step.status !== "running") return undefined;
  const elapsed = step.startedAt ? Math.max(0, Math.floor((nowMs - Date.parse(step.startedAt)) / 1000)) : 0;
  const w = step.waiting;
  if (w) {
    const what = w.reason === "throttled" ? "Throttled by Microsoft (HTTP 429)" : `Microsoft answered HTTP ${w.httpStatus}`;
    return `${what}, retrying in ${w.seconds} s (retry ${w.attempt} of ${w.maxRetries}; running for ${elapsed} s).`;
  }
  return elapsed >= SLOW_AFTER_S ? `Running for ${elapsed} s…` : undefined;
}

export const formatDuration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
