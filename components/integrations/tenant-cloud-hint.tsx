"use client";
import { useEffect, useState } from "react";
import { CLOUDS, type CloudId } from "@/lib/microsoft/clouds";
import { validateTenant } from "@/lib/microsoft/endpoints";
import type { TenantCloudLookup } from "@/lib/microsoft/cloud-detection";
import type { Diagnosis } from "@/lib/diagnosis/catalog";

type Lookup = (TenantCloudLookup & { diagnosis?: Diagnosis }) | { kind: "error"; tenant: string; message: string };

// Long enough that typing a domain doesn't send a request per key.
const DEBOUNCE_MS = 700;

/**
 * Reads the typed tenant's discovery document (on the server, through the portal's org route)
 * and proposes the cloud Microsoft publishes for it, saying what it saw.
 */
export function TenantCloudHint({ slug, tenant, cloud, onUseCloud }: { slug: string; tenant: string; cloud: string; onUseCloud: (cloud: CloudId) => void }) {
  const valid = validateTenant(tenant);
  const key = valid.ok ? valid.tenant : "";
  const [result, setResult] = useState<Lookup | null>(null);

  useEffect(() => {
    if (!key) return;
    const controller = new AbortController();
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/orgs/${encodeURIComponent(slug)}/integrations/detect-cloud`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ tenant: key }),
          signal: controller.signal,
        });
        const body = (await res.json()) as Lookup | { error: { message: string } };
        setResult("error" in body ? { kind: "error", tenant: key, message: body.error.message } : body);
      } catch (e) {
        if (!controller.signal.aborted) setResult({ kind: "error", tenant: key, message: `The cloud could not be detected (${(e as Error).message}). Choose it yourself.` });
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [key, slug]);

  const current = result && result.tenant === key ? result : null;
  return (
    <div role="status" aria-live="polite" aria-label="Cloud detection" className="text-sm">
      {!key ? null : !current ? (
        <p className="text-slate-600">Looking up {key}&apos;s cloud at Microsoft…</p>
      ) : current.kind === "found" ? (
        <Found lookup={current} cloud={cloud} onUseCloud={onUseCloud} />
      ) : current.kind === "not-found" ? (
        <NotFound lookup={current} />
      ) : (
        <p className="text-slate-700">{current.message}</p>
      )}
    </div>
  );
}

function Found({ lookup, cloud, onUseCloud }: { lookup: Extract<TenantCloudLookup, { kind: "found" }>; cloud: string; onUseCloud: (cloud: CloudId) => void }) {
  const d = lookup.detection;
  const matches = d.cloud === cloud;
  const tone = !d.cloud ? "border-slate-200 bg-slate-50" : matches ? "border-green-200 bg-green-50 text-green-950" : "border-amber-300 bg-amber-50 text-amber-950";
  return (
    <div className={`rounded-md border px-4 py-3 ${tone}`}>
      <p><span className="font-semibold">Detected: </span>{lookup.sentence}</p>
      {d.caveat && d.cloud ? <p className="mt-1 text-xs">{d.caveat}</p> : null}
      {d.cloud && !matches ? (
        <div className="mt-2 flex flex-wrap items-center gap-3">
          <span>{CLOUDS[cloud as CloudId]?.label ?? "Another cloud"} is selected below.</span>
          <button type="button" className="rounded-md border border-amber-400 bg-white px-3 py-1 font-medium hover:bg-amber-100" onClick={() => onUseCloud(d.cloud!)}>
            Use {CLOUDS[d.cloud].label}
          </button>
        </div>
      ) : d.cloud ? <p className="mt-1 text-xs">That is the cloud selected below.</p> : null}
    </div>
  );
}

function NotFound({ lookup }: { lookup: Extract<TenantCloudLookup, { kind: "not-found" }> & { diagnosis?: Diagnosis } }) {
  const d = lookup.diagnosis ?? { title: "The tenant was not found", cause: "", fix: "Check the tenant ID or domain." };
  return (
    <div className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-red-950">
      <p className="font-semibold">{d.title} (AADSTS{lookup.aadsts})</p>
      <p className="mt-1">No Microsoft cloud knows {lookup.tenant}: {lookup.askedHosts.join(", ")} each answered AADSTS{lookup.aadsts}. {d.cause}</p>
      <p className="mt-1"><span className="font-medium">Fix:</span> {d.fix}</p>
    </div>
  );
}
