import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { fleetView } from "@/lib/support/fleet";
import { Card, EmptyState } from "@/components/ui/card";
import { HealthCounts } from "@/components/support/health-counts";
import { healthClassWords } from "@/lib/checks/health";
import { RANGE_LABELS, availability, failuresByCode, healthSeries, parseRange } from "@/lib/checks/rollup";
import { AvailabilityList, FailuresOverTime, HealthOverTime, RangeSwitch } from "@/components/charts/health-panels";
import { AutoRefresh } from "@/components/ui/auto-refresh";

export const metadata: Metadata = { title: "Fleet · Support" };

const n = (x: number) => x.toLocaleString("en-US");
const connections = (params: Record<string, string>) => `/support/connections?${new URLSearchParams(params).toString()}`;

export default async function FleetPage({ searchParams }: { searchParams: Promise<{ range?: string | string[] }> }) {
  await requireSupport();
  const range = parseRange((await searchParams).range);
  const database = await db();
  const now = new Date();
  // Counts from indexed columns, charts from the hourly roll-ups: no connection or check row is read.
  const [{ counts, tenants, orgs, orgCount }, uptime, failures] = await Promise.all([fleetView(database), availability(database, "fleet", range, now), failuresByCode(database, "fleet", range, now)]);
  const series = counts.total ? await healthSeries(database, "fleet", range, now, counts.health) : [];
  const rangeHref = (r: string) => `/support${r === "24h" ? "" : `?range=${r}`}`;
  const classes = Object.entries(counts.failingByClass).filter(([, v]) => v > 0);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Fleet</h1>
        <p className="mt-1 text-sm text-slate-600">{n(counts.total)} connections in {n(orgCount)} organizations.</p>
      </div>
      {counts.total === 0 ? (
        <EmptyState title="No connections yet">Health appears here as soon as an organization connects a mailbox. <Link className="text-brand-700 underline" href="/support/orgs">See the organizations</Link>.</EmptyState>
      ) : (
        <Card title="Health across all organizations" description="Every connection's current health, from its latest check and token refresh.">
          <HealthCounts counts={counts.health} label="Connections by health" href={(h) => connections({ health: h })} />
          {classes.length || counts.failingOther ? (
            <div className="mt-4">
              <h3 className="text-sm font-semibold text-slate-800">Failing, by class</h3>
              <ul aria-label="Failing connections by class" className="mt-2 flex flex-wrap gap-2 text-sm">
                {classes.map(([cls, v]) => (
                  <li key={cls}>
                    <Link className="inline-flex items-center gap-2 rounded-full border border-red-300 bg-red-50 px-3 py-1 text-red-900 hover:underline" href={connections({ health: "FAILING", class: cls })}>
                      <span>{healthClassWords(cls)}</span><span className="font-semibold tabular-nums">{n(v)}</span>
                    </Link>
                  </li>
                ))}
                {counts.failingOther ? <li className="inline-flex items-center gap-2 rounded-full border border-slate-300 px-3 py-1 text-slate-700"><span>no class</span><span className="font-semibold tabular-nums">{n(counts.failingOther)}</span></li> : null}
              </ul>
            </div>
          ) : null}
        </Card>
      )}

      {counts.total ? (
        <>
          <Card title="Health over time" actions={<RangeSwitch range={range} hrefFor={rangeHref} label="Time range of the charts" />}>
            <HealthOverTime points={series} range={range} />
          </Card>
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Availability" description={`Share of successful checks per protocol across the fleet, last ${RANGE_LABELS[range]}.`}>
              <AvailabilityList items={uptime} range={range} />
            </Card>
            <Card title="Failures by diagnosis code" description={`Failed checks across the fleet, last ${RANGE_LABELS[range]}.`}>
              <FailuresOverTime series={failures} range={range} />
            </Card>
          </div>
        </>
      ) : null}

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Tenants with the most failing connections" description="Microsoft tenants, across organizations; each opens its connections.">
          {tenants.length === 0 ? <p className="text-sm text-slate-600">No connection is failing.</p> : (
            <ol aria-label="Tenants with the most failing connections" className="divide-y divide-slate-200 text-sm">
              {tenants.map((t) => (
                <li key={t.tenantId} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 py-2">
                  <Link className="font-mono text-xs text-brand-700 underline wrap-anywhere" href={connections({ q: t.tenantId })}>{t.tenantId}</Link>
                  <span className="text-slate-700"><span className="font-semibold text-red-800 tabular-nums">{n(t.failing)}</span> failing{t.orgs > 1 ? ` · ${n(t.orgs)} orgs` : ""}</span>
                </li>
              ))}
            </ol>
          )}
        </Card>
        <Card title="Organizations with the most failing connections" description="Each opens the organization, or its failing connections.">
          {orgs.length === 0 ? <p className="text-sm text-slate-600">No connection is failing.</p> : (
            <ol aria-label="Organizations with the most failing connections" className="divide-y divide-slate-200 text-sm">
              {orgs.map((o) => (
                <li key={o.id} className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1 py-2">
                  <span className="min-w-0">
                    <Link className="font-medium text-brand-700 underline wrap-anywhere" href={`/support/orgs/${o.slug}`}>{o.name}</Link>
                    <span className="block text-xs text-slate-600">{o.slug}</span>
                  </span>
                  <Link className="text-slate-700 underline" href={connections({ org: o.slug, health: "FAILING" })}>
                    <span className="font-semibold text-red-800 tabular-nums">{n(o.failing)}</span> of {n(o.total)} failing
                  </Link>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>
      <AutoRefresh />
    </div>
  );
}
