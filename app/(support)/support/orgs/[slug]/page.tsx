import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getOrgForSupport, recordSupportView } from "@/lib/orgs/orgs";
import { requestMeta } from "@/lib/request-meta";
import { Badge, Card } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { supportOrgSummary } from "@/lib/support/org-summary";
import { HealthCounts, HealthLine } from "@/components/support/health-counts";
import { HealthBadge, RelativeTime } from "@/components/connections/health-badge";
import { formatDate } from "@/components/connections/status";

export const metadata: Metadata = { title: "Organization · Support" };

const n = (x: number) => x.toLocaleString("en-US");
const CREDENTIAL = { CREDENTIALS_OK: "Credentials OK", FAILING: "Credentials failing", UNCHECKED: "Not checked" } as const;

export default async function SupportOrgPage({ params }: { params: Promise<{ slug: string }> }) {
  const viewer = await requireSupport();
  const { slug } = await params;
  const database = await db();
  const org = await getOrgForSupport(database, slug);
  if (!org) notFound();
  await recordSupportView(database, viewer, org, await requestMeta());
  // Counts, names and states: no connection list is loaded, and no secret or token is read.
  const s = await supportOrgSummary(database, org.id);
  const now = new Date();
  const all = `/support/connections?org=${encodeURIComponent(org.slug)}`;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-600"><Link href="/support/orgs" className="hover:underline">Organizations</Link> /</p>
        <h1 className="text-2xl font-semibold wrap-anywhere">{org.name}</h1>
        <p className="mt-1 text-sm text-slate-600"><span className="font-mono text-xs">{org.slug}</span> · tenant <span className="font-mono text-xs break-all">{org.tenantId}</span> · created {org.createdAt.toISOString().slice(0, 10)}</p>
      </div>

      <Card title="Mailboxes" actions={s.total ? <Link className="text-sm font-medium text-brand-700 underline" href={all}>All {n(s.total)} {s.total === 1 ? "mailbox" : "mailboxes"}</Link> : undefined}>
        {s.total === 0 ? <p className="text-sm text-slate-600">None connected.</p> : (
          <HealthCounts counts={s.health} label="Mailboxes by health" href={(h) => `${all}&health=${h}`} />
        )}
      </Card>

      <Card title="Recently failing mailboxes" description={s.failing.length ? `The ${s.failing.length === 1 ? "mailbox" : `${s.failing.length} mailboxes`} that started failing most recently${s.health.FAILING > s.failing.length ? ` (of ${n(s.health.FAILING)} failing)` : ""}.` : undefined}>
        {s.failing.length === 0 ? <p className="text-sm text-slate-600">No mailbox is failing.</p> : (
          <ul aria-label="Recently failing mailboxes" className="divide-y divide-slate-200 text-sm">
            {s.failing.map((c) => (
              <li key={c.id} className="py-2">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <Link className="font-medium text-brand-700 underline wrap-anywhere" href={`/support/connections/${c.id}`}>{c.mailbox}</Link>
                  <span className="flex flex-wrap items-center gap-2 text-xs text-slate-600">
                    <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} />
                    since <RelativeTime at={c.healthChangedAt} now={now} />
                  </span>
                </div>
                <p className="mt-1 text-xs text-slate-700">{c.integration.name}{c.healthCode ? <> · <code className="font-mono">{c.healthCode}</code></> : null}{c.healthReason ? <> · {c.healthReason}</> : null}</p>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Integrations" description="Each opens its connections.">
        {s.integrations.length === 0 ? <p className="text-sm text-slate-600">None registered.</p> : (
          <ul aria-label="Integrations" className="divide-y divide-slate-200 text-sm">
            {s.integrations.map((i) => (
              <li key={i.id} className="flex flex-wrap items-baseline justify-between gap-2 py-2">
                <span className="min-w-0">
                  <Link className="font-medium text-brand-700 underline" href={`/support/connections?integration=${i.id}`}>{i.name}</Link>
                  <span className="block text-xs text-slate-600 wrap-anywhere">{i.cloud} · {i.tenantMode === "single" ? `single tenant ${i.tenant ?? ""}` : i.tenantMode} · client <span className="font-mono">{i.clientId}</span></span>
                  <span className="block text-xs text-slate-700">{CREDENTIAL[i.status]}{i.lastCheckedAt ? ` · checked ${formatDate(i.lastCheckedAt)}` : ""}{(i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt) ? ` · ${i.credentialType === "CERTIFICATE" ? "certificate" : "secret"} expires ${formatDate(i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt)}` : ""}</span>
                </span>
                <span className="text-right"><span className="block text-xs text-slate-700">{n(i.mailboxes)} mailbox{i.mailboxes === 1 ? "" : "es"}</span><HealthLine counts={i.health} /></span>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Members">
        <ul className="divide-y divide-slate-200 text-sm">
          {org.memberships.map((m) => (
            <li key={m.user.email} className="flex flex-wrap justify-between gap-2 py-2">
              <span className="min-w-0 wrap-anywhere">{m.user.name} <span className="text-slate-600">{m.user.email}</span></span>
              <Badge>{ROLE_LABELS[m.role]}</Badge>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
