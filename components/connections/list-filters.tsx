import { HEALTH_COUNT_LABELS, PROTOCOL_LABELS } from "@/lib/checks/health-words";
import { healthClassWords } from "@/lib/checks/health";
import { HEALTHS, HEALTH_CLASSES, PROTOCOLS, RESULTS } from "@/lib/connections/mailbox-list";

// The pieces the connection lists' GET forms share (the org's Mailboxes list and support's
// connections table): the control style, a labelled select, and the health, class, protocol
// and result filters with the words both lists use for them.

export const FILTER_CONTROL = "block w-full min-w-0 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-600";
export const RESULT_WORDS: Record<(typeof RESULTS)[number], string> = { OK: "works", FAILED: "failed", SKIPPED: "skipped" };

export function FilterSelect({ label, name, value, children }: { label: string; name: string; value: string | undefined; children: React.ReactNode }) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={`filter-${name}`} className="block text-xs font-medium text-slate-700">{label}</label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ""} className={FILTER_CONTROL}>{children}</select>
    </div>
  );
}

type HealthFilter = { health?: (typeof HEALTHS)[number]; class?: (typeof HEALTH_CLASSES)[number] };
type ProtocolFilter = { protocol?: (typeof PROTOCOLS)[number]; result?: (typeof RESULTS)[number] };

export function HealthFilters({ query }: { query: HealthFilter }) {
  return (
    <>
      <FilterSelect label="Health" name="health" value={query.health}>
        <option value="">Any health</option>
        {HEALTHS.map((h) => <option key={h} value={h}>{HEALTH_COUNT_LABELS[h]}</option>)}
      </FilterSelect>
      <FilterSelect label="Failure class" name="class" value={query.class}>
        <option value="">Any class</option>
        {HEALTH_CLASSES.map((c) => <option key={c} value={c}>{healthClassWords(c)}</option>)}
      </FilterSelect>
    </>
  );
}

export function ProtocolFilters({ query }: { query: ProtocolFilter }) {
  return (
    <>
      <FilterSelect label="Protocol" name="protocol" value={query.protocol}>
        <option value="">Any protocol</option>
        {PROTOCOLS.map((p) => <option key={p} value={p}>{PROTOCOL_LABELS[p]}</option>)}
      </FilterSelect>
      <FilterSelect label="Protocol result" name="result" value={query.result}>
        <option value="">Any result</option>
        {RESULTS.map((r) => <option key={r} value={r}>{RESULT_WORDS[r]}</option>)}
      </FilterSelect>
    </>
  );
}

/** Descending is Z–A, newest first, failing first. */
export function OrderSelect({ value }: { value: string | undefined }) {
  return (
    <FilterSelect label="Order" name="dir" value={value}>
      <option value="asc">Ascending</option>
      <option value="desc">Descending</option>
    </FilterSelect>
  );
}

/** "health Failing", "failure class misconfigured": the health filters in words. */
export function healthFilterWords(q: HealthFilter): string[] {
  return [...(q.health ? [`health ${HEALTH_COUNT_LABELS[q.health]}`] : []), ...(q.class ? [`failure class ${healthClassWords(q.class)}`] : [])];
}

/** "SMTP failed", "any protocol checked": the protocol filters in words. */
export function protocolFilterWords(q: ProtocolFilter): string[] {
  return q.protocol || q.result ? [`${q.protocol ? PROTOCOL_LABELS[q.protocol] : "any protocol"} ${q.result ? RESULT_WORDS[q.result] : "checked"}`] : [];
}
