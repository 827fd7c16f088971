import { explainFailure, supportRows, type Failure } from "@/lib/connections/failure";
import { CopyField } from "@/components/integrations/copy-field";
import { Notice } from "@/components/ui/card";
import type { StoredFailure } from "@/lib/connections/connection-detail";

const CONSENT_REQUIRED = new Set(["AADSTS65001", "AADSTS90094", "consent_required"]);

export const needsAdminConsent = (f: Failure) => CONSENT_REQUIRED.has(f.code);

/**
 * One failure, explained from the diagnosis catalog: what happened, the likely cause and the
 * fix, plus what is specific to this attempt and the raw details for a support ticket.
 */
export function FailureView({ failure, redirectUri, adminConsentLink }: { failure: Failure; redirectUri?: string; adminConsentLink?: string }) {
  const d = explainFailure(failure);
  const details = failure.details ?? {};
  return (
    <div className="space-y-4">
      <div role="alert" className="space-y-2">
        <h1 className="text-xl font-semibold text-red-800">{d.title}</h1>
        {d.classLabel ? <p className="text-sm font-medium text-slate-900">Kind of failure: {d.classLabel}</p> : null}
        <p className="text-sm text-slate-800">{d.meaning}</p>
        {d.happened ? <p className="text-sm text-slate-800">{d.happened}</p> : null}
      </div>
      {failure.code === "mailbox_mismatch" ? (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">
          You signed in as <strong>{details.signedInAs}</strong>, but this is for <strong>{details.expected}</strong>. Nothing was stored.
        </p>
      ) : null}
      {failure.code === "tenant_mismatch" ? (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-4 py-3 text-sm text-amber-900">The portal asked tenant <code>{details.requested}</code>; the answer named <code>{details.returned}</code>.</p>
      ) : null}
      <dl className="space-y-2 text-sm">
        <div><dt className="font-medium text-slate-900">Likely cause</dt><dd className="text-slate-700">{d.cause}</dd></div>
        <div><dt className="font-medium text-slate-900">What to do</dt><dd className="text-slate-700">{d.fix}</dd></div>
      </dl>
      {failure.code === "AADSTS50011" && redirectUri ? <CopyField label="Redirect URI to add (Web platform)" value={redirectUri} /> : null}
      {needsAdminConsent(failure) && adminConsentLink ? (
        <div className="space-y-2 rounded-md border border-brand-100 bg-brand-50 px-4 py-3">
          <p className="text-sm font-semibold text-brand-800">An administrator must grant consent for your organization</p>
          <p className="text-sm text-brand-800">Send this link to a Global Administrator or Privileged Role Administrator of your Microsoft 365 tenant. After they accept, connect again: no consent prompt will appear.</p>
          <CopyField label="Admin consent link" value={adminConsentLink} />
        </div>
      ) : null}
      <details className="rounded-md border border-slate-200 px-4 py-2 text-sm">
        <summary className="cursor-pointer font-medium">Details for a support ticket</summary>
        <dl className="mt-2 grid grid-cols-[7rem_minmax(0,1fr)] sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere gap-y-1 break-all text-xs">
          {supportRows(failure).map(([k, v]) => <div key={k} className="contents"><dt className="text-slate-600">{k}</dt><dd className={k === "Message" ? "" : "font-mono"}>{v}</dd></div>)}
          {d.docs ? <><dt className="text-slate-600">Microsoft&apos;s page</dt><dd><a className="text-brand-700 underline" href={d.docs} rel="noreferrer" target="_blank">{d.docs}</a></dd></> : null}
        </dl>
      </details>
    </div>
  );
}

/** A connection's last failed token request: explained, classed in words, with what identifies it at Microsoft for a support ticket. */
export function LastFailureNotice({ failure }: { failure: StoredFailure }) {
  const d = explainFailure(failure);
  const rows = supportRows({ ...failure, timestamp: failure.timestamp ?? failure.at ?? "" });
  return (
    <Notice tone="error" title={`Last token request failed: ${d.title}`}>
      {d.classLabel ? <span className="block font-medium">Kind of failure: {d.classLabel}</span> : null}
      {d.happened ? <span className="block">{d.happened}</span> : null}
      <span className="block">{d.fix}</span>
      <dl aria-label="Details for a support ticket" className="mt-1 grid grid-cols-[7rem_minmax(0,1fr)] gap-y-0.5 break-all text-xs sm:grid-cols-[9rem_minmax(0,1fr)] [&_dd]:wrap-anywhere">
        {rows.map(([k, v]) => <div key={k} className="contents"><dt>{k}</dt><dd className="font-mono">{v}</dd></div>)}
      </dl>
    </Notice>
  );
}
