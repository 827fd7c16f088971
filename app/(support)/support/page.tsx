import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listAllOrgsForSupport } from "@/lib/orgs/orgs";
import { Card, EmptyState } from "@/components/ui/card";
import { healthCountsByOrg, type HealthCounts } from "@/lib/checks/history";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER } from "@/lib/checks/health-words";

/** "2 failing · 1 at risk · 5 healthy": worst first, zero counts left out. */
function HealthSummaryCell({ counts }: { counts: HealthCounts | undefined }) {
  const parts = counts ? HEALTH_ORDER.filter((h) => counts[h] > 0).map((h) => ({ h, text: `${counts[h]} ${HEALTH_COUNT_LABELS[h].toLowerCase()}` })) : [];
  if (parts.length === 0) return <span className="text-slate-500">—</span>;
  return <span className="text-xs">{parts.map((p, i) => <span key={p.h} className={p.h === "FAILING" ? "font-semibold text-red-800" : p.h === "DEGRADED" || p.h === "AT_RISK" ? "text-amber-800" : "text-slate-700"}>{i ? " · " : ""}{p.text}</span>)}</span>;
}

export const metadata: Metadata = { title: "Support console" };

export default async function SupportPage() {
  await requireSupport();
  const database = await db();
  const [orgs, health] = await Promise.all([listAllOrgsForSupport(database), healthCountsByOrg(database)]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">All organizations</h1>
      {orgs.length === 0 ? (
        <EmptyState title="No organizations yet">Organizations appear here as soon as someone creates one.</EmptyState>
      ) : (
        <Card>
          <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-600">
              <tr><th scope="col" className="py-2">Organization</th><th scope="col">Microsoft tenant</th><th scope="col">Members</th><th scope="col">Pending invitations</th><th scope="col">Integrations</th><th scope="col">Mailboxes</th><th scope="col">Health</th><th scope="col">Created</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {orgs.map((o) => (
                <tr key={o.id}>
                  <td className="py-2"><Link className="font-medium text-brand-700 hover:underline" href={`/support/orgs/${o.slug}`}>{o.name}</Link><div className="text-xs text-slate-600">{o.slug}</div></td>
                  <td className="font-mono text-xs">{o.tenantId}</td>
                  <td>{o._count.memberships}</td>
                  <td>{o._count.invitations}</td>
                  <td>{o._count.integrations}</td>
                  <td>{o._count.connections}</td>
                  <td><HealthSummaryCell counts={health.get(o.id)} /></td>
                  <td>{o.createdAt.toISOString().slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </Card>
      )}
    </div>
  );
}
