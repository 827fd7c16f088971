import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { fleetView } from "@/lib/support/fleet";
import { Card, EmptyState } from "@/components/ui/card";
import { HealthCounts } from "@/components/support/health-counts";
import { healthClassWords } from "@/lib/checks/health";

export const metadata: Metadata = { title: "Fleet · Support" };

const n = (x: number) => x.toLocaleString("en-US");
const connections = (params: Record<string, string>) => `/support/connections?${new URLSearchParams(params).toString()}`;

export default async function FleetPage() {
  await requireSupport();
  const { counts, tenants, orgs, orgCount } = await fleetView(await db());
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

      {/* PLACEHOLDER (lead wires it): the fleet charts from lib/checks/rollup.ts (healthSeries, availability,
          failuresByCode with scope "fleet" and a 24h/7d/30d range) and components/charts/. */}
      <Card title="Health over time" description="Health over time, availability per protocol and failures by diagnosis code across the fleet.">
        <p className="text-sm text-slate-600" data-placeholder="fleet-charts">The charts appear here once the daily roll-ups are wired in.</p>
      </Card>

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
    </div>
  );
}
