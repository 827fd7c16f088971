import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listIntegrations } from "@/lib/integrations/integrations";
import { CLOUDS, type CloudId } from "@/lib/microsoft/clouds";
import { Card, EmptyState, Notice } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { IntegrationStatusBadges } from "@/components/integrations/status-badge";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ deleted?: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const integrations = await listIntegrations(await db(), ctx.org.id);
  const canWrite = ctx.can("integrations.write");
  return (
    <div className="space-y-6">
      {(await searchParams).deleted ? <Notice tone="success">Integration deleted.</Notice> : null}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="max-w-2xl text-sm text-slate-600">An integration is one Azure app registration of your organization. Mailboxes connect through it.</p>
        {canWrite ? <ButtonLink href={`/orgs/${slug}/integrations/new`}>New integration</ButtonLink> : null}
      </div>
      {integrations.length === 0 ? (
        <EmptyState title="No integrations yet" action={canWrite ? <ButtonLink href={`/orgs/${slug}/integrations/new`}>Register your Azure app</ButtonLink> : undefined}>
          {canWrite
            ? "The guided setup tells you exactly what to do in the Azure portal for your Microsoft cloud, and checks the result."
            : "An owner or admin of this org registers the org's Azure app here."}
        </EmptyState>
      ) : (
        <Card>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-600">
              <tr><th scope="col" className="py-2">Name</th><th scope="col">Cloud</th><th scope="col">Client ID</th><th scope="col">Status</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {integrations.map((i) => (
                <tr key={i.id}>
                  <td className="py-3"><Link href={`/orgs/${slug}/integrations/${i.id}`} className="font-medium text-brand-700 hover:underline">{i.name}</Link></td>
                  <td>{CLOUDS[i.cloud as CloudId]?.label ?? i.cloud}</td>
                  <td className="font-mono text-xs">{i.clientId}</td>
                  <td><IntegrationStatusBadges status={i.status} expiresAt={i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
