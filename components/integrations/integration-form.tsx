"use client";
import { useActionState, useCallback, useEffect, useRef, useState, useSyncExternalStore, type KeyboardEvent } from "react";
import type { CloudId } from "@/lib/microsoft/clouds";
import type { TenantMode } from "@/lib/microsoft/endpoints";
import type { Purpose } from "@/lib/microsoft/scopes";
import { WIZARD_STEPS, orderedNotices, stepOfField, wizardErrors, type RawForm } from "@/lib/integrations/settings-rules";
import type { ActionState } from "@/lib/action-state";
import { Button } from "@/components/ui/button";
import { AudienceStep, AzureStep, CredentialsStep, PurposeStep, ReviewStep, current, noticeStep, type WizardValues } from "./wizard-steps";
import { WizardProgress } from "./wizard-progress";

export type IntegrationDefaults = {
  name: string; cloud: CloudId; tenantMode: TenantMode; tenant: string; clientId: string; purposes: Purpose[]; extraScopes: string; authorizeEndpoint: string; tokenEndpoint: string;
};

type Props = {
  slug: string;
  redirectUri: string;
  defaults: IntegrationDefaults;
  action: (prev: ActionState, form: FormData) => Promise<ActionState>;
  integrationId?: string;
  /** The deployment's custom-host policy, so the browser judges endpoint overrides as the server will. */
  allowCustomHosts?: boolean;
};

/**
 * The integration wizard: one form, submitted once at the end, shown one step at a time. Every
 * step stays in the DOM (hidden), so the server action receives every field; the inputs are
 * uncontrolled, so typed text survives hydration and a failed save shows exactly what was sent.
 */
export function IntegrationForm(props: Props) {
  const [state, formAction, pending] = useActionState(props.action, {});
  // A new answer remounts the form from its echo, so what the inputs show is what was submitted.
  return <Wizard key={JSON.stringify(state)} {...props} state={state} formAction={formAction} pending={pending} />;
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));
const many = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function toValues(raw: RawForm): WizardValues {
  return {
    name: one(raw.name), cloud: one(raw.cloud), tenantMode: one(raw.tenantMode), tenant: one(raw.tenant), clientId: one(raw.clientId),
    purposes: many(raw.purposes), extraScopes: one(raw.extraScopes), authorizeEndpoint: one(raw.authorizeEndpoint), tokenEndpoint: one(raw.tokenEndpoint),
    acknowledged: many(raw.acknowledged), credentialType: one(raw.credentialType) || "SECRET", secretExpiresAt: one(raw.secretExpiresAt), certificatePem: one(raw.certificatePem),
  };
}

/** The echo of a failed save (a checkbox ticked once comes back as a value, several times as a list). */
function initialValues(defaults: IntegrationDefaults, state: ActionState): WizardValues {
  if (!state.values) return toValues({ ...defaults, acknowledged: [] });
  const raw: RawForm = { ...state.values, ...state.lists };
  return toValues(raw);
}

function readForm(form: HTMLFormElement): RawForm {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new FormData(form).entries()) {
    if (typeof v !== "string") continue;
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  // Checkbox groups with nothing ticked are absent from FormData; the wizard needs them empty.
  out.purposes = many(out.purposes);
  out.acknowledged = many(out.acknowledged);
  return out;
}

const noSubscription = () => () => {};
const firstErrorStep = (errors: Record<string, string>) => Math.min(...Object.keys(errors).map(stepOfField));
const fieldsOf = (step: number): readonly string[] => WIZARD_STEPS[step]!.fields;

function Wizard({ slug, redirectUri, defaults, integrationId, allowCustomHosts = false, state, formAction, pending }: Props & { state: ActionState; formAction: (form: FormData) => void; pending: boolean }) {
  const editing = Boolean(integrationId);
  const [initial] = useState(() => initialValues(defaults, state));
  const serverErrors = state.fieldErrors ?? {};
  const [now, setNow] = useState<WizardValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>(serverErrors);
  const [step, setStep] = useState(() => (Object.keys(serverErrors).length ? firstErrorStep(serverErrors) : 0));
  // A failed save or a saved integration has been through every step; a new one is walked in order.
  const [reached, setReached] = useState(() => (state.values || editing ? WIZARD_STEPS.length - 1 : 0));
  // What to focus after the next render: a field with an error, or the new step's heading.
  const [focus, setFocus] = useState<string | null>(() => (Object.keys(serverErrors).length ? Object.keys(serverErrors).sort((a, b) => stepOfField(a) - stepOfField(b))[0]! : null));
  const formRef = useRef<HTMLFormElement>(null);
  const last = WIZARD_STEPS.length - 1;
  const ctx = { allowCustomHosts, withCredential: !editing };

  // Until the page hydrates, the step buttons can do nothing; they say so by being disabled.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const refresh = useCallback(() => {
    if (formRef.current) setNow(toValues(readForm(formRef.current)));
  }, []);
  useEffect(() => {
    // Text typed before hydration is in the DOM, not in React state yet.
    refresh();
  }, [refresh]);

  useEffect(() => {
    const form = formRef.current;
    if (!focus || !form) return;
    const section = form.querySelector<HTMLElement>(`[data-step="${step}"]`);
    let el: HTMLElement | null = null;
    if (focus === "heading") el = section?.querySelector("h2") ?? null;
    else if (focus === "summary") el = form.querySelector("#wizard-errors");
    else if (focus === "acknowledged") el = section?.querySelector('input[name="acknowledged"]:not(:checked)') ?? null;
    else el = section?.querySelector(`[name="${focus}"]:checked`) ?? section?.querySelector(`[name="${focus}"]`) ?? null;
    el ??= form.querySelector("#wizard-errors") ?? section?.querySelector("h2") ?? null;
    const details = el?.closest("details");
    if (details) details.open = true;
    el?.focus();
    setFocus(null);
  }, [focus, step]);

  const errorsNow = () => (formRef.current ? wizardErrors(readForm(formRef.current), ctx) : {});

  /** Validates steps from..to-1 and moves to `to`, or stops at the first step with errors. */
  const goTo = (to: number) => {
    if (to <= step) {
      setStep(to);
      setFocus("heading");
      return;
    }
    const all = errorsNow();
    for (let s = step; s < to; s++) {
      const here = Object.fromEntries(Object.entries(all).filter(([f]) => fieldsOf(s).includes(f)));
      if (Object.keys(here).length) {
        setErrors(here);
        setStep(s);
        setFocus(Object.keys(here)[0]!);
        return;
      }
    }
    setErrors({});
    setStep(to);
    setReached((r) => Math.max(r, to));
    setFocus("heading");
  };

  const onChange = (e: { target: EventTarget }) => {
    const form = formRef.current;
    if (!form) return;
    const raw = readForm(form);
    setNow(toValues(raw));
    // A shown error clears (or updates) as soon as its field changes.
    const name = (e.target as HTMLInputElement).name;
    if (name && name in errors) {
      const fresh = wizardErrors(raw, ctx);
      setErrors((cur) => {
        const next = { ...cur };
        if (fresh[name]) next[name] = fresh[name];
        else delete next[name];
        return next;
      });
    }
  };

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    // Enter moves on one step instead of submitting the whole form from the middle of it.
    if (e.key !== "Enter" || e.nativeEvent.isComposing || !(e.target instanceof HTMLInputElement)) return;
    e.preventDefault();
    if (step < last) goTo(step + 1);
    else formRef.current?.requestSubmit();
  };

  const onSubmit = (e: { preventDefault: () => void }) => {
    const all = errorsNow();
    if (!Object.keys(all).length) return;
    e.preventDefault();
    const s = firstErrorStep(all);
    setErrors(all);
    setStep(s);
    setFocus(Object.keys(all).filter((f) => stepOfField(f) === s)[0] ?? "summary");
  };

  const useCloud = (cloud: CloudId) => {
    const radio = formRef.current?.querySelector<HTMLInputElement>(`input[name="cloud"][value="${cloud}"]`);
    if (radio) radio.checked = true;
    refresh();
  };

  const { cloud, mode, purposes } = current(now);
  const notices = orderedNotices({ cloud, tenantMode: mode, purposes });
  const at = (s: number) => notices.filter((w) => noticeStep(w) === s);
  const stepErrors = Object.entries(errors).filter(([f]) => stepOfField(f) === step);
  // Field errors are listed per step; a message without fields (nothing was saved) stays on top.
  const message = stepErrors.length ? "Please correct the highlighted fields." : state.ok === false && !Object.keys(serverErrors).length ? state.message : undefined;
  const stepProps = { initial, now, errors };
  const retype = Boolean(state.values) && !editing;

  return (
    <form ref={formRef} action={formAction} onSubmit={onSubmit} onChange={onChange} onKeyDown={onKeyDown} className="space-y-5" noValidate aria-label={editing ? "Edit integration" : "New integration"}>
      <input type="hidden" name="slug" value={slug} />
      {integrationId ? <input type="hidden" name="id" value={integrationId} /> : null}
      <WizardProgress steps={WIZARD_STEPS.map((s, i) => (i === 3 && editing ? "App" : s.title))} current={step} reached={reached} onGo={goTo} />
      {message ? (
        <div id="wizard-errors" role="alert" tabIndex={-1} className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
          <p className="font-semibold">{message}</p>
          {stepErrors.length ? <ul className="mt-1 list-disc pl-5">{stepErrors.map(([f, m]) => <li key={f}><a className="underline" href={`#field-${f}`} onClick={(ev) => { ev.preventDefault(); setFocus(f); }}>{m}</a></li>)}</ul> : null}
        </div>
      ) : null}
      {WIZARD_STEPS.map((s, i) => (
        <section key={s.id} data-step={i} hidden={i !== step} aria-labelledby={`wizard-step-${i}`} className="rounded-lg border border-slate-200 bg-white p-5 shadow-sm">
          <h2 id={`wizard-step-${i}`} tabIndex={-1} className="mb-4 text-base font-semibold outline-none">
            <span className="block text-xs font-medium uppercase tracking-wide text-slate-500">Step {i + 1} of {WIZARD_STEPS.length}</span>
            {i === 3 && editing ? "App" : s.title}
          </h2>
          {i === 0 ? <AudienceStep {...stepProps} slug={slug} notices={at(0)} onUseCloud={useCloud} /> : null}
          {i === 1 ? <PurposeStep {...stepProps} notices={at(1)} /> : null}
          {i === 2 ? <AzureStep now={now} redirectUri={redirectUri} notices={at(2)} /> : null}
          {i === 3 ? <CredentialsStep {...stepProps} editing={editing} retype={retype} /> : null}
          {i === 4 ? <ReviewStep {...stepProps} editing={editing} notices={notices} /> : null}
          <div className="mt-6 flex flex-wrap items-center justify-between gap-3 border-t border-slate-100 pt-4">
            {i > 0 ? <Button type="button" variant="secondary" disabled={!hydrated} onClick={() => goTo(i - 1)}>Back</Button> : <span />}
            {i < last ? (
              <Button type="button" disabled={!hydrated} onClick={() => goTo(i + 1)}>Next: {i + 1 === 3 && editing ? "App" : WIZARD_STEPS[i + 1]!.title}</Button>
            ) : (
              <Button type="submit" disabled={pending || !hydrated}>{pending ? "Saving…" : editing ? "Save changes" : "Save integration"}</Button>
            )}
          </div>
        </section>
      ))}
    </form>
  );
}
