import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { Card, EmptyState, Badge } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import Link from "next/link";
import { countIntegrations } from "@/lib/integrations/integrations";
import { orgOverview } from "@/lib/orgs/overview";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER, exactTime, healthLabel, nextCheckWords, relativeTime, type Health } from "@/lib/checks/health-words";
import { healthClassWords } from "@/lib/checks/health";
import { RANGE_LABELS, availability, healthSeries, parseRange } from "@/lib/checks/rollup";
import { AvailabilityList, HealthOverTime, RangeSwitch } from "@/components/charts/health-panels";
import { AutoRefresh } from "@/components/ui/auto-refresh";

const HEALTH_TEXT: Record<Health, string> = { FAILING: "text-red-800", DEGRADED: "text-amber-800", AT_RISK: "text-amber-800", HEALTHY: "text-green-800", UNKNOWN: "text-slate-700" };
const HEALTH_BOX: Record<Health, string> = { FAILING: "border-red-300 bg-red-50", DEGRADED: "border-amber-300 bg-amber-50", AT_RISK: "border-amber-300 bg-amber-50", HEALTHY: "", UNKNOWN: "" };

export const metadata: Metadata = { title: "Overview" };

export default async function OrgOverviewPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ range?: string | string[] }> }) {
  const { slug } = await params;
  const range = parseRange((await searchParams).range);
  const ctx = await requireOrg(slug);
  const database = await db();
  const now = new Date();
  const scope = { orgId: ctx.org.id };
  const [integrations, o, uptime] = await Promise.all([countIntegrations(database, ctx.org.id), orgOverview(database, ctx.org.id, now), availability(database, scope, range, now)]);
  const { health } = o;
  const series = o.total ? await healthSeries(database, scope, range, now, health) : [];
  const rangeHref = (r: string) => `/orgs/${slug}${r === "24h" ? "" : `?range=${r}`}`;
  const counts = { connected: o.consent.connected, needs_reconsent: o.consent.needsReconsent, revoked: o.consent.revoked };
  const mailbox = (id: string) => `/orgs/${slug}/mailboxes/${id}`;
  return (
    <div className="grid gap-6 lg:grid-cols-3 [&>*]:min-w-0">
      <div className="space-y-6 lg:col-span-2">
        {integrations === 0 ? (
          <EmptyState
            title="Start by registering your Azure app"
            action={ctx.can("integrations.write") ? <ButtonLink href={`/orgs/${slug}/integrations/new`}>Add an integration</ButtonLink> : undefined}
          >
            <p>
              Connecting a mailbox takes three steps: register your organization&apos;s Azure app as an integration, grant consent, then connect
              each mailbox with &ldquo;Sign in with Microsoft&rdquo; or a consent link.
            </p>
          </EmptyState>
        ) : o.total === 0 ? (
          <EmptyState title="No mailboxes connected yet" action={<ButtonLink href={`/orgs/${slug}/mailboxes`}>Connect a mailbox</ButtonLink>}>
            <p>Connect a mailbox with &ldquo;Sign in with Microsoft&rdquo;, or send its owner a consent link.</p>
          </EmptyState>
        ) : (
          <Card title="Mailboxes" actions={<ButtonLink variant="secondary" href={`/orgs/${slug}/mailboxes`}>Open mailboxes</ButtonLink>}>
            <h3 className="text-sm font-semibold text-slate-800">Health</h3>
            <dl aria-label="Mailboxes by health" className="mt-2 grid grid-cols-2 gap-3 text-center sm:grid-cols-5">
              {HEALTH_ORDER.map((h) => (
                <div key={h} className={`rounded-md border px-2 py-2 ${health[h] && h !== "HEALTHY" && h !== "UNKNOWN" ? HEALTH_BOX[h] : "border-slate-200"}`}>
                  <dt className="text-sm text-slate-700">{HEALTH_COUNT_LABELS[h]}</dt>
                  <dd className={`text-2xl font-semibold ${health[h] ? HEALTH_TEXT[h] : "text-slate-500"}`}>{health[h]}</dd>
                </div>
              ))}
            </dl>
            {o.failingByClass.length ? (
              <p className="mt-2 text-sm text-red-800">Failing: {o.failingByClass.map((f) => `${f.count} ${healthClassWords(f.class) ?? "other"}`).join(" · ")}</p>
            ) : null}
            <h3 className="mt-5 text-sm font-semibold text-slate-800">Consent</h3>
            <dl aria-label="Mailboxes by consent" className="mt-2 grid grid-cols-3 gap-3 text-center">
              <div><dt className="text-sm text-slate-600">Connected</dt><dd className="text-xl font-semibold text-slate-900">{counts.connected}</dd></div>
              <div><dt className="text-sm text-slate-600">Need re-consent</dt><dd className={`text-xl font-semibold ${counts.needs_reconsent ? "text-amber-800" : "text-slate-500"}`}>{counts.needs_reconsent}</dd></div>
              <div><dt className="text-sm text-slate-600">Revoked</dt><dd className={`text-xl font-semibold ${counts.revoked ? "text-red-800" : "text-slate-500"}`}>{counts.revoked}</dd></div>
            </dl>
            <p className="mt-4 text-sm text-slate-600">
              {o.nextCheckAt ? <>Next scheduled check: <time dateTime={o.nextCheckAt.toISOString()} title={exactTime(o.nextCheckAt)}>{nextCheckWords(o.nextCheckAt, now)}</time>.</> : "No check is scheduled: no mailbox is connected."}
            </p>
          </Card>
        )}
        {o.total ? (
          <Card title="Health over time" actions={<RangeSwitch range={range} hrefFor={rangeHref} label="Time range of the charts" />}>
            <HealthOverTime points={series} range={range} />
          </Card>
        ) : null}
        {o.failing.length ? (
          <Card title="Failing mailboxes" description={`Longest failing first${health.FAILING > o.failing.length ? ` (${o.failing.length} of ${health.FAILING})` : ""}. Each says what broke and how to fix it.`}>
            <ul className="divide-y divide-slate-200" aria-label="Failing mailboxes">
              {o.failing.map((c) => (
                <li key={c.id} className="py-3 text-sm">
                  <div className="flex flex-wrap items-baseline justify-between gap-2">
                    <Link href={mailbox(c.id)} className="font-medium text-brand-700 hover:underline wrap-anywhere">{c.mailbox}</Link>
                    <span className="text-xs text-slate-600">{healthLabel("FAILING", c.healthClass)} · since <time dateTime={c.healthChangedAt?.toISOString()} title={c.healthChangedAt ? exactTime(c.healthChangedAt) : undefined}>{relativeTime(c.healthChangedAt, now)}</time></span>
                  </div>
                  <p className="mt-1 text-slate-800">{c.healthReason}</p>
                  {c.fix ? <p className="mt-1 text-slate-600"><span className="font-medium text-slate-800">Fix: </span>{c.fix}</p> : null}
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
        {o.atRisk.length || o.expiring.length ? (
          <Card title="At risk" description="Working today, but not for long unless something is done.">
            <ul className="divide-y divide-slate-200" aria-label="At risk">
              {o.expiring.map((i) => (
                <li key={i.id} className="py-3 text-sm">
                  <Link href={`/orgs/${slug}/integrations/${i.id}`} className="font-medium text-brand-700 hover:underline">{i.name}</Link>
                  <p className="mt-1 text-slate-800">Its {i.what} {i.at.getTime() <= now.getTime() ? "expired" : "expires"} <time dateTime={i.at.toISOString()} title={exactTime(i.at)}>{relativeTime(i.at, now)}</time> ({i.at.toISOString().slice(0, 10)}): add a new one in Azure and paste it on the integration.</p>
                </li>
              ))}
              {o.atRisk.map((c) => (
                <li key={c.id} className="py-3 text-sm">
                  <Link href={mailbox(c.id)} className="font-medium text-brand-700 hover:underline wrap-anywhere">{c.mailbox}</Link>
                  <p className="mt-1 text-slate-800">{c.healthReason}</p>
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
      </div>
      <div className="space-y-6">
      {o.total ? (
        <Card title="Availability" description={`Share of successful checks per protocol, last ${RANGE_LABELS[range]}.`}>
          <AvailabilityList items={uptime} range={range} />
        </Card>
      ) : null}
      <Card title="This organization">
        <dl className="space-y-3 text-sm">
          <div><dt className="text-slate-600">Your role</dt><dd><Badge tone="blue">{ROLE_LABELS[ctx.role]}</Badge></dd></div>
          <div><dt className="text-slate-600">URL</dt><dd className="font-mono">/orgs/{ctx.org.slug}</dd></div>
          <div><dt className="text-slate-600">Microsoft tenant</dt><dd className="break-all font-mono text-xs">{ctx.org.tenantId}</dd></div>
          <div><dt className="text-slate-600">Created</dt><dd>{ctx.org.createdAt.toISOString().slice(0, 10)}</dd></div>
          <div><dt className="text-slate-600">Integrations</dt><dd>{integrations}</dd></div>
        </dl>
      </Card>
      </div>
      <AutoRefresh />
    </div>
  );
}
