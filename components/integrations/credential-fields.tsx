"use client";
import { useState } from "react";
import { TextField } from "@/components/ui/field";
import { secretProblem } from "@/lib/integrations/secret-hints";

const textarea = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-invalid:border-red-600";

type Props = {
  clientId: string;
  errors?: Record<string, string>;
  /** What the form showed before (an echo after an error); secrets are never part of it. */
  defaults?: { credentialType?: string; secretExpiresAt?: string; certificatePem?: string };
  /** Set after a failed save: the secret was typed before but is never sent back to the browser. */
  retype?: boolean;
};

/**
 * Client secret or certificate. Secrets are write-only: nothing here is ever pre-filled. The
 * inputs are uncontrolled, so what someone types before the page hydrates is kept.
 */
export function CredentialFields({ clientId, errors, defaults, retype }: Props) {
  const [type, setType] = useState<"SECRET" | "CERTIFICATE">(defaults?.credentialType === "CERTIFICATE" ? "CERTIFICATE" : "SECRET");
  const [secret, setSecret] = useState("");
  const hint = secret ? secretProblem(secret, clientId) : null;
  const again = retype ? " For your safety it was not sent back to this page: paste it again." : "";
  return (
    <div className="space-y-4">
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Credential</legend>
        <div className="mt-2 flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2"><input type="radio" name="credentialType" value="SECRET" defaultChecked={type === "SECRET"} onChange={() => setType("SECRET")} /> Client secret</label>
          <label className="flex items-center gap-2"><input type="radio" name="credentialType" value="CERTIFICATE" defaultChecked={type === "CERTIFICATE"} onChange={() => setType("CERTIFICATE")} /> Certificate (recommended by Microsoft for production)</label>
        </div>
      </fieldset>
      {type === "SECRET" ? (
        <>
          <TextField
            label="Client secret Value"
            name="secret"
            type="password"
            autoComplete="off"
            onChange={(e) => setSecret(e.target.value)}
            error={errors?.secret ?? (hint && secret.length > 8 ? hint : undefined)}
            hint={`Certificates & secrets → Client secrets → the Value column (not the Secret ID). Stored encrypted; never shown again.${again}`}
          />
          <TextField label="Secret expiry date (optional)" name="secretExpiresAt" type="date" defaultValue={defaults?.secretExpiresAt ?? ""} error={errors?.secretExpiresAt} hint="Shown in Azure's Expires column. Mailgrant warns you 30 days before." />
        </>
      ) : (
        <>
          <div className="space-y-1">
            <label htmlFor="field-certificatePem" className="block text-sm font-medium text-slate-800">Certificate (PEM, the public part you uploaded to Azure)</label>
            <textarea id="field-certificatePem" name="certificatePem" rows={5} className={textarea} defaultValue={defaults?.certificatePem ?? ""} aria-invalid={errors?.certificatePem ? true : undefined} aria-describedby={errors?.certificatePem ? "field-certificatePem-error" : undefined} placeholder="-----BEGIN CERTIFICATE-----" />
            {errors?.certificatePem ? <p id="field-certificatePem-error" role="alert" className="text-sm text-red-700">{errors.certificatePem}</p> : null}
          </div>
          <div className="space-y-1">
            <label htmlFor="field-privateKeyPem" className="block text-sm font-medium text-slate-800">Private key (PEM, unencrypted)</label>
            <textarea id="field-privateKeyPem" name="privateKeyPem" rows={5} className={textarea} aria-invalid={errors?.privateKeyPem ? true : undefined} aria-describedby={errors?.privateKeyPem ? "field-privateKeyPem-error" : undefined} placeholder="-----BEGIN PRIVATE KEY-----" autoComplete="off" />
            {errors?.privateKeyPem ? <p id="field-privateKeyPem-error" role="alert" className="text-sm text-red-700">{errors.privateKeyPem}</p> : null}
            <p className="text-xs text-slate-600">Stored encrypted; never shown again.{again}</p>
          </div>
        </>
      )}
    </div>
  );
}
