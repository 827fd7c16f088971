import type { DataTableColumn } from "@/components/ui/data-table";
import { sortColumn } from "@/components/ui/data-table-sort";
import { Button, ButtonLink } from "@/components/ui/button";
import { CONSENT_LABELS } from "@/components/connections/status";
import { HEALTH_COUNT_LABELS, PROTOCOL_LABELS } from "@/lib/checks/health-words";
import { healthClassWords } from "@/lib/checks/health";
import { CONSENTS, DEFAULT_DIR, FILTER_KEYS, HEALTHS, HEALTH_CLASSES, PROTOCOLS, RESULTS, mailboxQueryString, type MailboxQuery, type MailboxSort } from "@/lib/connections/mailbox-list";

// The Mailboxes list's search, filters, sort and pages. A plain GET form and links: it works
// without JavaScript, and the URL is the view, so it can be bookmarked and shared.

const RESULT_WORDS: Record<(typeof RESULTS)[number], string> = { OK: "works", FAILED: "failed", SKIPPED: "skipped" };
const SORT_WORDS: Record<MailboxSort, string> = { mailbox: "Mailbox", health: "Health", lastCheck: "Last check", healthChanged: "Health changed" };

const control = "block w-full min-w-0 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm focus:border-brand-600";

function Select({ label, name, value, children }: { label: string; name: string; value: string | undefined; children: React.ReactNode }) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={`filter-${name}`} className="block text-xs font-medium text-slate-700">{label}</label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ""} className={control}>{children}</select>
    </div>
  );
}

export const hasFilters = (q: MailboxQuery) => FILTER_KEYS.some((k) => q[k]);

export function MailboxFilters({ basePath, query, integrations }: { basePath: string; query: MailboxQuery; integrations: { id: string; name: string }[] }) {
  return (
    <form method="get" action={basePath} role="search" aria-label="Search and filter mailboxes" className="mb-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="min-w-0 space-y-1">
        <label htmlFor="filter-q" className="block text-xs font-medium text-slate-700">Search mailboxes</label>
        <input id="filter-q" name="q" type="search" maxLength={200} defaultValue={query.q ?? ""} placeholder="Address or display name" className={control} />
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
        <Select label="Health" name="health" value={query.health}>
          <option value="">Any health</option>
          {HEALTHS.map((h) => <option key={h} value={h}>{HEALTH_COUNT_LABELS[h]}</option>)}
        </Select>
        <Select label="Failure class" name="class" value={query.class}>
          <option value="">Any class</option>
          {HEALTH_CLASSES.map((c) => <option key={c} value={c}>{healthClassWords(c)}</option>)}
        </Select>
        {integrations.length > 1 ? (
          <Select label="Integration" name="integration" value={query.integration}>
            <option value="">Any integration</option>
            {integrations.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
          </Select>
        ) : null}
        <Select label="Consent" name="consent" value={query.consent}>
          <option value="">Any consent</option>
          {CONSENTS.map((c) => <option key={c} value={c}>{CONSENT_LABELS[c]}</option>)}
        </Select>
        <Select label="Protocol" name="protocol" value={query.protocol}>
          <option value="">Any protocol</option>
          {PROTOCOLS.map((p) => <option key={p} value={p}>{PROTOCOL_LABELS[p]}</option>)}
        </Select>
        <Select label="Protocol result" name="result" value={query.result}>
          <option value="">Any result</option>
          {RESULTS.map((r) => <option key={r} value={r}>{RESULT_WORDS[r]}</option>)}
        </Select>
        <Select label="Sort by" name="sort" value={query.sort}>
          {(Object.keys(SORT_WORDS) as MailboxSort[]).map((s) => <option key={s} value={s}>{SORT_WORDS[s]}</option>)}
        </Select>
        {/* Descending is Z–A, newest first, failing first. */}
        <Select label="Order" name="dir" value={query.dir}>
          <option value="asc">Ascending</option>
          <option value="desc">Descending</option>
        </Select>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit">Apply filters</Button>
        {hasFilters(query) ? <ButtonLink variant="secondary" href={`${basePath}${mailboxQueryString({ sort: query.sort, dir: query.dir })}`}>Clear filters</ButtonLink> : null}
      </div>
    </form>
  );
}

/** "search "front", health Failing": the filters in words, for the count and for an empty result. */
export function filterWords(q: MailboxQuery, integrations: { id: string; name: string }[]): string[] {
  const out: string[] = [];
  if (q.q) out.push(`search “${q.q}”`);
  if (q.health) out.push(`health ${HEALTH_COUNT_LABELS[q.health]}`);
  if (q.class) out.push(`failure class ${healthClassWords(q.class)}`);
  if (q.integration) out.push(`integration ${integrations.find((i) => i.id === q.integration)?.name ?? "(removed)"}`);
  if (q.consent) out.push(CONSENT_LABELS[q.consent].toLowerCase());
  if (q.protocol || q.result) out.push(`${q.protocol ? PROTOCOL_LABELS[q.protocol] : "any protocol"} ${q.result ? RESULT_WORDS[q.result] : "checked"}`);
  return out;
}

/** The list's columns; the sortable ones link to the same view sorted by them (a second click reverses the active one). */
export function mailboxColumns(basePath: string, query: MailboxQuery): DataTableColumn[] {
  const sortable = (sort: MailboxSort) => {
    const active = query.sort === sort;
    const next = active ? (query.dir === "asc" ? "desc" : "asc") : DEFAULT_DIR[sort];
    return sortColumn({ href: `${basePath}${mailboxQueryString({ ...query, after: undefined }, { sort, dir: next })}`, activeDir: active ? query.dir : null, nextDir: next, name: SORT_WORDS[sort] });
  };
  return [
    { id: "mailbox", header: "Mailbox", sort: sortable("mailbox"), className: "max-sm:wrap-anywhere" },
    { id: "health", header: "Health", sort: sortable("health"), className: "sm:min-w-44 sm:max-w-64" },
    { id: "lastCheck", header: "Last check", sort: sortable("lastCheck"), className: "whitespace-nowrap" },
    { id: "protocols", header: "Protocols", className: "sm:min-w-36 sm:max-w-60" },
    { id: "consent", header: "Consent" },
    { id: "scopes", header: "Scopes", className: "text-xs break-words sm:min-w-36 sm:max-w-52" },
  ];
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** "1–50 of 1,234 mailboxes", and links to the next and the first page. */
export function MailboxPager({ basePath, query, list }: { basePath: string; query: MailboxQuery; list: { total: number; start: number; end: number; next: string | null; firstPage: boolean } }) {
  const noun = list.total === 1 ? "mailbox" : "mailboxes";
  return (
    <nav aria-label="Mailbox pages" className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <p className="text-slate-700" aria-live="polite">{list.total === 0 ? `0 ${noun}` : `${fmt(list.start)}–${fmt(list.end)} of ${fmt(list.total)} ${noun}`}</p>
      <div className="flex flex-wrap gap-2">
        {!list.firstPage ? <ButtonLink variant="secondary" href={`${basePath}${mailboxQueryString({ ...query, after: undefined })}`}>First page</ButtonLink> : null}
        {list.next ? <ButtonLink variant="secondary" href={`${basePath}${mailboxQueryString({ ...query, after: list.next })}`} rel="next">Next page</ButtonLink> : null}
      </div>
    </nav>
  );
}
