"use client";
import { useActionState } from "react";
import { checkAllNowAction, updateCheckSettingsAction, updateReconsentPolicyAction } from "./actions";
import type { ReconsentPolicy } from "@/lib/alerts/policy";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Notice } from "@/components/ui/card";
import { ActionForm } from "@/components/ui/action-form";

type Limits = { minInterval: number; maxInterval: number; minKeepAlive: number; maxKeepAlive: number };

export function CheckSettingsForm({ slug, current, limits }: { slug: string; current: { checkIntervalMinutes: number; keepAliveDays: number }; limits: Limits }) {
  const [state, action, pending] = useActionState(updateCheckSettingsAction, {});
  // After a refused save the fields show exactly what was sent; otherwise the stored values.
  const value = (name: "checkIntervalMinutes" | "keepAliveDays") => (state.ok === false ? (state.values?.[name] ?? "") : String(current[name]));
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="slug" value={slug} />
      {state.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {state.ok === false ? <Notice tone="error">{state.message}</Notice> : null}
      <div key={`${state.ok}-${current.checkIntervalMinutes}-${current.keepAliveDays}-${JSON.stringify(state.values ?? {})}`} className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Check interval (minutes)"
          name="checkIntervalMinutes"
          inputMode="numeric"
          defaultValue={value("checkIntervalMinutes")}
          error={state.fieldErrors?.checkIntervalMinutes}
          hint={`${limits.minInterval} to ${limits.maxInterval} (24 hours). Each mailbox is tested once per interval, at its own moment within it.`}
        />
        <TextField
          label="Keep-alive age (days)"
          name="keepAliveDays"
          inputMode="numeric"
          defaultValue={value("keepAliveDays")}
          error={state.fieldErrors?.keepAliveDays}
          hint={`${limits.minKeepAlive} to ${limits.maxKeepAlive}. A grant unused this long is refreshed, far inside Microsoft's 90 days.`}
        />
      </div>
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save check settings"}</Button>
    </form>
  );
}

export function CheckAllNowForm({ slug, connected }: { slug: string; connected: number }) {
  return (
    <ActionForm action={checkAllNowAction} fields={{ slug }} className="space-y-3">
      {({ pending, state }) => (
        <>
          <Button type="submit" variant="secondary" disabled={pending || connected === 0}>{pending ? "Queuing…" : "Check all mailboxes now"}</Button>
          {state.ok && state.message ? <p role="status" className="text-sm text-green-800">{state.message}</p> : null}
        </>
      )}
    </ActionForm>
  );
}

type PolicyOption = { value: ReconsentPolicy; label: string; description: string };

export function ReconsentPolicyForm({ slug, current, options }: { slug: string; current: ReconsentPolicy; options: PolicyOption[] }) {
  const [state, action, pending] = useActionState(updateReconsentPolicyAction, {});
  const chosen = state.ok === false ? state.values?.policy : current;
  const error = state.fieldErrors?.policy;
  return (
    <form action={action} className="space-y-4" noValidate key={`${current}-${state.ok}-${state.values?.policy ?? ""}`}>
      <input type="hidden" name="slug" value={slug} />
      {state.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {state.ok === false && !error ? <Notice tone="error">{state.message}</Notice> : null}
      <fieldset className="space-y-3" aria-describedby={error ? "reconsent-policy-error" : undefined}>
        <legend className="sr-only">When a mailbox needs re-consent</legend>
        {options.map((o) => (
          <label key={o.value} className="flex items-start gap-2 text-sm">
            <input type="radio" name="policy" value={o.value} defaultChecked={chosen === o.value} className="mt-1 shrink-0" />
            <span><span className="font-medium">{o.label}</span><span className="block text-xs text-slate-600">{o.description}</span></span>
          </label>
        ))}
        {error ? <p id="reconsent-policy-error" role="alert" className="text-sm text-red-700">{error}</p> : null}
      </fieldset>
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Save re-consent policy"}</Button>
    </form>
  );
}
