import Link from "next/link";
import type { SupportConnection, SupportCheck } from "@/lib/support/connection";
import { Card, Notice } from "@/components/ui/card";
import { LastFailureNotice } from "@/components/connections/failure-view";
import { HealthBadge, RelativeTime } from "@/components/connections/health-badge";
import { ChecksTable, HealthSummary } from "@/components/connections/health-panel";
import { CONSENT_LABELS, ConnectionStatusBadge, MailboxAddress, formatDate } from "@/components/connections/status";
import { displayStatus } from "@/lib/connections/connections";
import { actionLabel } from "@/lib/audit/action-labels";
import { detailEntries } from "@/lib/audit/audit-list";
import { exactTime } from "@/lib/checks/health-words";
import { formatDuration } from "@/lib/connections/step-view";
import { INACTIVITY_DAYS, inactivityDeadline } from "@/lib/connections/inactivity";
import { ConnectionTimeline, type TimelineParams } from "@/components/connections/timeline";
import type { TimelinePage } from "@/lib/connections/timeline";

// One connection's page for support staff: what it is, whether it works and why, its checks with
// their steps, what each code means, and the org's audit entries about it. Rendered from
// lib/support/connection.ts, whose select holds no token, no encrypted field and no consent link.

const STEP_LABELS: Record<string, string> = {
  "refresh-graph": "Token refresh (Graph)",
  "refresh-outlook": "Token refresh (Exchange)",
  "graph-me": "Graph: profile",
  "graph-inbox": "Graph: inbox",
  "graph-send": "Graph: send",
  imap: "IMAP sign-in",
  pop: "POP sign-in",
  smtp: "SMTP sign-in",
};
const STEP_STATUS: Record<string, { mark: string; label: string; cls: string }> = {
  ok: { mark: "✓", label: "OK", cls: "text-green-800" },
  failed: { mark: "✗", label: "Failed", cls: "text-red-800" },
  skipped: { mark: "–", label: "Skipped", cls: "text-slate-600" },
};
const OUTCOME = { PASSED: "Passed", DEGRADED: "Degraded", FAILED: "Failed" } as const;

const connections = (params: Record<string, string>) => `/support/connections?${new URLSearchParams(params).toString()}`;

export function SupportConnectionView({ detail, timeline, now }: { detail: SupportConnection; timeline: TimelinePage; now: Date }) {
  const timelineHref = (p: TimelineParams) => {
    const q = new URLSearchParams();
    if (p.kind) q.set("kind", p.kind);
    if (p.cursor) q.set("cursor", p.cursor);
    return `/support/connections/${detail.connection.id}${q.size ? `?${q}` : ""}#card-history`;
  };
  const { connection: c, checks, diagnoses, audit, lastFailure, healthDiagnosis, missingScopes } = detail;
  const status = displayStatus(c);
  const dies = inactivityDeadline(c.refreshTokenLastUsedAt);
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-600 wrap-anywhere">
          <Link href="/support/connections" className="hover:underline">Connections</Link> / <Link href={`/support/orgs/${c.org.slug}`} className="hover:underline">{c.org.name}</Link> /
        </p>
        <h1 className="text-xl font-semibold wrap-anywhere sm:text-2xl"><MailboxAddress address={c.mailbox} /></h1>
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <HealthBadge health={c.health} healthClass={c.healthClass} healthReason={c.healthReason} size="lg" />
          <span className="inline-flex items-center gap-1 text-xs text-slate-600">Consent <ConnectionStatusBadge status={status} /></span>
        </div>
        <p className="mt-2 text-sm text-slate-700">
          {c.mailboxKind === "SHARED" ? "Shared mailbox" : "User mailbox"}{c.displayName ? ` (${c.displayName})` : ""} of{" "}
          <Link className="text-brand-700 underline" href={`/support/orgs/${c.org.slug}`}>{c.org.name}</Link> through{" "}
          <Link className="text-brand-700 underline" href={connections({ integration: c.integration.id })}>{c.integration.name}</Link>
          <span className="text-slate-600"> ({c.integration.cloud})</span>
        </p>
        <p className="mt-1 text-sm"><Link className="text-brand-700 underline" href={connections({ org: c.org.slug })}>All of {c.org.name}&apos;s mailboxes</Link></p>
      </div>

      {status === "needs_reconsent" ? (
        <Notice tone="error" title="This mailbox must consent again">
          {c.statusReason ?? `The integration ${c.integration.name} changed (its scopes or endpoints) after this mailbox consented (version ${c.consentedConfigVersion}, now ${c.integration.configVersion}).`} An owner or admin of the org re-consents it, or sends its owner a consent link.
        </Notice>
      ) : null}

      <Card title="Health" description="Whether this mailbox works now, from its latest check and token refresh.">
        <HealthSummary connection={c} diagnosis={healthDiagnosis} now={now} />
      </Card>

      {lastFailure ? <LastFailureNotice failure={lastFailure} /> : null}

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Consent">
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-y-2 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
            <dt className="text-slate-600">Signed in as</dt><dd>{c.displayName ? `${c.displayName} · ` : ""}{c.upn}</dd>
            <dt className="text-slate-600">How</dt><dd>{CONSENT_LABELS[c.consentType]}</dd>
            <dt className="text-slate-600">When</dt><dd>{formatDate(c.connectedAt)}</dd>
            <dt className="text-slate-600">Tenant</dt><dd className="break-all font-mono text-xs"><Link className="text-brand-700 underline" href={connections({ q: c.tenantId })}>{c.tenantId}</Link></dd>
            <dt className="text-slate-600">Object ID</dt><dd className="break-all font-mono text-xs">{c.objectId}</dd>
            <dt className="text-slate-600">Integration version</dt><dd>consented for {c.consentedConfigVersion}, now {c.integration.configVersion}</dd>
          </dl>
        </Card>
        <Card title="Refresh grant" description="Stored encrypted; support never sees it.">
          <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-y-2 text-sm sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
            <dt className="text-slate-600">Issued</dt><dd>{formatDate(c.refreshTokenIssuedAt)}</dd>
            <dt className="text-slate-600">Last used</dt><dd>{formatDate(c.refreshTokenLastUsedAt)}</dd>
            <dt className="text-slate-600">Last refreshed</dt><dd>{formatDate(c.lastRefreshedAt)}</dd>
            <dt className="text-slate-600">Dies if unused</dt><dd>{dies ? `${formatDate(dies)} (${INACTIVITY_DAYS} days after last use)` : "—"}</dd>
          </dl>
        </Card>
      </div>

      <Card title="Scopes" description="What the integration asked for, and what Microsoft granted.">
        {c.requestedScopes.length === 0 && c.grantedScopes.length === 0 ? <p className="text-sm text-slate-600">No scopes recorded.</p> : (
          <div className="grid gap-4 sm:grid-cols-2">
            <div>
              <h3 className="text-sm font-semibold text-slate-800">Requested</h3>
              <ul aria-label="Scopes requested" className="mt-1 divide-y divide-slate-100 text-sm">
                {c.requestedScopes.map((s) => (
                  <li key={s} className="flex flex-wrap justify-between gap-2 py-1.5">
                    <code className="font-mono text-xs break-all">{s}</code>
                    <span className={`text-xs ${missingScopes.includes(s) ? "font-semibold text-amber-800" : "text-green-800"}`}>{missingScopes.includes(s) ? "Not granted" : "Granted"}</span>
                  </li>
                ))}
              </ul>
            </div>
            <div>
              <h3 className="text-sm font-semibold text-slate-800">Granted</h3>
              {c.grantedScopes.length === 0 ? <p className="mt-1 text-sm text-slate-600">None recorded.</p> : (
                <ul aria-label="Scopes granted" className="mt-1 divide-y divide-slate-100 text-sm">
                  {c.grantedScopes.map((s) => <li key={s} className="py-1.5"><code className="font-mono text-xs break-all">{s}</code></li>)}
                </ul>
              )}
            </div>
          </div>
        )}
      </Card>

      <Card title="History" description="Checks, token refreshes, mail bridge sessions, consent links mailed to heal it and alerts, newest first, with who or what caused each.">
        <ConnectionTimeline page={timeline} hrefFor={timelineHref} showActorNames now={now} />
      </Card>

      <Card title="Recent checks" description={`The last ${checks.length === 1 ? "check" : `${checks.length || ""} checks`}, scheduled or started with “Test now”, newest first, each with its steps.`}>
        <ChecksTable checks={checks} now={now} />
        {checks.length ? <CheckSteps checks={checks} /> : null}
      </Card>

      <Card title="Diagnoses" description="Every code this mailbox shows: what it means, its likely cause and the fix.">
        {diagnoses.length === 0 ? <p className="text-sm text-slate-600">No error code: nothing has failed in the checks kept.</p> : (
          <ul aria-label="Diagnoses" className="divide-y divide-slate-200 text-sm">
            {diagnoses.map((d) => (
              <li key={d.code} className="space-y-1 py-3">
                <p className="flex flex-wrap items-baseline gap-x-2"><span className="font-semibold">{d.title}</span><code className="font-mono text-xs wrap-anywhere">{d.code}</code><span className="text-xs text-slate-600">seen in {d.where.join(", ")}</span></p>
                <p className="text-slate-800">{d.meaning}</p>
                <p className="text-slate-700"><span className="font-medium">Likely cause: </span>{d.cause}</p>
                <p className="text-slate-700"><span className="font-medium">Fix: </span>{d.fix}</p>
                {d.docs ? <p><a className="text-brand-700 underline" href={d.docs} target="_blank" rel="noreferrer">Microsoft&apos;s documentation for {d.code}</a></p> : null}
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card title="Audit entries" description={`The org's audit log about this connection, newest first${audit.length >= 50 ? " (the last 50)" : ""}.`}>
        {audit.length === 0 ? <p className="text-sm text-slate-600">No entry yet.</p> : (
          <ul aria-label="Audit entries" className="divide-y divide-slate-200 text-sm">
            {audit.map((e) => (
              <li key={e.id} className="py-2">
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span className="font-medium">{actionLabel(e.action)}</span>
                  <span className="text-xs text-slate-600"><RelativeTime at={e.createdAt} now={now} /> · {exactTime(e.createdAt)}</span>
                </div>
                <p className="text-xs text-slate-600 wrap-anywhere">by {e.actorEmail ?? "Mailgrant (automatic)"}</p>
                {detailEntries(e.data).length ? (
                  <dl className="mt-1 grid grid-cols-[7rem_minmax(0,1fr)] gap-y-0.5 text-xs sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
                    {detailEntries(e.data).map((d) => (
                      <div key={d.key} className="contents"><dt className="text-slate-600">{d.key}</dt><dd>{Array.isArray(d.value) ? d.value.join(", ") : d.value}</dd></div>
                    ))}
                  </dl>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}

/** Each kept check's steps, folded: the table above says which failed, this says every step. */
function CheckSteps({ checks }: { checks: SupportCheck[] }) {
  return (
    <div className="mt-4 space-y-2">
      <h3 className="text-sm font-semibold text-slate-800">Steps</h3>
      {checks.map((k, i) => (
        <details key={k.id} className="rounded-md border border-slate-200 text-sm" open={i === 0}>
          <summary className="cursor-pointer px-3 py-2">{exactTime(k.startedAt)} · {OUTCOME[k.outcome]} · {k.steps.length} step{k.steps.length === 1 ? "" : "s"}</summary>
          {k.steps.length === 0 ? <p className="px-3 pb-2 text-xs text-slate-600">No steps recorded.</p> : (
            <ol aria-label={`Steps of the check at ${exactTime(k.startedAt)}`} className="divide-y divide-slate-100 border-t border-slate-200 px-3">
              {k.steps.map((s, j) => {
                const st = STEP_STATUS[s.status] ?? { mark: "○", label: s.status, cls: "text-slate-600" };
                return (
                  <li key={`${s.id}-${j}`} className="flex flex-wrap items-baseline justify-between gap-2 py-1.5 text-xs">
                    <span>{STEP_LABELS[s.id] ?? s.id}</span>
                    <span className="flex flex-wrap items-baseline gap-2">
                      <span className={`font-medium ${st.cls}`}><span aria-hidden="true">{st.mark} </span>{st.label}</span>
                      {s.code ? <code className="font-mono wrap-anywhere">{s.code}</code> : null}
                      {s.durationMs !== null ? <span className="tabular-nums text-slate-600">{formatDuration(s.durationMs)}</span> : null}
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </details>
      ))}
    </div>
  );
}
