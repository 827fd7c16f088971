import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { Card, EmptyState, Badge } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { displayStatus, listConnections } from "@/lib/connections/connections";
import { countIntegrations } from "@/lib/integrations/integrations";
import { healthCounts } from "@/lib/checks/history";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER, type Health } from "@/lib/checks/health-words";

const HEALTH_TEXT: Record<Health, string> = { FAILING: "text-red-800", DEGRADED: "text-amber-800", AT_RISK: "text-amber-800", HEALTHY: "text-green-800", UNKNOWN: "text-slate-700" };
const HEALTH_BOX: Record<Health, string> = { FAILING: "border-red-300 bg-red-50", DEGRADED: "border-amber-300 bg-amber-50", AT_RISK: "border-amber-300 bg-amber-50", HEALTHY: "", UNKNOWN: "" };

export const metadata: Metadata = { title: "Overview" };

export default async function OrgOverviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const database = await db();
  const [integrations, connections, health] = await Promise.all([countIntegrations(database, ctx.org.id), listConnections(database, ctx.org.id), healthCounts(database, ctx.org.id)]);
  const counts = { connected: 0, needs_reconsent: 0, revoked: 0 };
  for (const c of connections) counts[displayStatus(c)] += 1;
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="lg:col-span-2">
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
        ) : connections.length === 0 ? (
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
            <h3 className="mt-5 text-sm font-semibold text-slate-800">Consent</h3>
            <dl aria-label="Mailboxes by consent" className="mt-2 grid grid-cols-3 gap-3 text-center">
              <div><dt className="text-sm text-slate-600">Connected</dt><dd className="text-xl font-semibold text-slate-900">{counts.connected}</dd></div>
              <div><dt className="text-sm text-slate-600">Need re-consent</dt><dd className={`text-xl font-semibold ${counts.needs_reconsent ? "text-amber-800" : "text-slate-500"}`}>{counts.needs_reconsent}</dd></div>
              <div><dt className="text-sm text-slate-600">Revoked</dt><dd className={`text-xl font-semibold ${counts.revoked ? "text-red-800" : "text-slate-500"}`}>{counts.revoked}</dd></div>
            </dl>
          </Card>
        )}
      </div>
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
  );
}
