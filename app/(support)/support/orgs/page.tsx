import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listOrgPage, parseOrgQuery } from "@/lib/support/org-inventory";
import { Card, EmptyState } from "@/components/ui/card";
import { HealthLine } from "@/components/support/health-counts";
import { Button, ButtonLink } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";

export const metadata: Metadata = { title: "Organizations · Support" };

const n = (x: number) => x.toLocaleString("en-US");

export default async function SupportOrgsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireSupport();
  const query = parseOrgQuery(await searchParams);
  const list = await listOrgPage(await db(), query);
  const href = (after?: string) => {
    const p = new URLSearchParams();
    if (query.q) p.set("q", query.q);
    if (after) p.set("after", after);
    const s = p.toString();
    return `/support/orgs${s ? `?${s}` : ""}`;
  };
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Organizations</h1>
      <form method="get" action="/support/orgs" role="search" aria-label="Organizations" className="flex flex-wrap items-end gap-3">
        <div className="min-w-0 flex-1 basis-64">
          <TextField label="Search by name, slug or tenant ID" name="q" id="org-q" type="search" maxLength={200} defaultValue={query.q ?? ""} placeholder="contoso, or a tenant ID" />
        </div>
        <Button type="submit">Search</Button>
        {query.q ? <Link className="py-2 text-sm text-brand-700 underline" href="/support/orgs">Clear</Link> : null}
      </form>

      {list.total === 0 ? (
        query.q ? (
          <EmptyState title={`No organization matches “${query.q}”`}>Search looks at names and slugs (any part) and tenant IDs (the whole ID). <Link className="text-brand-700 underline" href="/support/orgs">Show every organization</Link>.</EmptyState>
        ) : (
          <EmptyState title="No organizations yet">Organizations appear here as soon as someone creates one.</EmptyState>
        )
      ) : (
        <Card title="Organization inventory" description={list.rows.length ? `${n(list.start)}–${n(list.end)} of ${n(list.total)}, by name.` : `${n(list.total)} organizations.`}>
          {list.rows.length === 0 ? (
            <p className="text-sm text-slate-600">This page is past the end of the list. <Link className="text-brand-700 underline" href={href()}>Back to the first page</Link>.</p>
          ) : (
            <>
            {/* A phone gets stacked rows; wider screens the table. */}
            <ul aria-label="Organizations" className="divide-y divide-slate-200 text-sm sm:hidden">
              {list.rows.map((o) => (
                <li key={o.id} className="space-y-1 py-2">
                  <Link className="font-medium text-brand-700 underline wrap-anywhere" href={`/support/orgs/${o.slug}`}>{o.name}</Link>
                  <p className="text-xs text-slate-600 wrap-anywhere">{o.slug} · tenant <span className="font-mono break-all">{o.tenantId}</span></p>
                  <p className="text-xs text-slate-700">{n(o.counts.memberships)} member{o.counts.memberships === 1 ? "" : "s"}{o.counts.invitations ? ` (${n(o.counts.invitations)} invited)` : ""} · {n(o.counts.integrations)} integration{o.counts.integrations === 1 ? "" : "s"} · {o.mailboxes ? <Link className="text-brand-700 underline" href={`/support/connections?org=${encodeURIComponent(o.slug)}`}>{n(o.mailboxes)} mailbox{o.mailboxes === 1 ? "" : "es"}</Link> : "no mailboxes"} · created {o.createdAt.toISOString().slice(0, 10)}</p>
                  {o.mailboxes ? <p><HealthLine counts={o.health} /></p> : null}
                </li>
              ))}
            </ul>
            <div className="overflow-x-auto max-sm:hidden">
              <table className="w-full min-w-[44rem] text-left text-sm" aria-label="Organizations">
                <thead className="text-xs uppercase text-slate-600">
                  <tr><th scope="col" className="py-2 pr-3">Organization</th><th scope="col" className="py-2 pr-3">Microsoft tenant</th><th scope="col" className="py-2 pr-3">Members</th><th scope="col" className="py-2 pr-3">Integrations</th><th scope="col" className="py-2 pr-3">Mailboxes</th><th scope="col" className="py-2 pr-3">Health</th><th scope="col" className="py-2">Created</th></tr>
                </thead>
                <tbody className="divide-y divide-slate-200">
                  {list.rows.map((o) => (
                    <tr key={o.id} className="align-top">
                      <td className="py-2 pr-3"><Link className="font-medium text-brand-700 underline" href={`/support/orgs/${o.slug}`}>{o.name}</Link><div className="text-xs text-slate-600">{o.slug}</div></td>
                      <td className="py-2 pr-3 font-mono text-xs break-all">{o.tenantId}</td>
                      <td className="py-2 pr-3 tabular-nums">{n(o.counts.memberships)}{o.counts.invitations ? <span className="block text-xs text-slate-600">{n(o.counts.invitations)} invited</span> : null}</td>
                      <td className="py-2 pr-3 tabular-nums">{n(o.counts.integrations)}</td>
                      <td className="py-2 pr-3 tabular-nums">{o.mailboxes ? <Link className="text-brand-700 underline" href={`/support/connections?org=${encodeURIComponent(o.slug)}`}>{n(o.mailboxes)}</Link> : 0}</td>
                      <td className="py-2 pr-3"><HealthLine counts={o.health} /></td>
                      <td className="py-2 whitespace-nowrap">{o.createdAt.toISOString().slice(0, 10)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            </>
          )}
          {!list.firstPage || list.next ? (
            <nav aria-label="Pages" className="mt-4 flex flex-wrap gap-3">
              {!list.firstPage ? <ButtonLink variant="secondary" href={href()}>First page</ButtonLink> : null}
              {list.next ? <ButtonLink variant="secondary" href={href(list.next)}>Next 50</ButtonLink> : null}
            </nav>
          ) : null}
        </Card>
      )}
    </div>
  );
}
