import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listIntegrations } from "@/lib/integrations/integrations";
import { displayStatus } from "@/lib/connections/connections";
import { listMailboxes, mailboxQueryString, parseMailboxQuery } from "@/lib/connections/mailbox-list";
import { healthCounts } from "@/lib/checks/history";
import { linkState, listConsentLinks } from "@/lib/connections/links";
import { missingScopes, scopeName } from "@/lib/connections/granted-scopes";
import { Card, EmptyState, Notice } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ConnectMailboxForm, InviteMailboxForm, RevokeLinkForm } from "@/components/connections/connect-forms";
import { addSharedScopesAction, connectMailboxAction, inviteMailboxAction, revokeLinkAction, sendConsentLinksAction, testSelectedAction } from "./actions";
import { missingSharedScopes } from "@/lib/integrations/shared-scopes";
import { CONSENT_LABELS, ConnectionStatusBadge, LinkStateBadge, MailboxAddress, formatDate } from "@/components/connections/status";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER, type Health } from "@/lib/checks/health-words";
import { MailboxFilters, MailboxPager, filterWords, hasFilters, mailboxColumns } from "./mailbox-list-controls";
import { DataTable } from "@/components/ui/data-table";
import { BULK_FORM_ID, MailboxBulkActions } from "./mailbox-bulk-actions";
import { ConnectionProtocolChips, HealthBadge, NextCheck, RelativeTime } from "@/components/connections/health-badge";

export const metadata: Metadata = { title: "Mailboxes" };

/** "3 connections · 2 failing · 1 healthy": the whole org, worst first (whatever the filters show). */
function connectionSummary(counts: Record<Health, number>) {
  const all = HEALTH_ORDER.reduce((n, h) => n + counts[h], 0);
  const parts = HEALTH_ORDER.filter((h) => counts[h] > 0).map((h) => `${counts[h].toLocaleString("en-US")} ${HEALTH_COUNT_LABELS[h].toLowerCase()}`);
  return [`${all.toLocaleString("en-US")} connection${all === 1 ? "" : "s"}`, ...parts].join(" · ") + ".";
}

export default async function MailboxesPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { slug } = await params;
  const search = await searchParams;
  const flags = { integration: typeof search.integration === "string" ? search.integration : undefined, disconnected: typeof search.disconnected === "string" ? search.disconnected : undefined };
  const query = parseMailboxQuery(search);
  const ctx = await requireOrg(slug);
  const database = await db();
  const [integrations, list, counts, links] = await Promise.all([
    listIntegrations(database, ctx.org.id),
    listMailboxes(database, ctx.org.id, query),
    healthCounts(database, ctx.org.id),
    ctx.can("connections.write") ? listConsentLinks(database, ctx.org.id) : Promise.resolve([]),
  ]);
  const options = integrations.map((i) => ({ id: i.id, name: i.name, missingShared: missingSharedScopes(i) }));
  const now = new Date();
  const basePath = `/orgs/${slug}/mailboxes`;
  const orgTotal = HEALTH_ORDER.reduce((n, h) => n + counts[h], 0);
  const connections = list.rows;
  const filtered = hasFilters(query);
  return (
    <div className="space-y-6">
      {flags.disconnected ? <Notice tone="success" title={`${flags.disconnected} disconnected`}>Its stored grant was deleted. To revoke the app at Microsoft too, remove it under My Apps or Enterprise applications.</Notice> : null}
      <div>
        <h2 className="text-xl font-semibold">Mailboxes</h2>
        <p className="mt-1 text-sm text-slate-600">Each connection is one mailbox and the refresh grant that lets the portal act for it, stored encrypted.</p>
      </div>

      {integrations.length === 0 ? (
        <EmptyState title="Register an integration first" action={ctx.can("integrations.write") ? <ButtonLink href={`/orgs/${slug}/integrations/new`}>Add an integration</ButtonLink> : undefined}>
          A mailbox connects through an integration: your organization&apos;s Azure app registration.
        </EmptyState>
      ) : (
        <div className="grid gap-6 lg:grid-cols-2">
          {ctx.can("connections.connect_own") ? (
            <Card title="Connect a mailbox" description="Sign in with Microsoft as the mailbox (or a delegate of a shared mailbox) and accept the permissions.">
              <ConnectMailboxForm action={connectMailboxAction} addSharedScopes={ctx.can("integrations.write") ? addSharedScopesAction : undefined} slug={slug} integrations={options} selected={flags.integration} canConnectOthers={ctx.can("connections.write")} ownEmail={ctx.user.email} />
            </Card>
          ) : null}
          {ctx.can("connections.write") ? (
            <Card title="Invite a mailbox owner" description="A single-use link, valid 7 days: its owner signs in with Microsoft and consents, without a portal account.">
              <InviteMailboxForm action={inviteMailboxAction} slug={slug} integrations={options} selected={flags.integration} />
            </Card>
          ) : null}
        </div>
      )}

      <Card title="Connected mailboxes" description={orgTotal ? connectionSummary(counts) : undefined}>
        {orgTotal > 0 ? <MailboxFilters basePath={basePath} query={query} integrations={integrations} /> : null}
        {orgTotal === 0 ? (
          <p className="text-sm text-slate-600">No mailbox is connected yet. Connect one above, or invite its owner with a consent link.</p>
        ) : connections.length === 0 ? (
          <div className="rounded-md border border-dashed border-slate-300 p-4 text-sm text-slate-700" role="status">
            <p className="font-medium text-slate-900">{filtered ? "No mailbox matches these filters" : "This page is empty"}</p>
            <p className="mt-1">{filtered ? <>Nothing matched {filterWords(query, integrations).join(", ")}. Change a filter or clear them to see all {orgTotal.toLocaleString("en-US")} mailboxes.</> : "The list changed since this page's link was made. Start again from the first page."}</p>
            <div className="mt-3"><ButtonLink variant="secondary" href={`${basePath}${filtered ? mailboxQueryString({ sort: query.sort, dir: query.dir }) : ""}`}>{filtered ? "Clear filters" : "First page"}</ButtonLink></div>
          </div>
        ) : (
          <div className="space-y-3">
          {filtered ? <p className="text-sm text-slate-600">Showing mailboxes with {filterWords(query, integrations).join(", ")}.</p> : null}
          <MailboxPager basePath={basePath} query={query} list={list} />
          <DataTable
            caption="Connected mailboxes"
            columns={mailboxColumns(basePath, query)}
            rows={connections.map((c) => {
              const missing = missingScopes(c.requestedScopes, c.grantedScopes);
              return {
                id: c.id,
                selectLabel: `Select ${c.mailbox}`,
                cells: {
                  mailbox: <><Link className="font-medium text-brand-700 hover:underline" href={`/orgs/${slug}/mailboxes/${c.id}`}><MailboxAddress address={c.mailbox} /></Link>{c.mailboxKind === "SHARED" ? <span className="ml-1 text-xs text-slate-500">(shared)</span> : null}<span className="block text-xs text-slate-600">{c.integration.name}</span></>,
                  health: <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} showReason />,
                  lastCheck: <><RelativeTime at={c.lastCheckAt} now={now} /><span className="block text-xs text-slate-600">{c.nextCheckAt ? <>next: <NextCheck at={c.nextCheckAt} now={now} /></> : "not scheduled"}</span></>,
                  protocols: <ConnectionProtocolChips connection={c} />,
                  consent: <><ConnectionStatusBadge status={displayStatus(c)} />{c.upn !== c.mailbox ? <span className="mt-0.5 block text-xs wrap-anywhere">by {c.upn}</span> : null}<span className="mt-0.5 block text-xs text-slate-600">{CONSENT_LABELS[c.consentType]}</span><span className="block text-xs text-slate-500 whitespace-nowrap">{formatDate(c.connectedAt)}</span></>,
                  scopes: <>{c.grantedScopes.filter((s) => s.includes("/")).map(scopeName).join(", ")}{missing.length ? <span className="block text-amber-800">Missing: {missing.map(scopeName).join(", ")}</span> : null}</>,
                },
              };
            })}
            selection={ctx.can("connections.write") ? { name: "ids", form: BULK_FORM_ID, noun: ["mailbox", "mailboxes"], actions: <MailboxBulkActions slug={slug} testAction={testSelectedAction} consentAction={sendConsentLinksAction} /> } : undefined}
          />
          <MailboxPager basePath={basePath} query={query} list={list} />
          </div>
        )}
      </Card>

      {ctx.can("connections.write") && links.length > 0 ? (
        <Card title="Consent links">
          <ul className="divide-y divide-slate-100 text-sm">
            {links.map((l) => {
              const st = linkState(l, now);
              return (
                <li key={l.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                  <div>
                    <span className="font-medium">{l.mailbox}</span>{l.mailboxKind === "SHARED" ? <span className="ml-1 text-xs text-slate-500">(shared)</span> : null}
                    <span className="block text-xs text-slate-500">{l.integration.name} · created {formatDate(l.createdAt)} · expires {formatDate(l.expiresAt)}</span>
                  </div>
                  <div className="flex items-center gap-2">
                    <LinkStateBadge state={st} />
                    {st === "pending" || st === "sent" || st === "opened" ? <RevokeLinkForm action={revokeLinkAction} slug={slug} id={l.id} mailbox={l.mailbox} /> : null}
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      ) : null}
    </div>
  );
}
