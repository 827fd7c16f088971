import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listIntegrationsWithHealth } from "@/lib/integrations/integration-list";
import { HEALTH_COUNT_LABELS, HEALTH_ORDER, exactTime, relativeTime } from "@/lib/checks/health-words";
import { diagnose } from "@/lib/diagnosis/catalog";
import { CLOUDS, type CloudId } from "@/lib/microsoft/clouds";
import { Card, EmptyState, Notice } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { IntegrationStatusBadges } from "@/components/integrations/status-badge";

export const metadata: Metadata = { title: "Integrations" };

export default async function IntegrationsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ deleted?: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const integrations = await listIntegrationsWithHealth(await db(), ctx.org.id);
  const now = new Date();
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
          <table className="w-full text-left text-sm" aria-label="Integrations">
            <thead className="text-xs uppercase text-slate-600 max-md:sr-only">
              <tr><th scope="col" className="py-2 pr-3">Name</th><th scope="col" className="pr-3">Mailboxes</th><th scope="col" className="pr-3">Credentials</th><th scope="col">Last credentials check</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {integrations.map((i) => {
                const check = i.credentialCheck;
                return (
                  <tr key={i.id} className="align-top max-md:block max-md:py-3">
                    <td className="py-3 pr-3 max-md:block max-md:py-0">
                      <Link href={`/orgs/${slug}/integrations/${i.id}`} className="font-medium text-brand-700 hover:underline">{i.name}</Link>
                      <div className="text-xs text-slate-600">{CLOUDS[i.cloud as CloudId]?.label ?? i.cloud}</div>
                      <div className="font-mono text-xs text-slate-600 wrap-anywhere">{i.clientId}</div>
                    </td>
                    <td className="py-3 pr-3 max-md:block max-md:py-1">
                      {i.mailboxes === 0 ? (
                        <span className="text-slate-600">None yet</span>
                      ) : (
                        <>
                          <Link href={`/orgs/${slug}/mailboxes`} className="text-brand-700 hover:underline">{i.mailboxes} mailbox{i.mailboxes === 1 ? "" : "es"}</Link>
                          <ul className="mt-1 flex flex-wrap gap-x-3 text-xs" aria-label={`Health of ${i.name}'s mailboxes`}>
                            {HEALTH_ORDER.filter((h) => i.health[h]).map((h) => (
                              <li key={h} className={h === "FAILING" ? "font-medium text-red-800" : h === "HEALTHY" ? "text-green-800" : "text-slate-700"}>{i.health[h]} {HEALTH_COUNT_LABELS[h].toLowerCase()}</li>
                            ))}
                          </ul>
                        </>
                      )}
                    </td>
                    <td className="py-3 pr-3 max-md:block max-md:py-1"><IntegrationStatusBadges status={i.status} expiresAt={i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt} /></td>
                    <td className="py-3 text-xs max-md:block max-md:py-0">
                      {check.at ? <time dateTime={check.at.toISOString()} title={exactTime(check.at)}>{relativeTime(check.at, now)}</time> : <span className="text-slate-600">Never</span>}
                      {check.failed ? (
                        <p className="mt-1 text-red-800 wrap-anywhere">
                          {check.failed.step} failed{check.failed.code ? `: ${diagnose(check.failed.code).title} (${check.failed.code})` : ""}
                        </p>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
