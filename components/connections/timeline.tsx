import Link from "next/link";
import type { CheckEntry, EventEntry, AlertEntry, TimelineEntry, TimelinePage } from "@/lib/connections/timeline";
import { KIND_LABELS, OUTCOME_WORDS, RESOURCE_LABELS, STEP_NAMES, TIMELINE_KINDS, actorWords, type TimelineKind } from "@/lib/connections/timeline-words";
import { PROTOCOL_LABELS, exactTime } from "@/lib/checks/health-words";
import { healthClassWords } from "@/lib/checks/health";
import { formatDuration } from "@/lib/connections/step-view";
import { RelativeTime } from "./health-badge";

// A connection's history in words: checks, token refreshes, bridge sessions, self-healing and alerts, newest
// first, with who or what caused each. Server-rendered; the filter and the page are in the URL
// (links, no JavaScript). Shared by the org's mailbox page and the support console, so it holds
// no role logic: the page decides the links (hrefFor) and whether people are named.

export type TimelineParams = { kind?: TimelineKind; cursor?: string };

const OUTCOME_CLS = { PASSED: "text-green-800", DEGRADED: "text-amber-800", FAILED: "text-red-800" } as const;
const RESULT = {
  OK: { mark: "✓", words: "worked", cls: "border-green-200 bg-green-50 text-green-900" },
  FAILED: { mark: "✗", words: "failed", cls: "border-red-200 bg-red-50 text-red-900" },
  SKIPPED: { mark: "–", words: "skipped", cls: "border-slate-200 bg-slate-50 text-slate-700" },
} as const;

export function ConnectionTimeline({ page, hrefFor, showActorNames, now }: { page: TimelinePage; hrefFor: (params: TimelineParams) => string; showActorNames: boolean; now: Date }) {
  const options: (TimelineKind | undefined)[] = [undefined, ...TIMELINE_KINDS];
  return (
    <div className="space-y-3">
      <nav aria-label="Show in the history">
        <ul className="flex flex-wrap gap-1.5 text-sm">
          {options.map((k) => {
            const current = k === page.kind;
            return (
              <li key={k ?? "all"}>
                <Link
                  href={hrefFor(k ? { kind: k } : {})}
                  aria-current={current ? "page" : undefined}
                  className={`inline-block rounded-full border px-3 py-1 ${current ? "border-brand-700 bg-brand-700 font-medium text-white" : "border-slate-300 bg-white text-slate-800 hover:bg-slate-100"}`}
                >
                  {k ? KIND_LABELS[k] : "Everything"}
                </Link>
              </li>
            );
          })}
        </ul>
      </nav>
      {page.entries.length === 0 ? (
        <p className="text-sm text-slate-600">{page.kind ? `Nothing of “${KIND_LABELS[page.kind]}” yet. Choose “Everything” to see all of the history.` : "Nothing yet: scheduled checks, “Test now” runs and token refreshes appear here."}</p>
      ) : (
        <ol className="divide-y divide-slate-100" aria-label="History entries, newest first">
          {page.entries.map((e) => (
            <li key={`${e.type}-${e.id}`} className="flex flex-col gap-1 py-2.5 text-sm sm:flex-row sm:gap-4">
              <div className="shrink-0 text-xs text-slate-600 sm:w-32">
                <RelativeTime at={e.at} now={now} />
                <span className="block font-mono text-[11px] max-sm:inline max-sm:before:content-['_·_']">{exactTime(e.at).slice(5, 16)}</span>
              </div>
              <div className="min-w-0 flex-1 space-y-1">
                <Entry entry={e} />
                <p className="text-xs text-slate-600">{actorWords(e.actor, showActorNames)}</p>
              </div>
            </li>
          ))}
        </ol>
      )}
      {page.newer || page.older ? (
        <nav aria-label="History pages" className="flex flex-wrap justify-between gap-2 text-sm">
          {page.newer ? <Link className="text-brand-700 underline" href={hrefFor({ ...(page.kind ? { kind: page.kind } : {}), cursor: page.newer })}>← Newer</Link> : <span />}
          {page.older ? <Link className="text-brand-700 underline" href={hrefFor({ ...(page.kind ? { kind: page.kind } : {}), cursor: page.older })}>Older →</Link> : null}
        </nav>
      ) : null}
    </div>
  );
}

function Entry({ entry }: { entry: TimelineEntry }) {
  if (entry.type === "check") return <CheckLine entry={entry} />;
  if (entry.type === "event") return <EventLine entry={entry} />;
  return <AlertLine entry={entry} />;
}

function CheckLine({ entry: c }: { entry: CheckEntry }) {
  const o = OUTCOME_WORDS[c.outcome];
  return (
    <>
      <p>
        <span className={`font-medium ${OUTCOME_CLS[c.outcome]}`}><span aria-hidden="true">{o.mark} </span>Check {o.label.toLowerCase()}</span>
        <span className="text-slate-600"> · {formatDuration(c.durationMs)}</span>
      </p>
      {c.protocols.length ? (
        <ul className="flex flex-wrap gap-1" aria-label="Per protocol">
          {c.protocols.map((p) => {
            const r = RESULT[p.result];
            return (
              <li key={p.protocol} className={`rounded border px-1.5 py-0.5 font-mono text-[11px] leading-4 wrap-anywhere ${r.cls}`}>
                <span aria-hidden="true">{PROTOCOL_LABELS[p.protocol]} {r.mark}</span>
                <span className="sr-only">{PROTOCOL_LABELS[p.protocol]} {r.words}</span>
                {p.durationMs !== null ? ` ${formatDuration(p.durationMs)}` : ""}
              </li>
            );
          })}
        </ul>
      ) : null}
      {c.failure ? (
        <p className="text-xs text-red-900 wrap-anywhere">
          {STEP_NAMES[c.failure.step] ?? c.failure.step} failed: <code className="font-mono">{c.failure.code}</code> · {c.failure.title}
        </p>
      ) : null}
    </>
  );
}

function EventLine({ entry: e }: { entry: EventEntry }) {
  const extras = [e.resource ? RESOURCE_LABELS[e.resource] ?? e.resource : null, e.classification ? healthClassWords(e.classification) : null, e.detail].filter(Boolean);
  return (
    <>
      <p className={`wrap-anywhere ${e.problem ? "font-medium text-red-800" : ""}`.trim()}>
        {e.problem ? <span aria-hidden="true">✗ </span> : null}{e.label}
        {extras.length ? <span className="font-normal text-slate-600"> · {extras.join(" · ")}</span> : null}
      </p>
      {e.code ? <p className="text-xs text-red-900 wrap-anywhere"><code className="font-mono">{e.code}</code> · {e.codeTitle}</p> : null}
    </>
  );
}

function AlertLine({ entry: a }: { entry: AlertEntry }) {
  return <p><span className="font-medium">Alert: {a.label}</span>{a.summary ? <span className="text-slate-600"> · {a.summary}</span> : null}</p>;
}
