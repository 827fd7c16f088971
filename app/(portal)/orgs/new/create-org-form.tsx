"use client";
import { useActionState, useRef } from "react";
import { createOrgAction } from "../actions";
import { TextField } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";
import { suggestSlug } from "@/lib/orgs/slug";

// Uncontrolled inputs: what someone types before the page hydrates is kept, and after a failed
// submit React resets the form to the echoed values (defaultValue).
export function CreateOrgForm({ tenantId }: { tenantId: string }) {
  const [state, action, pending] = useActionState(createOrgAction, {});
  const slugRef = useRef<HTMLInputElement>(null);
  const slugEdited = useRef(Boolean(state.values?.slug));
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.message && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <TextField
        label="Organization name"
        name="name"
        required
        defaultValue={state.values?.name}
        onInput={(e) => {
          if (!slugEdited.current && slugRef.current) slugRef.current.value = suggestSlug(e.currentTarget.value);
        }}
        error={state.fieldErrors?.name}
        placeholder="Contoso"
      />
      <TextField
        ref={slugRef}
        label="URL slug"
        name="slug"
        required
        defaultValue={state.values?.slug}
        onInput={() => { slugEdited.current = true; }}
        error={state.fieldErrors?.slug}
        hint="Your org's pages will live at /orgs/<slug>. Lowercase letters, digits and hyphens."
      />
      <p className="text-xs text-slate-600">
        Created from your Microsoft tenant <span className="font-mono">{tenantId}</span>.
      </p>
      <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create organization"}</Button>
    </form>
  );
}
