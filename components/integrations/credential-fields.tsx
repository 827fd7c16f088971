"use client";
import { useState } from "react";
import { TextField } from "@/components/ui/field";
import { secretProblem } from "@/lib/integrations/secret-hints";

const textarea = "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-invalid:border-red-600";

/** Client secret or certificate. Secrets are write-only: nothing here is ever pre-filled. */
export function CredentialFields({ clientId, errors }: { clientId: string; errors?: Record<string, string> }) {
  const [type, setType] = useState<"SECRET" | "CERTIFICATE">("SECRET");
  const [secret, setSecret] = useState("");
  const hint = secret ? secretProblem(secret, clientId) : null;
  return (
    <div className="space-y-4">
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Credential</legend>
        <div className="mt-2 flex flex-wrap gap-4 text-sm">
          <label className="flex items-center gap-2"><input type="radio" name="credentialType" value="SECRET" checked={type === "SECRET"} onChange={() => setType("SECRET")} /> Client secret</label>
          <label className="flex items-center gap-2"><input type="radio" name="credentialType" value="CERTIFICATE" checked={type === "CERTIFICATE"} onChange={() => setType("CERTIFICATE")} /> Certificate (recommended by Microsoft for production)</label>
        </div>
      </fieldset>
      {type === "SECRET" ? (
        <>
          <TextField
            label="Client secret Value"
            name="secret"
            type="password"
            autoComplete="off"
            value={secret}
            onChange={(e) => setSecret(e.target.value)}
            error={errors?.secret ?? (hint && secret.length > 8 ? hint : undefined)}
            hint="Certificates & secrets → Client secrets → the Value column (not the Secret ID). Stored encrypted; never shown again."
          />
          <TextField label="Secret expiry date (optional)" name="secretExpiresAt" type="date" error={errors?.secretExpiresAt} hint="Shown in Azure's Expires column. Mailgrant warns you 30 days before." />
        </>
      ) : (
        <>
          <div className="space-y-1">
            <label htmlFor="field-certificatePem" className="block text-sm font-medium text-slate-800">Certificate (PEM, the public part you uploaded to Azure)</label>
            <textarea id="field-certificatePem" name="certificatePem" rows={5} className={textarea} aria-invalid={errors?.certificatePem ? true : undefined} placeholder="-----BEGIN CERTIFICATE-----" />
            {errors?.certificatePem ? <p role="alert" className="text-sm text-red-700">{errors.certificatePem}</p> : null}
          </div>
          <div className="space-y-1">
            <label htmlFor="field-privateKeyPem" className="block text-sm font-medium text-slate-800">Private key (PEM, unencrypted)</label>
            <textarea id="field-privateKeyPem" name="privateKeyPem" rows={5} className={textarea} placeholder="-----BEGIN PRIVATE KEY-----" autoComplete="off" />
            <p className="text-xs text-slate-600">Stored encrypted; never shown again.</p>
          </div>
        </>
      )}
    </div>
  );
}
