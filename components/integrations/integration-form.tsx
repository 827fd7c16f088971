"use client";
import { useActionState, useMemo, useState } from "react";
import { CLOUDS, CLOUD_IDS, type CloudId } from "@/lib/microsoft/clouds";
import { PURPOSES, delegatedScopes, validateExtraScope, type Purpose } from "@/lib/microsoft/scopes";
import { TENANT_MODES, azureGuide, configurationWarnings, deriveEndpoints, validateTenant, type TenantMode } from "@/lib/microsoft/endpoints";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import type { ActionState } from "@/lib/action-state";
import { TextField } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { CredentialFields } from "./credential-fields";
import { CopyField } from "./copy-field";

export type IntegrationDefaults = {
  name: string; cloud: CloudId; tenantMode: TenantMode; tenant: string; clientId: string; purposes: Purpose[]; extraScopes: string; authorizeEndpoint: string; tokenEndpoint: string;
};

const TENANT_MODE_TEXT: Record<TenantMode, { label: string; help: string }> = {
  single: { label: "One organization (single tenant)", help: "Only mailboxes of your own tenant. Azure: 'Accounts in this organizational directory only'." },
  organizations: { label: "Any organization (multi-tenant, work accounts)", help: "Mailboxes of other Microsoft 365 tenants too. Azure: 'Accounts in any organizational directory'." },
  common: { label: "Work and personal accounts", help: "Also personal Microsoft accounts. Azure: 'Accounts in any organizational directory and personal Microsoft accounts'." },
};

const Step = ({ n, title, children }: { n: number; title: string; children: React.ReactNode }) => (
  <section aria-labelledby={`step-${n}`} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
    <h2 id={`step-${n}`} className="mb-4 text-base font-semibold"><span className="mr-2 inline-flex h-6 w-6 items-center justify-center rounded-full bg-brand-600 text-xs text-white">{n}</span>{title}</h2>
    {children}
  </section>
);

export function IntegrationForm(props: { slug: string; redirectUri: string; defaults: IntegrationDefaults; action: (prev: ActionState, form: FormData) => Promise<ActionState>; integrationId?: string }) {
  const [state, formAction, pending] = useActionState(props.action, {});
  const v = state.values;
  const [cloud, setCloud] = useState<CloudId>((v?.cloud as CloudId) ?? props.defaults.cloud);
  const [mode, setMode] = useState<TenantMode>((v?.tenantMode as TenantMode) ?? props.defaults.tenantMode);
  const [purposes, setPurposes] = useState<Purpose[]>(props.defaults.purposes);
  const [extra, setExtra] = useState(v?.extraScopes ?? props.defaults.extraScopes);
  const [tenant, setTenant] = useState(v?.tenant ?? props.defaults.tenant);
  const [clientId, setClientId] = useState(v?.clientId ?? props.defaults.clientId);
  const errors = state.fieldErrors;
  const extraList = extra.split(/[\s,]+/).filter(Boolean);
  const scopes = useMemo(() => delegatedScopes(cloud, purposes, extraList.filter((s) => validateExtraScope(cloud, s).ok)), [cloud, purposes, extra]); // eslint-disable-line react-hooks/exhaustive-deps
  const warnings = configurationWarnings({ cloud, tenantMode: mode, purposes });
  // Preview with a placeholder tenant until what is typed is a valid tenant id or domain.
  const previewTenant = validateTenant(tenant);
  const endpoints = deriveEndpoints({ cloud, tenantMode: mode, tenant: mode === "single" ? (previewTenant.ok ? previewTenant.tenant : "your-tenant.onmicrosoft.com") : undefined });
  const guide = azureGuide(cloud, mode, purposes, props.redirectUri);
  const editing = Boolean(props.integrationId);

  return (
    <form action={formAction} className="space-y-6" noValidate>
      <input type="hidden" name="slug" value={props.slug} />
      {props.integrationId ? <input type="hidden" name="id" value={props.integrationId} /> : null}
      {state.message && state.ok === false ? <Notice tone="error" title={state.message}>{errors ? <ul className="list-disc pl-5">{Object.values(errors).map((e) => <li key={e}>{e}</li>)}</ul> : null}</Notice> : null}

      <Step n={1} title="Microsoft cloud and tenant">
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">Cloud</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {CLOUD_IDS.map((id) => (
              <label key={id} className="flex gap-3 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50">
                <input type="radio" name="cloud" value={id} checked={cloud === id} onChange={() => setCloud(id)} className="mt-1" />
                <span><span className="font-medium">{CLOUDS[id].label}</span><span className="block text-xs text-slate-600">{CLOUDS[id].description}</span></span>
              </label>
            ))}
          </div>
          {errors?.cloud ? <p role="alert" className="text-sm text-red-700">{errors.cloud}</p> : null}
        </fieldset>
        <fieldset className="mt-5 space-y-2">
          <legend className="text-sm font-medium">Who signs in</legend>
          {TENANT_MODES.map((m) => (
            <label key={m} className="flex gap-3 text-sm">
              <input type="radio" name="tenantMode" value={m} checked={mode === m} onChange={() => setMode(m)} className="mt-1" />
              <span><span className="font-medium">{TENANT_MODE_TEXT[m].label}</span><span className="block text-xs text-slate-600">{TENANT_MODE_TEXT[m].help}</span></span>
            </label>
          ))}
        </fieldset>
        <div className="mt-5 max-w-md">
          <TextField label={mode === "single" ? "Directory (tenant) ID or domain" : "Home tenant ID or domain (optional)"} name="tenant" value={tenant} onChange={(e) => setTenant(e.target.value)} error={errors?.tenant}
            hint={mode === "single" ? "Entra admin center → Overview → Tenant ID, or a verified domain such as contoso.onmicrosoft.com." : "The tenant where the app is registered; the credentials check uses it."} />
        </div>
      </Step>

      <Step n={2} title="What the integration is for">
        <div className="grid gap-2 sm:grid-cols-2">
          {PURPOSES.map((p) => (
            <label key={p} className="flex gap-3 rounded-md border border-slate-200 p-3 text-sm has-[:checked]:border-brand-600">
              <input type="checkbox" name="purposes" value={p} checked={purposes.includes(p)} onChange={(e) => setPurposes((cur) => (e.target.checked ? [...cur, p] : cur.filter((x) => x !== p)))} className="mt-1" />
              <span><span className="font-medium">{PURPOSE_LABELS[p].label}</span><span className="block text-xs text-slate-600">{PURPOSE_LABELS[p].description}</span></span>
            </label>
          ))}
        </div>
        {errors?.purposes ? <p role="alert" className="mt-2 text-sm text-red-700">{errors.purposes}</p> : null}
        <div className="mt-4 max-w-xl">
          <TextField label="Extra scopes (optional)" name="extraScopes" value={extra} onChange={(e) => setExtra(e.target.value)} error={errors?.extraScopes} hint="Space-separated, e.g. Calendars.Read." />
        </div>
        {warnings.length ? (
          <ul className="mt-4 space-y-2" aria-label="Configuration warnings">
            {warnings.map((w) => <li key={w.code}><Notice tone={w.level === "error" ? "error" : "info"}>{w.message}</Notice></li>)}
          </ul>
        ) : null}
        <h3 className="mt-5 text-sm font-semibold">Scopes Mailgrant will request</h3>
        <ul className="mt-2 divide-y divide-slate-100 rounded-md border border-slate-200 text-sm" aria-label="Requested scopes">
          {scopes.scopes.map((s) => <li key={s.scope} className="flex flex-wrap justify-between gap-2 px-3 py-2"><code className="font-mono text-xs">{s.scope}</code><span className="text-xs text-slate-600">{s.meaning}</span></li>)}
        </ul>
      </Step>

      <Step n={3} title="Register the app in the Azure portal">
        <CopyField label="Redirect URI (platform: Web)" value={props.redirectUri} />
        <ol className="mt-4 list-decimal space-y-2 pl-5 text-sm">
          {guide.map((g) => <li key={g.step}><span className="font-medium">{g.step}</span><span className="block text-slate-600">{g.detail}</span></li>)}
        </ol>
      </Step>

      <Step n={4} title={editing ? "Name and app" : "Name, app and credential"}>
        <div className="grid max-w-xl gap-4">
          <TextField label="Integration name" name="name" defaultValue={v?.name ?? props.defaults.name} error={errors?.name} placeholder="Helpdesk mail" />
          <TextField label="Application (client) ID" name="clientId" value={clientId} onChange={(e) => setClientId(e.target.value)} error={errors?.clientId} hint="App registrations → your app → Overview." />
          {editing ? <p className="text-sm text-slate-600">The credential is changed with &ldquo;Replace credential&rdquo; on the integration&apos;s page.</p> : <CredentialFields clientId={clientId} errors={errors} />}
        </div>
      </Step>

      <Step n={5} title="Endpoints">
        <dl className="grid gap-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Authorize</dt><dd className="break-all font-mono text-xs">{endpoints.authorize}</dd>
          <dt className="text-slate-600">Token</dt><dd className="break-all font-mono text-xs">{endpoints.token}</dd>
          <dt className="text-slate-600">Admin consent</dt><dd className="break-all font-mono text-xs">{endpoints.adminConsent}</dd>
          <dt className="text-slate-600">Graph</dt><dd className="break-all font-mono text-xs">{endpoints.graphBase}</dd>
          <dt className="text-slate-600">IMAP / POP / SMTP</dt><dd className="font-mono text-xs">{endpoints.imap.host}:{endpoints.imap.port} · {endpoints.pop.host}:{endpoints.pop.port} · {endpoints.smtp.host}:{endpoints.smtp.port}</dd>
        </dl>
        {endpoints.notes.map((n) => <p key={n} className="mt-2 text-xs text-amber-900">{n}</p>)}
        <details className="mt-4">
          <summary className="cursor-pointer text-sm font-medium">Advanced: override the authorize and token endpoints</summary>
          <p className="mt-2 text-xs text-slate-600">Only if you must use the exact v2.0 endpoints from your app&apos;s Endpoints tab. They are checked against the cloud and tenant above.</p>
          <div className="mt-3 grid gap-4">
            <TextField label="Authorize endpoint override" name="authorizeEndpoint" defaultValue={v?.authorizeEndpoint ?? props.defaults.authorizeEndpoint} error={errors?.authorizeEndpoint} />
            <TextField label="Token endpoint override" name="tokenEndpoint" defaultValue={v?.tokenEndpoint ?? props.defaults.tokenEndpoint} error={errors?.tokenEndpoint} />
          </div>
        </details>
      </Step>

      <Button type="submit" disabled={pending}>{pending ? "Saving…" : editing ? "Save changes" : "Save integration"}</Button>
    </form>
  );
}
