import { X509Certificate, createPrivateKey } from "node:crypto";
import { z } from "zod";
import { CLOUD_IDS, type CloudId } from "@/lib/microsoft/clouds";
import { PURPOSES, type Purpose, validateExtraScope } from "@/lib/microsoft/scopes";
import { GUID } from "@/lib/microsoft/guid";
import { secretProblem } from "./secret-hints";
import { TENANT_MODES, type TenantMode, validateEndpointOverride, validateTenant, type HostMap } from "@/lib/microsoft/endpoints";

// What an admin submits in the integration wizard. Every message names the field and says
// what to do; the same rules run in the browser (for live hints) and on the server.


export function certificateProblem(certificatePem: string, privateKeyPem: string): string | null {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    return "The certificate is not a PEM X.509 certificate (-----BEGIN CERTIFICATE----- …).";
  }
  try {
    const key = createPrivateKey(privateKeyPem);
    if (!cert.checkPrivateKey(key)) return "The private key does not belong to this certificate.";
  } catch {
    return "The private key is not a PEM private key (-----BEGIN PRIVATE KEY----- …); it must not be password protected.";
  }
  if (new Date(cert.validTo) < new Date()) return `The certificate expired on ${new Date(cert.validTo).toISOString().slice(0, 10)}; upload a current one to Azure and here.`;
  return null;
}

const baseShape = {
  name: z.string().trim().min(2, { message: "Name: at least 2 characters, e.g. Helpdesk mail." }).max(80, { message: "Name: at most 80 characters." }),
  cloud: z.enum(CLOUD_IDS, { message: "Cloud: pick the Microsoft cloud your tenant lives in." }),
  tenantMode: z.enum(TENANT_MODES, { message: "Tenant: pick who can sign in (one tenant, any organization, or any account)." }),
  tenant: z.string().trim().optional(),
  clientId: z.string().trim().regex(GUID, { message: "Application (client) ID must be a GUID like 1b2c3d4e-…; copy it from your app's Overview page." }),
  purposes: z.array(z.enum(PURPOSES)).min(1, { message: "Pick at least one thing this integration is for." }),
  extraScopes: z.array(z.string().trim()).default([]),
  authorizeEndpoint: z.string().trim().optional(),
  tokenEndpoint: z.string().trim().optional(),
};

export type IntegrationSettings = {
  name: string;
  cloud: CloudId;
  tenantMode: TenantMode;
  tenant: string | null;
  clientId: string;
  purposes: Purpose[];
  extraScopes: string[];
  authorizeEndpoint: string | null;
  tokenEndpoint: string | null;
};

export type CredentialInput =
  | { credentialType: "SECRET"; secret: string; secretExpiresAt: Date | null }
  | { credentialType: "CERTIFICATE"; certificatePem: string; privateKeyPem: string };

export type ValidationContext = { allowCustomHosts: boolean; hostMap?: HostMap };

/** Validates everything but the credential. Throws a ZodError whose paths are form field names. */
export function parseSettings(raw: Record<string, unknown>, ctx: ValidationContext): IntegrationSettings {
  return z
    .object(baseShape)
    .superRefine((v, issue) => {
      // Multi-tenant integrations may name their home tenant, which the credentials check needs.
      if (v.tenantMode === "single" || v.tenant) {
        const t = validateTenant(v.tenant ?? "");
        if (!t.ok) issue.addIssue({ code: "custom", path: ["tenant"], message: `Tenant: ${t.message}` });
      }
      v.extraScopes.filter(Boolean).forEach((s) => {
        const r = validateExtraScope(v.cloud, s);
        if (!r.ok) issue.addIssue({ code: "custom", path: ["extraScopes"], message: `Extra scope "${s}": ${r.message}` });
      });
      for (const kind of ["authorize", "token"] as const) {
        const url = v[`${kind}Endpoint`];
        if (!url) continue;
        const r = validateEndpointOverride({ url, kind, cloud: v.cloud, tenantMode: v.tenantMode, tenant: v.tenant, allowCustomHosts: ctx.allowCustomHosts, hostMap: ctx.hostMap });
        if (!r.ok) issue.addIssue({ code: "custom", path: [`${kind}Endpoint`], message: `${kind === "authorize" ? "Authorize" : "Token"} endpoint: ${r.message}` });
      }
    })
    .transform((v) => ({
      name: v.name,
      cloud: v.cloud,
      tenantMode: v.tenantMode,
      tenant: v.tenant ? (validateTenant(v.tenant) as { tenant: string }).tenant : null,
      clientId: v.clientId.toLowerCase(),
      purposes: [...new Set(v.purposes)],
      extraScopes: [...new Set(v.extraScopes.filter(Boolean))],
      authorizeEndpoint: v.authorizeEndpoint || null,
      tokenEndpoint: v.tokenEndpoint || null,
    }))
    .parse(raw);
}

export function parseCredential(raw: Record<string, unknown>, clientId?: string): CredentialInput {
  return z
    .discriminatedUnion("credentialType", [
      z.object({
        credentialType: z.literal("SECRET"),
        secret: z.string().trim().superRefine((s, issue) => {
          const p = secretProblem(s, clientId);
          if (p) issue.addIssue({ code: "custom", message: `Client secret: ${p}` });
        }),
        secretExpiresAt: z
          .string()
          .trim()
          .optional()
          .transform((s, issue) => {
            if (!s) return null;
            const d = new Date(`${s}T00:00:00Z`);
            if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || Number.isNaN(d.getTime())) {
              issue.addIssue({ code: "custom", message: "Secret expiry: use a date like 2027-05-31 (Azure shows it in the Expires column)." });
              return z.NEVER;
            }
            return d;
          }),
      }),
      z.object({
        credentialType: z.literal("CERTIFICATE"),
        certificatePem: z.string().trim(),
        privateKeyPem: z.string().trim(),
      }).superRefine((v, issue) => {
        const p = certificateProblem(v.certificatePem, v.privateKeyPem);
        if (p) issue.addIssue({ code: "custom", path: ["certificatePem"], message: `Certificate: ${p}` });
      }),
    ], { message: "Credential: choose a client secret or a certificate." })
    .parse(raw);
}
