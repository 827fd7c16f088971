"use client";
import { useActionState, useState } from "react";
import { createOrgAction } from "../actions";
import { TextField } from "@/components/ui/field";
import { Button } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";

const toSlug = (name: string) =>
  name.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40);

export function CreateOrgForm({ tenantId }: { tenantId: string }) {
  const [state, action, pending] = useActionState(createOrgAction, {});
  const [name, setName] = useState(state.values?.name ?? "");
  const [slug, setSlug] = useState(state.values?.slug ?? "");
  const [slugEdited, setSlugEdited] = useState(false);
  return (
    <form action={action} className="space-y-5" noValidate>
      {state.message && !state.fieldErrors ? <Notice tone="error">{state.message}</Notice> : null}
      <TextField
        label="Organization name"
        name="name"
        required
        value={name}
        onChange={(e) => {
          setName(e.target.value);
          if (!slugEdited) setSlug(toSlug(e.target.value));
        }}
        error={state.fieldErrors?.name}
        placeholder="Contoso"
      />
      <TextField
        label="URL slug"
        name="slug"
        required
        value={slug}
        onChange={(e) => {
          setSlug(e.target.value);
          setSlugEdited(true);
        }}
        error={state.fieldErrors?.slug}
        hint={<>Your org&apos;s pages will live at /orgs/{slug || "your-slug"}. Lowercase letters, digits and hyphens.</>}
      />
      <p className="text-xs text-slate-600">
        Created from your Microsoft tenant <span className="font-mono">{tenantId}</span>.
      </p>
      <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create organization"}</Button>
    </form>
  );
}
