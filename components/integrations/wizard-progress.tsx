"use client";

/**
 * Where the admin is in the wizard: an ordered list, the current step marked with
 * aria-current="step". Steps already reached are buttons; going forward validates on the way.
 */
export function WizardProgress({ steps, current, reached, onGo }: { steps: string[]; current: number; reached: number; onGo: (step: number) => void }) {
  return (
    <nav aria-label="Wizard progress">
      <ol className="flex flex-wrap gap-x-1 gap-y-2 text-sm">
        {steps.map((title, i) => {
          const state = i === current ? "current" : i < current ? "done" : "todo";
          const badge = state === "current" ? "bg-brand-600 text-white" : state === "done" ? "bg-brand-100 text-brand-800" : "bg-slate-100 text-slate-600";
          const label = (
            <>
              <span aria-hidden="true" className={`inline-flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-xs font-semibold ${badge}`}>{state === "done" ? "✓" : i + 1}</span>
              <span className={state === "current" ? "font-semibold text-slate-900" : "hidden text-slate-600 md:inline"}>{title}</span>
              <span className="sr-only">{`Step ${i + 1}${state === "done" ? ", done" : ""}${state === "current" ? "" : `: ${title}`}`}</span>
            </>
          );
          return (
            <li key={title} aria-current={state === "current" ? "step" : undefined} className="flex items-center">
              {i > 0 ? <span aria-hidden="true" className="mx-1 hidden h-px w-5 bg-slate-300 sm:inline-block" /> : null}
              {i <= reached && i !== current ? (
                <button type="button" onClick={() => onGo(i)} className="inline-flex items-center gap-2 rounded-md px-1.5 py-1 hover:bg-slate-100">{label}</button>
              ) : (
                <span className="inline-flex items-center gap-2 px-1.5 py-1">{label}</span>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
