import { X509Certificate, createPrivateKey } from "node:crypto";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { secretProblem } from "./secret-hints";
import { acknowledgementMessage, unacknowledgedWarnings, type IntegrationSettings } from "./settings-rules";

// What an admin submits in the integration wizard. Every message names the field and says
// what to do. The settings rules live in settings-rules.ts, free of Node modules, so the browser
// runs them too; they are re-exported here so a caller has one import for a submitted form.
export { parseSettings, settingsInput, type IntegrationSettings, type ValidationContext } from "./settings-rules";

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

export type CredentialInput =
  | { credentialType: "SECRET"; secret: string; secretExpiresAt: Date | null }
  | { credentialType: "CERTIFICATE"; certificatePem: string; privateKeyPem: string };

/**
 * On save, every warning of the configuration must have been acknowledged (the wizard's
 * "I understand" boxes); errors are already refused by parseSettings.
 */
export function assertAcknowledged(settings: IntegrationSettings, acknowledged: readonly string[]): void {
  const open = unacknowledgedWarnings(settings, acknowledged);
  if (open[0]) throw new AppError("invalid_input", acknowledgementMessage(open[0]), "acknowledged");
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
