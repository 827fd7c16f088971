import type { Metadata } from "next";
import { AutoRefresh } from "@/components/ui/auto-refresh";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getConnectionDetail } from "@/lib/connections/connection-detail";
import { INACTIVITY_DAYS } from "@/lib/connections/inactivity";
import { scopeName } from "@/lib/connections/granted-scopes";
import { Card, Notice } from "@/components/ui/card";
import { LastFailureNotice } from "@/components/connections/failure-view";
import { DisconnectForm, ReconsentForm, RefreshNowForm } from "@/components/connections/connect-forms";
import { appKeyring } from "@/lib/deployment";
import { TestPanel } from "@/components/connections/test-panel";
import { HealthBadge } from "@/components/connections/health-badge";
import { HealthSummary } from "@/components/connections/health-panel";
import { ConnectionTimeline, type TimelineParams } from "@/components/connections/timeline";
import { CheckDurations } from "@/components/connections/check-durations";
import { connectionTimeline, parseTimelineQuery } from "@/lib/connections/timeline";
import { checkDurationChart } from "@/lib/checks/check-durations";
import { CONSENT_LABELS, ConnectionStatusBadge, MailboxAddress, formatDate } from "@/components/connections/status";
import { alertsForConnection } from "@/lib/alerts/history";
import { ConnectionAlerts } from "@/components/alerts/connection-alerts";
import { disconnectAction, reconsentAction, refreshNowAction } from "../actions";
import { BridgeCredentialList, CreateBridgeCredentialForm } from "@/components/connections/bridge-credentials";
import { listBridgeCredentials } from "@/lib/bridge/credentials";
import { BRIDGE_PROTOCOLS } from "@/lib/bridge/protocols";
import { deploymentBridgeSettings } from "@/lib/deployment";
import { createBridgeCredentialAction, revokeBridgeCredentialAction } from "./bridge-actions";

export const metadata: Metadata = { title: "Mailbox" };

export default async function MailboxPage({ params, searchParams }: { params: Promise<{ slug: string; id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { slug, id } = await params;
  const flags = await searchParams;
  const ctx = await requireOrg(slug);
  const prisma = await db();
  const detail = await getConnectionDetail(prisma, appKeyring(), ctx.org.id, id);
  if (!detail) notFound();
  const now = new Date();
  const canWrite = ctx.can("connections.write");
  const [alerts, timeline, chart, bridgeCredentials] = await Promise.all([
    alertsForConnection(prisma, ctx.org.id, detail.connection.id, { limit: 20 }),
    connectionTimeline(prisma, ctx.org.id, detail.connection.id, parseTimelineQuery(flags)),
    checkDurationChart(prisma, ctx.org.id, detail.connection.id, now),
    canWrite ? listBridgeCredentials(prisma, ctx.org.id, detail.connection.id) : [],
  ]);
  const { connection: c, status, tokens, lastFailure, lastTest, diesAt: dies, healthDiagnosis } = detail;
  const missing = detail.missingScopes;
  const historyHref = (p: TimelineParams) => {
    const q = new URLSearchParams();
    if (p.kind) q.set("kind", p.kind);
    if (p.cursor) q.set("cursor", p.cursor);
    return `/orgs/${slug}/mailboxes/${c.id}${q.size ? `?${q}` : ""}#card-history`;
  };
  return (
    <div className="space-y-6">
      {flags.connected ? <Notice tone="success" title={`${c.mailbox} is connected`}>The refresh grant is stored encrypted.</Notice> : null}
      {status === "needs_reconsent" ? (
        <Notice tone="error" title="This mailbox must consent again">
          {c.statusReason ?? `The integration ${c.integration.name} changed (its scopes or endpoints) after this mailbox consented, so the grant may not cover what it now needs.`} {ctx.can("connections.write") ? "Use “Re-consent with Microsoft” below." : "Ask an owner or admin to re-consent it."}
        </Notice>
      ) : null}
      <div className="flex flex-wrap items-start justify-between gap-3">
        {/* A long tenant domain breaks inside rather than push the page wider than a phone. */}
        <div className="min-w-0">
          <p className="text-sm text-slate-600"><Link href={`/orgs/${slug}/mailboxes`} className="hover:underline">Mailboxes</Link> /</p>
          <h2 className="text-xl font-semibold wrap-anywhere"><MailboxAddress address={c.mailbox} /></h2>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} size="lg" />
            <span className="inline-flex items-center gap-1 text-xs text-slate-600">Consent <ConnectionStatusBadge status={status} /></span>
          </div>
          <p className="mt-1 text-sm text-slate-600">{c.mailboxKind === "SHARED" ? "Shared mailbox" : "User mailbox"} through <Link className="text-brand-700 underline" href={`/orgs/${slug}/integrations/${c.integration.id}`}>{c.integration.name}</Link></p>
        </div>
      </div>

      <Card title="Health" description="Whether this mailbox works now, from its latest check and token refresh.">
        <HealthSummary connection={c} diagnosis={healthDiagnosis} now={now} />
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Consent">
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] sm:grid-cols-[10rem_minmax(0,1fr)] [&_dd]:wrap-anywhere gap-y-2 text-sm">
            <dt className="text-slate-600">Signed in as</dt><dd>{c.displayName ? `${c.displayName} · ` : ""}{c.upn}</dd>
            <dt className="text-slate-600">How</dt><dd>{CONSENT_LABELS[c.consentType]}</dd>
            <dt className="text-slate-600">When</dt><dd>{formatDate(c.connectedAt)}</dd>
            <dt className="text-slate-600">Tenant</dt><dd className="break-all font-mono text-xs">{c.tenantId}</dd>
            <dt className="text-slate-600">Object ID</dt><dd className="break-all font-mono text-xs">{c.objectId}</dd>
          </dl>
        </Card>
        <Card title="Refresh grant" description="Stored encrypted; never shown.">
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] sm:grid-cols-[10rem_minmax(0,1fr)] [&_dd]:wrap-anywhere gap-y-2 text-sm">
            <dt className="text-slate-600">Issued</dt><dd>{formatDate(c.refreshTokenIssuedAt)}</dd>
            <dt className="text-slate-600">Last used</dt><dd>{formatDate(c.refreshTokenLastUsedAt)}</dd>
            <dt className="text-slate-600">Dies if unused</dt><dd>{dies ? `${formatDate(dies)} (${INACTIVITY_DAYS} days after last use)` : "—"}</dd>
          </dl>
        </Card>
      </div>

      {lastFailure ? <LastFailureNotice failure={lastFailure} /> : null}

      <Card title="Connection test" description="Gets fresh tokens and signs in to each protocol the integration is for, step by step.">
        {ctx.can("connections.write") ? (
          <TestPanel slug={slug} id={c.id} initialRun={lastTest} canSend={c.integration.purposes.some((p) => p === "graph-send" || p === "smtp")} />
        ) : lastTest ? <p className="text-sm text-slate-700">Last test: {lastTest.ok ? "all steps passed" : "some steps failed"}.</p> : <p className="text-sm text-slate-600">Not tested yet.</p>}
      </Card>

      <Card title="Check durations" description="How long each protocol took in the last 7 days of checks, and which runs failed.">
        <CheckDurations chart={chart} />
      </Card>

      <Card title="Token status" description="Claims of the cached access tokens; the tokens themselves are never shown." actions={ctx.can("connections.write") ? <RefreshNowForm action={refreshNowAction} slug={slug} id={c.id} /> : undefined}>
        {tokens.length === 0 ? <p className="text-sm text-slate-600">No access token cached.</p> : (
          <div className="grid gap-4 md:grid-cols-2">
            {tokens.map((t) => (
              <div key={t.resource} className="rounded-md border border-slate-200 p-3" aria-label={`${t.resource === "graph" ? "Microsoft Graph" : "Exchange Online"} token`} role="group">
                <h3 className="text-sm font-semibold">{t.resource === "graph" ? "Microsoft Graph" : "Exchange Online (IMAP/POP/SMTP)"}</h3>
                <p className="text-xs text-slate-600">Obtained {formatDate(t.obtainedAt)} · expires {formatDate(t.expiresAt)}</p>
                {t.claims.readable ? (
                  <dl className="mt-2 grid grid-cols-[5rem_minmax(0,1fr)] gap-y-1 break-all text-xs">
                    {([["aud", t.claims.aud], ["scp", t.claims.scp], ["roles", t.claims.roles?.join(" ")], ["tid", t.claims.tid], ["oid", t.claims.oid], ["upn", t.claims.upn], ["iat", t.claims.iat ? formatDate(new Date(t.claims.iat * 1000)) : undefined], ["exp", t.claims.exp ? formatDate(new Date(t.claims.exp * 1000)) : undefined]] as const)
                      .filter(([, v]) => v)
                      .map(([k, v]) => <div key={k} className="contents"><dt className="font-mono text-slate-600">{k}</dt><dd className="font-mono">{v}</dd></div>)}
                  </dl>
                ) : <p className="mt-2 text-xs text-slate-700">{t.claims.reason}</p>}
              </div>
            ))}
          </div>
        )}
      </Card>

      <Card title="Scopes" description="What the integration asked for, and what Microsoft granted.">
        <ul className="divide-y divide-slate-100 text-sm">
          {c.requestedScopes.map((s) => {
            const isMissing = missing.includes(s);
            return (
              <li key={s} className="flex flex-wrap justify-between gap-2 py-2">
                <code className="font-mono text-xs">{s}</code>
                <span className={`text-xs ${isMissing ? "font-semibold text-amber-800" : "text-green-800"}`}>{isMissing ? "Not granted" : "Granted"}</span>
              </li>
            );
          })}
        </ul>
        {missing.length ? <p className="mt-3 text-sm text-amber-900">Missing: {missing.map(scopeName).join(", ")}. Add them to the app&apos;s API permissions in Azure (and grant admin consent if your tenant requires it), then re-consent.</p> : null}
      </Card>

      <Card title="History" description="Checks, token refreshes, mail bridge sessions, consent links mailed to heal it and alerts, newest first, with who or what caused each.">
        <ConnectionTimeline page={timeline} hrefFor={historyHref} showActorNames now={now} />
      </Card>

      {canWrite ? (
        <Card title="Mail bridge" description="For printers, scanners and old apps that only know a username and password: they sign in to Mailgrant's bridge, which signs in to Microsoft 365 for them with this mailbox's grant (SMTP Basic authentication ends at Microsoft in December 2026).">
          <div className="grid gap-6 lg:grid-cols-2">
            <BridgeCredentialList
              slug={slug}
              revokeAction={revokeBridgeCredentialAction}
              credentials={bridgeCredentials}
            />
            <CreateBridgeCredentialForm
              action={createBridgeCredentialAction}
              slug={slug}
              connectionId={c.id}
              mailbox={c.mailbox}
              protocols={BRIDGE_PROTOCOLS.filter((p) => c.integration.purposes.includes(p))}
              settings={deploymentBridgeSettings()}
              credentials={bridgeCredentials}
            />
          </div>
        </Card>
      ) : null}

      <Card title="Alerts" description={<>What the org&apos;s notification channels were told about this mailbox, newest first (last 20).{ctx.can("org.settings") ? <> Channels are set up on <Link className="text-brand-700 underline" href={`/orgs/${slug}/settings#notifications`}>Settings</Link>.</> : null}</>}>
        <ConnectionAlerts alerts={alerts} now={now} />
      </Card>

      {canWrite ? (
        <div className="grid gap-6 lg:grid-cols-2">
          <Card title="Re-consent" description="Sign in again as this mailbox (or its delegate); Microsoft shows the consent screen and the grant is replaced in place. If you cannot sign in as it, send its owner a new consent link from the Mailboxes page.">
            <ReconsentForm action={reconsentAction} slug={slug} id={c.id} />
          </Card>
          <Card title="Disconnect" description="Deletes the stored grant and cached tokens. The app's consent at Microsoft stays until removed there.">
            <DisconnectForm action={disconnectAction} slug={slug} id={c.id} mailbox={c.mailbox} />
          </Card>
        </div>
      ) : null}
      <AutoRefresh />
    </div>
  );
}
