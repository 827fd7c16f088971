import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { endpointsOf, getIntegration } from "@/lib/integrations/integrations";
import { CLOUDS, type CloudId } from "@/lib/microsoft/clouds";
import { delegatedScopes, type Purpose } from "@/lib/microsoft/scopes";
import type { CheckResult } from "@/lib/integrations/check-credentials";
import { Card, Notice } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { IntegrationStatusBadges } from "@/components/integrations/status-badge";
import { CheckResultView } from "@/components/integrations/check-result";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import { CheckButton, DeleteIntegrationForm, RotateCredentialForm } from "./integration-actions";
import { countConnections } from "@/lib/connections/connections";
import { signAdminConsentToken } from "@/lib/connections/links";
import { connectionRedirectUri, linkSigningSecret, publicUrl } from "@/lib/deployment";
import { AdminConsentForm } from "@/components/connections/connect-forms";
import { adminConsentAction } from "../../mailboxes/actions";
import { listAdminConsents } from "@/lib/connections/admin-consents";
import { CopyField } from "@/components/integrations/copy-field";
import { formatDate } from "@/components/connections/status";

export const metadata: Metadata = { title: "Integration" };

export default async function IntegrationPage({ params, searchParams }: { params: Promise<{ slug: string; id: string }>; searchParams: Promise<{ created?: string; updated?: string }> }) {
  const { slug, id } = await params;
  const flags = await searchParams;
  const ctx = await requireOrg(slug);
  const database = await db();
  const i = await getIntegration(database, ctx.org.id, id);
  if (!i) notFound();
  const [connections, adminConsents] = await Promise.all([
    countConnections(database, ctx.org.id, i.id),
    listAdminConsents(database, ctx.org.id, i.id),
  ]);
  const canConnect = ctx.can("connections.write");
  const adminConsentLink = canConnect ? `${publicUrl()}/admin-consent/${await signAdminConsentToken(linkSigningSecret(), { orgId: ctx.org.id, integrationId: i.id })}` : null;
  const cloud = CLOUDS[i.cloud as CloudId];
  const endpoints = endpointsOf(i);
  const scopes = delegatedScopes(i.cloud as CloudId, i.purposes as Purpose[], i.extraScopes);
  const canWrite = ctx.can("integrations.write");
  const expires = i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt;
  return (
    <div className="space-y-6">
      {flags.created ? <Notice tone="success" title="Integration saved">Now check the credentials: Mailgrant asks Microsoft for an app-only token, which proves the tenant, app, credential and cloud.</Notice> : null}
      {flags.updated === "reconsent" ? <Notice title="Saved: connected mailboxes must consent again">The change affects what mailboxes consented to.</Notice> : flags.updated ? <Notice tone="success">Saved.</Notice> : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h2 className="text-xl font-semibold">{i.name}</h2>
          <div className="mt-1"><IntegrationStatusBadges status={i.status} expiresAt={expires} /></div>
        </div>
        {canWrite ? <div className="flex gap-2"><CheckButton slug={slug} id={i.id} /><ButtonLink variant="secondary" href={`/orgs/${slug}/integrations/${i.id}/edit`}>Edit</ButtonLink></div> : null}
      </div>

      <Card title="Credentials check" description={i.lastCheckedAt ? `Last run ${i.lastCheckedAt.toISOString().slice(0, 16).replace("T", " ")} UTC.` : "Not run yet."}>
        {i.lastCheck ? <CheckResultView result={i.lastCheck as unknown as CheckResult} /> : <p className="text-sm text-slate-600">{canWrite ? "Press “Check credentials”." : "An owner or admin can run it."}</p>}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card
          title="Mailboxes"
          description={connections === 0 ? "No mailbox is connected through this integration yet." : `${connections} mailbox${connections === 1 ? "" : "es"} connected.`}
          actions={ctx.can("connections.connect_own") ? <ButtonLink href={`/orgs/${slug}/mailboxes?integration=${i.id}`}>Connect a mailbox</ButtonLink> : undefined}
        >
          <p className="text-sm text-slate-700">Mailboxes consent through this app&apos;s redirect URI, which must be registered in Azure (Authentication → Web):</p>
          <div className="mt-2"><CopyField label="Redirect URI" value={connectionRedirectUri()} /></div>
        </Card>
        <Card title="Admin consent" description="Consent once for the whole tenant, so mailbox owners are not asked (needed when user consent is turned off).">
          {adminConsents.length ? (
            <ul className="mb-3 divide-y divide-slate-100 text-sm">
              {adminConsents.map((a) => (
                <li key={a.id} className="py-1.5">
                  Tenant <code className="text-xs">{a.tenantId}</code>
                  {a.verification === "installed" ? <span className="ml-2 rounded bg-green-50 px-1.5 py-0.5 text-xs font-medium text-green-800 ring-1 ring-green-200">Verified</span> : <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-900 ring-1 ring-amber-200">Reported</span>}
                  <span className="block text-xs text-slate-600">
                    {a.verification === "installed" ? "Granted" : "Reported by Microsoft's redirect"} {formatDate(a.grantedAt)}{a.grantedByEmail ? ` (started by ${a.grantedByEmail})` : ""}{a.configVersion < i.configVersion ? " · the integration changed since: grant it again" : ""}
                  </span>
                  {a.verificationDetail ? <span className="block text-xs text-slate-600">{a.verificationDetail}</span> : null}
                </li>
              ))}
            </ul>
          ) : (
            <p className="mb-3 text-sm text-slate-600">Not granted through the portal yet.</p>
          )}
          {canConnect ? (
            <div className="space-y-3">
              <AdminConsentForm action={adminConsentAction} slug={slug} integrationId={i.id} />
              {adminConsentLink ? <CopyField label="Or send this link to a Microsoft 365 admin" value={adminConsentLink} /> : null}
            </div>
          ) : null}
        </Card>
      </div>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="App registration">
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere gap-y-2 text-sm">
            <dt className="text-slate-600">Cloud</dt><dd>{cloud?.label ?? i.cloud}</dd>
            <dt className="text-slate-600">Who signs in</dt><dd>{i.tenantMode === "single" ? "One organization" : i.tenantMode === "organizations" ? "Any organization" : "Work and personal accounts"}</dd>
            <dt className="text-slate-600">Tenant</dt><dd className="break-all font-mono text-xs">{i.tenant ?? "—"}</dd>
            <dt className="text-slate-600">Client ID</dt><dd className="break-all font-mono text-xs">{i.clientId}</dd>
            <dt className="text-slate-600">Credential</dt>
            <dd>{i.credentialType === "CERTIFICATE" ? `Certificate (thumbprint ${i.certificateThumbprint})` : "Client secret (set, write-only)"}{i.secretUpdatedAt ? `, updated ${i.secretUpdatedAt.toISOString().slice(0, 10)}` : ""}{expires ? `, expires ${expires.toISOString().slice(0, 10)}` : ""}</dd>
            <dt className="text-slate-600">Purposes</dt><dd>{(i.purposes as Purpose[]).map((p) => PURPOSE_LABELS[p]?.label ?? p).join(", ")}</dd>
          </dl>
        </Card>
        <Card title="Endpoints">
          <dl className="space-y-2 text-sm">
            {([["Authorize", endpoints.authorize], ["Token", endpoints.token], ["Admin consent", endpoints.adminConsent], ["Graph", endpoints.graphBase], ["IMAP", `${endpoints.imap.host}:${endpoints.imap.port}`], ["POP", `${endpoints.pop.host}:${endpoints.pop.port}`], ["SMTP", `${endpoints.smtp.host}:${endpoints.smtp.port}`]] as const).map(([k, val]) => (
              <div key={k}><dt className="text-slate-600">{k}</dt><dd className="break-all font-mono text-xs">{val}</dd></div>
            ))}
          </dl>
        </Card>
      </div>
      <Card title="Scopes">
        <ul className="divide-y divide-slate-100 text-sm">
          {scopes.scopes.map((s) => <li key={s.scope} className="flex flex-wrap justify-between gap-2 py-2"><code className="font-mono text-xs">{s.scope}</code><span className="text-xs text-slate-600">{s.meaning}</span></li>)}
        </ul>
      </Card>
      {canWrite ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Replace credential" description="A new secret or certificate applies to every connection of this integration.">
            <RotateCredentialForm slug={slug} id={i.id} clientId={i.clientId} />
          </Card>
          <Card title="Delete integration">
            <DeleteIntegrationForm slug={slug} id={i.id} name={i.name} connections={connections} />
          </Card>
        </div>
      ) : null}
    </div>
  );
}
