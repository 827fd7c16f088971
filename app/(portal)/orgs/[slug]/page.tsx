import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { Card, EmptyState, Badge } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ROLE_LABELS } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Overview" };

export default async function OrgOverviewPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  return (
    <div className="grid gap-6 lg:grid-cols-3">
      <div className="lg:col-span-2">
        <EmptyState
          title="No mailboxes connected yet"
          action={ctx.can("members.invite") ? <ButtonLink href={`/orgs/${slug}/members`} variant="secondary">Invite your team</ButtonLink> : undefined}
        >
          <p>
            Connecting a mailbox takes three steps: register your organization&apos;s Azure app as an integration, grant consent, then connect
            each mailbox with &ldquo;Sign in with Microsoft&rdquo; or a consent link. Integrations arrive in the next release of this portal.
          </p>
        </EmptyState>
      </div>
      <Card title="This organization">
        <dl className="space-y-3 text-sm">
          <div><dt className="text-slate-600">Your role</dt><dd><Badge tone="blue">{ROLE_LABELS[ctx.role]}</Badge></dd></div>
          <div><dt className="text-slate-600">URL</dt><dd className="font-mono">/orgs/{ctx.org.slug}</dd></div>
          <div><dt className="text-slate-600">Microsoft tenant</dt><dd className="break-all font-mono text-xs">{ctx.org.tenantId}</dd></div>
          <div><dt className="text-slate-600">Created</dt><dd>{ctx.org.createdAt.toISOString().slice(0, 10)}</dd></div>
        </dl>
      </Card>
    </div>
  );
}
