import { z } from "zod";
import { CLOUD_IDS, type CloudId } from "@/lib/microsoft/clouds";
import { PURPOSES, type Purpose, validateExtraScope } from "@/lib/microsoft/scopes";
import { TENANT_MODES, configurationWarnings, validateEndpointOverride, validateTenant, type HostMap, type TenantMode, type WizardWarning } from "@/lib/microsoft/endpoints";
import { secretProblem } from "./secret-hints";
import { GUID } from "@/lib/microsoft/guid";

// The rules for an integration's settings, free of Node modules so the wizard runs the very
// same rules in the browser (step by step) that the server runs on save (all at once).

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

export type ValidationContext = { allowCustomHosts: boolean; hostMap?: HostMap };

// Which field a configuration error is about, so the message names it and the wizard can go there.
const NOTICE_FIELD: Record<string, "tenantMode" | "purposes" | "cloud"> = {
  "common-outside-global": "tenantMode",
  "multi-tenant-registration": "tenantMode",
  "admin-consent-organizations": "tenantMode",
  "china-login-host": "cloud",
};
const FIELD_LABEL = { tenantMode: "Who signs in", purposes: "Purposes", cloud: "Cloud" } as const;

export const noticeField = (code: string) => NOTICE_FIELD[code] ?? "purposes";

const isCloud = (c: unknown): c is CloudId => (CLOUD_IDS as readonly unknown[]).includes(c);
const isMode = (m: unknown): m is TenantMode => (TENANT_MODES as readonly unknown[]).includes(m);
const purposeList = (p: unknown): Purpose[] => (Array.isArray(p) ? p.filter((x): x is Purpose => (PURPOSES as readonly unknown[]).includes(x)) : []);

/** Warnings, errors and information for a choice, errors first, then warnings, then information. */
export function orderedNotices(input: { cloud: CloudId; tenantMode: TenantMode; purposes: Purpose[]; now?: Date }): WizardWarning[] {
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return configurationWarnings(input)
    .map((w, i) => ({ w, i }))
    .sort((a, b) => rank[a.w.level] - rank[b.w.level] || a.i - b.i)
    .map(({ w }) => w);
}

const settingsSchema = (ctx: ValidationContext, now?: Date) =>
  z
    .object(baseShape)
    .superRefine((v, issue) => {
      // Multi-tenant integrations may name their home tenant, which the credentials check needs.
      if (v.tenantMode === "single" || v.tenant) {
        const t = validateTenant(v.tenant ?? "");
        if (!t.ok) issue.addIssue({ code: "custom", path: ["tenant"], message: `Tenant: ${t.message}` });
      }
      // The rest depends on a valid cloud and tenant mode; their own messages say what to pick.
      if (!isCloud(v.cloud) || !isMode(v.tenantMode)) return;
      // A configuration the wizard marks as failing is never saved (the check would fail with it).
      const purposes = purposeList(v.purposes);
      for (const w of configurationWarnings({ cloud: v.cloud, tenantMode: v.tenantMode, purposes, now })) {
        if (w.level !== "error" || (w.code === "no-purposes" && purposes.length === 0)) continue;
        const field = noticeField(w.code);
        issue.addIssue({ code: "custom", path: [field], message: `${FIELD_LABEL[field]}: ${w.message}` });
      }
      (v.extraScopes ?? []).filter(Boolean).forEach((s) => {
        const r = validateExtraScope(v.cloud, s);
        if (!r.ok) issue.addIssue({ code: "custom", path: ["extraScopes"], message: `Extra scope "${s}": ${r.message}` });
      });
      for (const kind of ["authorize", "token"] as const) {
        const url = v[`${kind}Endpoint`];
        if (!url) continue;
        const r = validateEndpointOverride({ url, kind, cloud: v.cloud, tenantMode: v.tenantMode, tenant: v.tenant, allowCustomHosts: ctx.allowCustomHosts, hostMap: ctx.hostMap });
        if (!r.ok) issue.addIssue({ code: "custom", path: [`${kind}Endpoint`], message: `${kind === "authorize" ? "Authorize" : "Token"} endpoint: ${r.message}` });
      }
    });

/** Validates everything but the credential. Throws a ZodError whose paths are form field names. */
export function parseSettings(raw: Record<string, unknown>, ctx: ValidationContext): IntegrationSettings {
  return settingsSchema(ctx)
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

/** The wizard's form as submitted: one string per field, a list for checkbox groups. */
export type RawForm = Record<string, string | string[] | undefined>;

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The form's text fields in the shape parseSettings takes (extra scopes split on spaces or commas). */
export function settingsInput(raw: RawForm): Record<string, unknown> {
  return {
    name: str(raw.name),
    cloud: str(raw.cloud),
    tenantMode: str(raw.tenantMode),
    tenant: str(raw.tenant),
    clientId: str(raw.clientId),
    purposes: list(raw.purposes),
    extraScopes: str(raw.extraScopes).split(/[\s,]+/).filter(Boolean),
    authorizeEndpoint: str(raw.authorizeEndpoint),
    tokenEndpoint: str(raw.tokenEndpoint),
  };
}

/** Warnings (not errors, not information) the admin has not ticked "I understand" for. */
export function unacknowledgedWarnings(input: { cloud: CloudId; tenantMode: TenantMode; purposes: Purpose[]; now?: Date }, acknowledged: readonly string[]): WizardWarning[] {
  return configurationWarnings(input).filter((w) => w.level === "warning" && !acknowledged.includes(w.code));
}

export const acknowledgementMessage = (w: WizardWarning) => `Warnings: tick "I understand" under "${w.message.slice(0, 60).trimEnd()}…" to save anyway, or change the choice it is about.`;

export const WIZARD_STEPS = [
  { id: "audience", title: "Cloud and who signs in", fields: ["tenantMode", "tenant", "cloud"] },
  { id: "purpose", title: "What it is for", fields: ["name", "purposes", "extraScopes"] },
  { id: "azure", title: "Register the app in Azure", fields: [] },
  { id: "credentials", title: "App and credential", fields: ["clientId", "credentialType", "secret", "secretExpiresAt", "certificatePem", "privateKeyPem"] },
  { id: "review", title: "Review and save", fields: ["authorizeEndpoint", "tokenEndpoint", "acknowledged"] },
] as const satisfies readonly { id: string; title: string; fields: readonly string[] }[];

/** The wizard step (0-based) holding a field; unknown fields belong to the review step. */
export function stepOfField(field: string): number {
  const i = WIZARD_STEPS.findIndex((s) => (s.fields as readonly string[]).includes(field));
  return i < 0 ? WIZARD_STEPS.length - 1 : i;
}

/**
 * Every problem with the wizard's form, one message per field, as the server would report it
 * (the certificate's cryptographic check excepted: only the server can do it).
 */
export function wizardErrors(raw: RawForm, ctx: ValidationContext & { withCredential: boolean; now?: Date }): Record<string, string> {
  const errors: Record<string, string> = {};
  const r = settingsSchema(ctx, ctx.now).safeParse(settingsInput(raw));
  if (!r.success) for (const i of r.error.issues) errors[String(i.path[0] ?? "form")] ??= i.message;
  if (ctx.withCredential) {
    const type = str(raw.credentialType);
    if (type === "SECRET") {
      const p = secretProblem(str(raw.secret).trim(), str(raw.clientId).trim());
      if (p) errors.secret = `Client secret: ${p}`;
    } else if (type === "CERTIFICATE") {
      if (!str(raw.certificatePem).includes("BEGIN CERTIFICATE")) errors.certificatePem = "Certificate: paste the PEM certificate (-----BEGIN CERTIFICATE----- …) you uploaded to Azure.";
      else if (!/BEGIN (RSA |EC )?PRIVATE KEY/.test(str(raw.privateKeyPem))) errors.privateKeyPem = "Private key: paste the unencrypted PEM private key (-----BEGIN PRIVATE KEY----- …) that belongs to the certificate.";
    } else errors.credentialType = "Credential: choose a client secret or a certificate.";
  }
  const cloud = str(raw.cloud);
  const mode = str(raw.tenantMode);
  if (isCloud(cloud) && isMode(mode) && !errors.tenantMode && !errors.purposes) {
    const open = unacknowledgedWarnings({ cloud, tenantMode: mode, purposes: purposeList(list(raw.purposes)), now: ctx.now }, list(raw.acknowledged));
    if (open[0]) errors.acknowledged = acknowledgementMessage(open[0]);
  }
  return errors;
}
