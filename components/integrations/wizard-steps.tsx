"use client";
import type { ReactNode } from "react";
import { CLOUDS, CLOUD_IDS, type CloudId } from "@/lib/microsoft/clouds";
import { PURPOSES, delegatedScopes, validateExtraScope, type Purpose } from "@/lib/microsoft/scopes";
import { TENANT_MODES, azureGuide, deriveEndpoints, validateTenant, type TenantMode, type WizardWarning } from "@/lib/microsoft/endpoints";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import { TextField } from "@/components/ui/field";
import { CredentialFields } from "./credential-fields";
import { CopyField } from "./copy-field";
import { TenantCloudHint } from "./tenant-cloud-hint";
import { WizardNotices } from "./wizard-notices";

export type WizardValues = {
  name: string; cloud: string; tenantMode: string; tenant: string; clientId: string; purposes: string[]; extraScopes: string;
  authorizeEndpoint: string; tokenEndpoint: string; acknowledged: string[]; credentialType: string; secretExpiresAt: string; certificatePem: string;
};

export type StepProps = {
  /** What the inputs showed first (defaults, or the echo of a failed save): uncontrolled inputs start from it. */
  initial: WizardValues;
  /** What the inputs hold now, read from the form on every change. */
  now: WizardValues;
  errors: Record<string, string>;
};

export const TENANT_MODE_TEXT: Record<TenantMode, { label: string; help: string }> = {
  single: { label: "One organization (single tenant)", help: "Only mailboxes of your own tenant. Azure: 'Accounts in this organizational directory only'." },
  organizations: { label: "Any organization (multi-tenant, work accounts)", help: "Mailboxes of other Microsoft 365 tenants too. Azure: 'Accounts in any organizational directory'." },
  common: { label: "Work and personal accounts", help: "Also personal Microsoft accounts. Azure: 'Accounts in any organizational directory and personal Microsoft accounts'." },
};

// Exchange set-up to-dos belong with the Azure steps; everything else with the choice it is about.
const TODO_CODES = new Set(["smtp-auth-disabled-by-default", "mail-protocol-enabled", "admin-consent-organizations"]);
const AUDIENCE_CODES = new Set(["common-outside-global", "multi-tenant-registration", "china-login-host"]);
export const noticeStep = (w: WizardWarning) => (TODO_CODES.has(w.code) ? 2 : AUDIENCE_CODES.has(w.code) ? 0 : 1);

export function current(now: WizardValues) {
  const cloud: CloudId = (CLOUD_IDS as readonly string[]).includes(now.cloud) ? (now.cloud as CloudId) : "global";
  const mode: TenantMode = (TENANT_MODES as readonly string[]).includes(now.tenantMode) ? (now.tenantMode as TenantMode) : "single";
  const purposes = now.purposes.filter((p): p is Purpose => (PURPOSES as readonly string[]).includes(p));
  return { cloud, mode, purposes };
}

const FieldError = ({ id, error }: { id: string; error?: string }) => (error ? <p id={id} role="alert" className="text-sm text-red-700">{error}</p> : null);
const choice = "flex gap-3 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50";

export function AudienceStep({ initial, now, errors, slug, notices, onUseCloud }: StepProps & { slug: string; notices: WizardWarning[]; onUseCloud: (c: CloudId) => void }) {
  const { mode } = current(now);
  return (
    <div className="space-y-6">
      <fieldset className="space-y-2" aria-describedby={errors.tenantMode ? "field-tenantMode-error" : undefined}>
        <legend className="text-sm font-medium">Who signs in</legend>
        {TENANT_MODES.map((m) => (
          <label key={m} className={choice}>
            <input type="radio" name="tenantMode" value={m} defaultChecked={initial.tenantMode === m} className="mt-1" />
            <span><span className="font-medium">{TENANT_MODE_TEXT[m].label}</span><span className="block text-xs text-slate-600">{TENANT_MODE_TEXT[m].help}</span></span>
          </label>
        ))}
        <FieldError id="field-tenantMode-error" error={errors.tenantMode} />
      </fieldset>
      <div className="max-w-md space-y-2">
        <TextField label={mode === "single" ? "Directory (tenant) ID or domain" : "Home tenant ID or domain (optional)"} name="tenant" defaultValue={initial.tenant} error={errors.tenant} autoComplete="off"
          hint={mode === "single" ? "Entra admin center → Overview → Tenant ID, or a verified domain such as contoso.onmicrosoft.com. Mailgrant looks up its cloud." : "The tenant where the app is registered; the credentials check uses it."} />
      </div>
      <TenantCloudHint slug={slug} tenant={now.tenant} cloud={now.cloud} onUseCloud={onUseCloud} />
      <fieldset className="space-y-2" aria-describedby={errors.cloud ? "field-cloud-error" : undefined}>
        <legend className="text-sm font-medium">Cloud</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {CLOUD_IDS.map((id) => (
            <label key={id} className={choice}>
              <input type="radio" name="cloud" value={id} defaultChecked={initial.cloud === id} className="mt-1" />
              <span><span className="font-medium">{CLOUDS[id].label}</span><span className="block text-xs text-slate-600">{CLOUDS[id].description}</span></span>
            </label>
          ))}
        </div>
        <FieldError id="field-cloud-error" error={errors.cloud} />
      </fieldset>
      <WizardNotices notices={notices} label="Notes on this choice" />
    </div>
  );
}

export function PurposeStep({ initial, now, errors, notices }: StepProps & { notices: WizardWarning[] }) {
  const { cloud, purposes } = current(now);
  const extra = now.extraScopes.split(/[\s,]+/).filter(Boolean).filter((s) => validateExtraScope(cloud, s).ok);
  const scopes = delegatedScopes(cloud, purposes, extra);
  return (
    <div className="space-y-6">
      <div className="max-w-xl">
        <TextField label="Integration name" name="name" defaultValue={initial.name} error={errors.name} placeholder="Helpdesk mail" hint="How your admins will recognise it, e.g. the software that uses these mailboxes." />
      </div>
      <fieldset aria-describedby={errors.purposes ? "field-purposes-error" : undefined}>
        <legend className="mb-2 text-sm font-medium">What the integration is for</legend>
        <div className="grid gap-2 sm:grid-cols-2">
          {PURPOSES.map((p) => (
            <label key={p} className={choice}>
              <input type="checkbox" name="purposes" value={p} defaultChecked={initial.purposes.includes(p)} className="mt-1" />
              <span><span className="font-medium">{PURPOSE_LABELS[p].label}</span><span className="block text-xs text-slate-600">{PURPOSE_LABELS[p].description}</span></span>
            </label>
          ))}
        </div>
        <div className="mt-2"><FieldError id="field-purposes-error" error={errors.purposes} /></div>
      </fieldset>
      <div className="max-w-xl">
        <TextField label="Extra scopes (optional)" name="extraScopes" defaultValue={initial.extraScopes} error={errors.extraScopes} hint="Space-separated, e.g. Calendars.Read." />
      </div>
      <WizardNotices notices={notices} label="Notes on these purposes" />
      <div>
        <h3 className="text-sm font-semibold">Scopes Mailgrant will request</h3>
        <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200 text-sm" aria-label="Requested scopes">
          {scopes.scopes.map((s) => <li key={s.scope} className="flex flex-wrap justify-between gap-2 px-3 py-2"><code className="break-all font-mono text-xs">{s.scope}</code><span className="text-xs text-slate-600">{s.meaning}</span></li>)}
        </ul>
      </div>
    </div>
  );
}

export function AzureStep({ now, redirectUri, notices }: { now: WizardValues; redirectUri: string; notices: WizardWarning[] }) {
  const { cloud, mode, purposes } = current(now);
  return (
    <div className="space-y-5">
      <CopyField label="Redirect URI (platform: Web)" value={redirectUri} />
      <ol className="list-decimal space-y-2 pl-5 text-sm">
        {azureGuide(cloud, mode, purposes, redirectUri).map((g) => <li key={g.step}><span className="font-medium break-words">{g.step}</span><span className="block text-slate-600">{g.detail}</span></li>)}
      </ol>
      {notices.length ? <div><h3 className="mb-2 text-sm font-semibold">Also in Exchange Online</h3><WizardNotices notices={notices} label="Exchange Online set-up" /></div> : null}
    </div>
  );
}

export function CredentialsStep({ initial, now, errors, editing, retype }: StepProps & { editing: boolean; retype: boolean }) {
  return (
    <div className="grid max-w-xl gap-4">
      <TextField label="Application (client) ID" name="clientId" defaultValue={initial.clientId} error={errors.clientId} autoComplete="off" hint="App registrations → your app → Overview." />
      {editing ? (
        <p className="text-sm text-slate-600">The credential is changed with &ldquo;Replace credential&rdquo; on the integration&apos;s page.</p>
      ) : (
        <CredentialFields clientId={now.clientId} errors={errors} defaults={initial} retype={retype} />
      )}
    </div>
  );
}

const Row = ({ term, children }: { term: string; children: ReactNode }) => (
  <><dt className="text-slate-600">{term}</dt><dd className="min-w-0 break-words">{children}</dd></>
);

export function ReviewStep({ initial, now, errors, editing, notices }: StepProps & { editing: boolean; notices: WizardWarning[] }) {
  const { cloud, mode, purposes } = current(now);
  const tenant = validateTenant(now.tenant);
  const endpoints = deriveEndpoints({ cloud, tenantMode: mode, tenant: mode === "single" ? (tenant.ok ? tenant.tenant : "your-tenant.onmicrosoft.com") : undefined });
  const scopes = delegatedScopes(cloud, purposes, now.extraScopes.split(/[\s,]+/).filter(Boolean).filter((s) => validateExtraScope(cloud, s).ok));
  const overrideOpen = Boolean(errors.authorizeEndpoint || errors.tokenEndpoint || initial.authorizeEndpoint || initial.tokenEndpoint);
  const blocking = notices.filter((w) => w.level !== "info");
  return (
    <div className="space-y-6">
      <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[11rem_1fr]" aria-label="What will be saved">
        <Row term="Name">{now.name || "—"}</Row>
        <Row term="Cloud">{CLOUDS[cloud].label}</Row>
        <Row term="Who signs in">{TENANT_MODE_TEXT[mode].label}</Row>
        <Row term="Tenant">{now.tenant || "—"}</Row>
        <Row term="Purposes">{purposes.map((p) => PURPOSE_LABELS[p].label).join(", ") || "—"}</Row>
        <Row term="Scopes"><span className="break-all font-mono text-xs">{scopes.authorizeScope}</span></Row>
        <Row term="Application (client) ID"><span className="font-mono text-xs">{now.clientId || "—"}</span></Row>
        {!editing ? <Row term="Credential">{now.credentialType === "CERTIFICATE" ? "Certificate" : "Client secret"}</Row> : null}
      </dl>
      <div>
        <h3 className="mb-2 text-sm font-semibold">Endpoints</h3>
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[11rem_1fr]">
          <Row term="Authorize"><span className="break-all font-mono text-xs">{endpoints.authorize}</span></Row>
          <Row term="Token"><span className="break-all font-mono text-xs">{endpoints.token}</span></Row>
          <Row term="Admin consent"><span className="break-all font-mono text-xs">{endpoints.adminConsent}</span></Row>
          <Row term="Graph"><span className="break-all font-mono text-xs">{endpoints.graphBase}</span></Row>
          <Row term="IMAP / POP / SMTP"><span className="break-all font-mono text-xs">{endpoints.imap.host}:{endpoints.imap.port} · {endpoints.pop.host}:{endpoints.pop.port} · {endpoints.smtp.host}:{endpoints.smtp.port}</span></Row>
        </dl>
        <details className="mt-3" open={overrideOpen}>
          <summary className="cursor-pointer text-sm font-medium">Advanced: override the authorize and token endpoints</summary>
          <p className="mt-2 text-xs text-slate-600">Only if you must use the exact v2.0 endpoints from your app&apos;s Endpoints tab. They are checked against the cloud and tenant above.</p>
          <div className="mt-3 grid gap-4">
            <TextField label="Authorize endpoint override" name="authorizeEndpoint" defaultValue={initial.authorizeEndpoint} error={errors.authorizeEndpoint} />
            <TextField label="Token endpoint override" name="tokenEndpoint" defaultValue={initial.tokenEndpoint} error={errors.tokenEndpoint} />
          </div>
        </details>
      </div>
      {blocking.length ? (
        <div className="space-y-2">
          <h3 className="text-sm font-semibold">Before you save</h3>
          <WizardNotices notices={blocking} label="Warnings to acknowledge" acknowledge acknowledged={initial.acknowledged} ackError={errors.acknowledged} />
          <FieldError id="field-acknowledged-error" error={errors.acknowledged} />
        </div>
      ) : null}
      {!editing ? <p className="text-sm text-slate-600">After saving, run the credentials check on the next page: Mailgrant asks Microsoft for an app-only token, which proves the tenant, app, credential and cloud.</p> : null}
    </div>
  );
}
