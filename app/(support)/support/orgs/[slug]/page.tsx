import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getOrgForSupport, recordSupportView } from "@/lib/orgs/orgs";
import { requestMeta } from "@/lib/request-meta";
import { Badge, Card } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { listIntegrations } from "@/lib/integrations/integrations";
import { displayStatus, listConnections } from "@/lib/connections/connections";
import { ConnectionStatusBadge, CONSENT_LABELS, formatDate } from "@/components/connections/status";
import { ConnectionProtocolChips, HealthBadge, NextCheck, RelativeTime } from "@/components/connections/health-badge";

export const metadata: Metadata = { title: "Organization · Support" };

export default async function SupportOrgPage({ params }: { params: Promise<{ slug: string }> }) {
  const viewer = await requireSupport();
  const { slug } = await params;
  const database = await db();
  const org = await getOrgForSupport(database, slug);
  if (!org) notFound();
  await recordSupportView(database, viewer, org, await requestMeta());
  // Health only: names, statuses and dates. Secrets and tokens are never read here.
  const [integrations, connections] = await Promise.all([listIntegrations(database, org.id), listConnections(database, org.id)]);
  const now = new Date();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{org.name}</h1>
      <Card title="Members">
        <ul className="divide-y divide-slate-200 text-sm">
          {org.memberships.map((m) => (
            <li key={m.user.email} className="flex justify-between py-2">
              <span>{m.user.name} <span className="text-slate-600">{m.user.email}</span></span>
              <Badge>{ROLE_LABELS[m.role]}</Badge>
            </li>
          ))}
        </ul>
      </Card>
      <Card title="Integrations">
        {integrations.length === 0 ? <p className="text-sm text-slate-600">None registered.</p> : (
          <ul className="divide-y divide-slate-200 text-sm">
            {integrations.map((i) => (
              <li key={i.id} className="flex flex-wrap justify-between gap-2 py-2">
                <span>{i.name} <span className="text-slate-600">{i.cloud} · {i.clientId}</span></span>
                <span className="text-slate-700">{i.status === "CREDENTIALS_OK" ? "Credentials OK" : i.status === "FAILING" ? "Failing" : "Not checked"}{i.lastCheckedAt ? ` · checked ${formatDate(i.lastCheckedAt)}` : ""}</span>
              </li>
            ))}
          </ul>
        )}
      </Card>
      <Card title="Mailboxes">
        {connections.length === 0 ? <p className="text-sm text-slate-600">None connected.</p> : (
          <ul className="divide-y divide-slate-200 text-sm">
            {connections.map((c) => (
              <li key={c.id} className="flex flex-wrap items-start justify-between gap-2 py-2">
                <div className="min-w-0 space-y-1">
                  <p className="wrap-anywhere">{c.mailbox} <span className="text-slate-600">{c.integration.name} · {CONSENT_LABELS[c.consentType]} · refresh token last used {formatDate(c.refreshTokenLastUsedAt)}</span></p>
                  <p className="text-xs text-slate-600">Last check <RelativeTime at={c.lastCheckAt} now={now} empty="never" /> · next <NextCheck at={c.nextCheckAt} now={now} />{c.healthCode ? <> · <code className="font-mono">{c.healthCode}</code></> : null}</p>
                  <ConnectionProtocolChips connection={c} />
                </div>
                <div className="flex flex-col items-end gap-1">
                  <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} />
                  <span className="inline-flex items-center gap-1 text-xs text-slate-600">Consent <ConnectionStatusBadge status={displayStatus(c)} /></span>
                </div>
                {c.health !== "HEALTHY" && c.healthReason ? <p className="w-full text-xs text-slate-700">{c.healthReason}</p> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
