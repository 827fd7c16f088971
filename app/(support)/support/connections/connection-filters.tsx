import { Button, ButtonLink } from "@/components/ui/button";
import { FILTER_CONTROL, FilterSelect, HealthFilters, OrderSelect, ProtocolFilters, healthFilterWords, protocolFilterWords } from "@/components/connections/list-filters";
import { CLOUDS, CLOUD_IDS } from "@/lib/microsoft/clouds";
import { SUPPORT_SORTS, hasSupportFilters, searchKindOf, supportQueryString, type SearchKind, type SupportList, type SupportQuery, type SupportSort } from "@/lib/support/connection-list";

// The support table's search, filters and pages: a GET form and links, so the URL is the view.

export const SORT_WORDS: Record<SupportSort, string> = { healthChanged: "Health changed", lastCheck: "Last check", mailbox: "Mailbox", org: "Organization" };
const KIND_WORDS: Record<SearchKind, string> = { any: "Anything", org: "Organization name or slug", tenant: "Microsoft tenant id", mailbox: "Mailbox address", code: "Error or diagnosis code" };

export function SupportFilters({ basePath, query, integrations }: { basePath: string; query: SupportQuery; integrations: { id: string; name: string }[] }) {
  return (
    <form method="get" action={basePath} role="search" aria-label="Search and filter connections" className="space-y-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="grid gap-3 sm:grid-cols-[1fr_14rem]">
        <div className="min-w-0 space-y-1">
          <label htmlFor="filter-q" className="block text-xs font-medium text-slate-700">Search</label>
          <input id="filter-q" name="q" type="search" maxLength={200} defaultValue={query.q ?? ""} placeholder="Org, tenant id, mailbox, or a code like AADSTS50173" className={FILTER_CONTROL} />
        </div>
        <FilterSelect label="Search in" name="in" value={query.in}>
          {(Object.keys(KIND_WORDS) as SearchKind[]).map((k) => <option key={k} value={k}>{KIND_WORDS[k]}</option>)}
        </FilterSelect>
      </div>
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5">
        <HealthFilters query={query} />
        <div className="min-w-0 space-y-1">
          <label htmlFor="filter-org" className="block text-xs font-medium text-slate-700">Organization slug</label>
          <input id="filter-org" name="org" defaultValue={query.org ?? ""} placeholder="e.g. contoso" className={FILTER_CONTROL} />
        </div>
        {integrations.length ? (
          <FilterSelect label="Integration" name="integration" value={query.integration}>
            <option value="">Any integration</option>
            {integrations.map((i) => <option key={i.id} value={i.id}>{i.name}</option>)}
          </FilterSelect>
        ) : query.integration ? <input type="hidden" name="integration" value={query.integration} /> : null}
        <FilterSelect label="Cloud" name="cloud" value={query.cloud}>
          <option value="">Any cloud</option>
          {CLOUD_IDS.map((c) => <option key={c} value={c}>{CLOUDS[c].label}</option>)}
        </FilterSelect>
        <ProtocolFilters query={query} />
        <FilterSelect label="Sort by" name="sort" value={query.sort}>
          {SUPPORT_SORTS.map((s) => <option key={s} value={s}>{SORT_WORDS[s]}</option>)}
        </FilterSelect>
        <OrderSelect value={query.dir} />
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <Button type="submit">Apply</Button>
        {hasSupportFilters(query) ? <ButtonLink variant="secondary" href={`${basePath}${supportQueryString({ sort: query.sort, dir: query.dir })}`}>Clear filters</ButtonLink> : null}
      </div>
    </form>
  );
}

const SEARCHED: Record<ReturnType<typeof searchKindOf>, string> = {
  id: "tenant, organization or connection id",
  tenant: "Microsoft tenant id",
  code: "error code",
  mailbox: "mailbox",
  org: "organization",
  org_or_mailbox: "organization name or slug, or the start of a mailbox address",
};

/** The view in words: "error code “AADSTS50173”, health Failing". */
export function supportFilterWords(q: SupportQuery, integrations: { id: string; name: string }[]): string[] {
  const out: string[] = [];
  if (q.q) out.push(`${SEARCHED[searchKindOf(q.q, q.in)]} “${q.q}”`);
  out.push(...healthFilterWords(q));
  if (q.org) out.push(`organization ${q.org}`);
  if (q.integration) out.push(`integration ${integrations.find((i) => i.id === q.integration)?.name ?? q.integration}`);
  if (q.cloud) out.push(`cloud ${CLOUDS[q.cloud].label}`);
  out.push(...protocolFilterWords(q));
  return out;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** "1–50 of 1,234 connections" (or "of more than 10,000"), with Previous and Next. */
export function SupportPager({ basePath, query, list }: { basePath: string; query: SupportQuery; list: SupportList }) {
  const of = list.capped ? `more than ${fmt(list.total)}` : fmt(list.total);
  const noun = !list.capped && list.total === 1 ? "connection" : "connections";
  const keep = { ...query, after: undefined, before: undefined };
  return (
    <nav aria-label="Connection pages" className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <p className="text-slate-700" aria-live="polite">{list.rows.length === 0 ? `0 ${noun}` : `${fmt(list.start)}–${fmt(list.end)} of ${of} ${noun}`}</p>
      <div className="flex flex-wrap gap-2">
        {list.previous ? <ButtonLink variant="secondary" href={`${basePath}${supportQueryString(keep, { before: list.previous })}`} rel="prev">Previous</ButtonLink> : null}
        {list.next ? <ButtonLink variant="secondary" href={`${basePath}${supportQueryString(keep, { after: list.next })}`} rel="next">Next</ButtonLink> : null}
      </div>
    </nav>
  );
}
