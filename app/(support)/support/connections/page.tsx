import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { Card } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { sortColumn } from "@/components/ui/data-table-sort";
import { HealthBadge, ProtocolChips, RelativeTime } from "@/components/connections/health-badge";
import { MailboxAddress } from "@/components/connections/status";
import { protocolChips } from "@/lib/checks/health-words";
import { SUPPORT_DEFAULT_DIR, hasSupportFilters, integrationsOfOrgSlug, listSupportConnections, parseSupportQuery, supportQueryString, type SupportQuery, type SupportSort } from "@/lib/support/connection-list";
import { SORT_WORDS, SupportFilters, SupportPager, supportFilterWords } from "./connection-filters";

export const metadata: Metadata = { title: "Connections · Support console" };

const BASE = "/support/connections";

function sortable(query: SupportQuery, sort: SupportSort) {
  const active = query.sort === sort;
  const next = active ? (query.dir === "asc" ? "desc" : "asc") : SUPPORT_DEFAULT_DIR[sort];
  return sortColumn({ href: `${BASE}${supportQueryString({ ...query, after: undefined, before: undefined }, { sort, dir: next })}`, activeDir: active ? query.dir : null, nextDir: next, name: SORT_WORDS[sort] });
}

export default async function SupportConnectionsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireSupport();
  const query = parseSupportQuery(await searchParams);
  const database = await db();
  const [list, integrations] = await Promise.all([listSupportConnections(database, query), integrationsOfOrgSlug(database, query.org)]);
  const now = new Date();
  const filtered = hasSupportFilters(query);
  const words = supportFilterWords(query, integrations);
  const exportHref = `/api/support/connections/export${supportQueryString({ ...query, after: undefined, before: undefined })}`;

  const columns: DataTableColumn[] = [
    { id: "mailbox", header: "Mailbox", sort: sortable(query, "mailbox"), className: "max-sm:wrap-anywhere sm:min-w-48" },
    { id: "org", header: "Organization", sort: sortable(query, "org"), className: "sm:min-w-36" },
    { id: "health", header: "Health", className: "sm:min-w-44 sm:max-w-64" },
    { id: "changed", header: "Health changed", sort: sortable(query, "healthChanged"), className: "whitespace-nowrap" },
    { id: "lastCheck", header: "Last check", sort: sortable(query, "lastCheck"), className: "whitespace-nowrap" },
    { id: "protocols", header: "Protocols", className: "sm:min-w-36 sm:max-w-60" },
    { id: "tenant", header: "Tenant", className: "font-mono text-xs break-all sm:min-w-40" },
  ];
  const rows = list.rows.map((c) => ({
    id: c.id,
    cells: {
      mailbox: (
        <>
          <Link className="font-medium text-brand-700 hover:underline" href={`${BASE}/${c.id}`}><MailboxAddress address={c.mailbox} /></Link>
          {c.mailboxKind === "SHARED" ? <span className="ml-1 text-xs text-slate-500">(shared)</span> : null}
          {c.displayName ? <span className="block text-xs text-slate-600">{c.displayName}</span> : null}
        </>
      ),
      org: (
        <>
          <Link className="text-brand-700 hover:underline" href={`/support/orgs/${c.orgSlug}`}>{c.orgName}</Link>
          <span className="block text-xs text-slate-600">{c.integrationName} · {c.cloud}</span>
        </>
      ),
      health: (
        <>
          <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} showReason />
          {c.healthCode ? <span className="mt-0.5 block font-mono text-[11px] text-slate-700">{c.healthCode}</span> : null}
        </>
      ),
      changed: <RelativeTime at={c.healthChangedAt} now={now} empty="—" />,
      lastCheck: <RelativeTime at={c.lastCheckAt} now={now} />,
      protocols: <ProtocolChips chips={protocolChips({ ...c, integration: { purposes: c.purposes } })} />,
      tenant: c.tenantId,
    },
  }));

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Connections</h1>
        <p className="mt-1 text-sm text-slate-600">Every mailbox connection of every organization, with its health. Read-only: secrets, tokens and consent links are never shown here.</p>
      </div>
      <Card>
        <div className="space-y-4">
          <SupportFilters basePath={BASE} query={query} integrations={integrations} />
          {list.rows.length === 0 ? (
            <div className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-700" role="status">
              <p className="font-medium text-slate-900">{filtered ? "No connection matches" : "No connection yet"}</p>
              <p className="mt-1">{filtered ? <>Nothing matched {words.join(", ")}. Check the spelling, pick another “Search in”, or clear the filters.</> : "Connections appear here as organizations connect mailboxes."}</p>
              {filtered ? <div className="mt-3"><ButtonLink variant="secondary" href={`${BASE}${supportQueryString({ sort: query.sort, dir: query.dir })}`}>Clear filters</ButtonLink></div> : null}
            </div>
          ) : (
            <>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <p className="text-sm text-slate-600">{filtered ? `Showing connections with ${words.join(", ")}.` : "Showing every connection, most recent health change first."}</p>
                <a className="text-sm font-medium text-brand-700 underline" href={exportHref} download>{list.capped ? "Download them all as CSV" : list.total === 1 ? "Download it as CSV" : `Download these ${list.total.toLocaleString("en-US")} as CSV`}</a>
              </div>
              <SupportPager basePath={BASE} query={query} list={list} />
              <DataTable caption="Connections across organizations" columns={columns} rows={rows} />
              <SupportPager basePath={BASE} query={query} list={list} />
            </>
          )}
        </div>
      </Card>
    </div>
  );
}
