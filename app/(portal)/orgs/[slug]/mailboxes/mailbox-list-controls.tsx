import type { DataTableColumn } from "@/components/ui/data-table";
import { sortColumn } from "@/components/ui/data-table-sort";
import { Button, ButtonLink } from "@/components/ui/button";
import { CONSENT_LABELS } from "@/components/connections/status";
import { FILTER_CONTROL, FilterSelect, HealthFilters, OrderSelect, ProtocolFilters, healthFilterWords, protocolFilterWords } from "@/components/connections/list-filters";
import { CONSENTS, DEFAULT_DIR, FILTER_KEYS, mailboxQueryString, type MailboxQuery, type MailboxSort } from "@/lib/connections/mailbox-list";

// The Mailboxes list's search, filters, sort and pages. A plain GET form and links: it works
// without JavaScript, and the URL is the view, so it can be bookmarked and shared.

const SORT_WORDS: Record<MailboxSort, string> = { mailbox: "Mailbox", health: "Health", lastCheck: "Last check", healthChanged: "Health changed" };

export const hasFilters = (q: MailboxQuery) => FILTER_KEYS.some((k) => q[k]);

export function MailboxFilters({ basePath, query, integrations }: { basePath: string; query: MailboxQuery; integrations: { id: string; name: string }[] }) {
  return (
    <form method="get" action={basePath} role="search" aria-label="Search and filter mailboxes" className="mb-4 space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="min-w-0 space-y-1">
        <label htmlFor="filter-q" className="block text-xs font-medium text-slate-700">Search mailboxes</label>
        <input id="filter-q" name="q" type="search" maxLength={200} defaultValue={query.q ?? ""} placeholder="Address or display name" className={FILTER_CONTROL} />
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-4">
        <HealthFilters query={query} />
        {integrations.length > 1 ? (
          <FilterSelect label="Integration" name="integration" value={query.integration}>
            <option value="">Any integration</option>
            {integrations.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
          </FilterSelect>
        ) : null}
        <FilterSelect label="Consent" name="consent" value={query.consent}>
          <option value="">Any consent</option>
          {CONSENTS.map((c) => <option key={c} value={c}>{CONSENT_LABELS[c]}</option>)}
        </FilterSelect>
        <ProtocolFilters query={query} />
        <FilterSelect label="Sort by" name="sort" value={query.sort}>
          {(Object.keys(SORT_WORDS) as MailboxSort[]).map((s) => <option key={s} value={s}>{SORT_WORDS[s]}</option>)}
        </FilterSelect>
        <OrderSelect value={query.dir} />
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
  out.push(...healthFilterWords(q));
  if (q.integration) out.push(`integration ${integrations.find((i) => i.id === q.integration)?.name ?? "(removed)"}`);
  if (q.consent) out.push(CONSENT_LABELS[q.consent].toLowerCase());
  out.push(...protocolFilterWords(q));
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
