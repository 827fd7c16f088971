import { readFile } from "node:fs/promises";
import { z } from "zod";
import { GUID_RE } from "./ids";

const guidSchema = z.string().regex(GUID_RE, "must be a GUID like 00000000-0000-0000-0000-000000000000");
const domainSchema = z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, "must be a domain name");
const upnSchema = z.string().regex(/^[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+$/i, "must be a UPN like user@contoso.onmicrosoft.com");

export const seedSecretSchema = z
  .object({
    secretId: guidSchema.optional(),
    value: z.string().min(16, "must be at least 16 characters").optional(),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .strict();

export const seedUserSchema = z
  .object({
    id: guidSchema.optional(),
    upn: upnSchema,
    displayName: z.string().min(1),
    mail: z.string().optional(),
    /** Global / Privileged Role / Cloud Application Administrator: may consent for the whole tenant. */
    admin: z.boolean().default(false),
    /** "shared": a shared mailbox (sign-in blocked, never in the picker) reached by its delegates. */
    kind: z.enum(["user", "shared"]).default("user"),
    /** Shared mailboxes only: user object ids or UPNs of the same tenant with FullAccess/SendAs. */
    delegates: z.array(z.string().min(1)).optional(),
    /** Exchange's per-mailbox SMTP AUTH switch: true off, false on even if the tenant is off, null/absent follow the tenant. */
    smtpAuthDisabled: z.boolean().nullable().optional(),
    /** How many generated messages the Inbox starts with (Graph, IMAP SELECT and POP STAT agree). Default 3. */
    inboxCount: z.number().int().min(0).max(500).optional(),
  })
  .strict();

export const seedTenantSchema = z
  .object({
    id: guidSchema.optional(),
    displayName: z.string().min(1),
    domains: z.array(domainSchema).min(1, "needs at least one verified domain"),
    cloud: z.enum(["global", "usgov", "china"]).default("global"),
    /** usgov only: which US Gov environment (resources differ). Default gcchigh. */
    subcloud: z.enum(["gcchigh", "dod"]).optional(),
    /** global only: a GCC (moderate) tenant, on the worldwide endpoints but named `tenant_region_sub_scope: "GCC"` in discovery. */
    gcc: z.boolean().optional(),
    /** Discovery's `tenant_region_scope` (NA, EU, AS, OC, WW, …). Default NA (global), USGov (usgov), AS (china). */
    regionScope: z.string().regex(/^[A-Za-z]{2,8}$/, "must be a region code such as NA, EU, AS or USGov").optional(),
    /** false = no Exchange Online subscription: Outlook resources answer AADSTS650052. */
    exchangeOnline: z.boolean().default(true),
    /** "disabled": users can't consent to apps; non-admins see "Need admin approval" (AADSTS90094). */
    userConsent: z.enum(["allowed", "disabled"]).default("allowed"),
    /** Tenant-wide `SmtpClientAuthenticationDisabled`: SMTP AUTH answers 535 5.7.139 unless a mailbox enables it. */
    smtpAuthDisabled: z.boolean().default(false),
    users: z.array(seedUserSchema).default([]),
  })
  .strict();

/** Applied where the tenant schema is used whole (refined object schemas can't be `.omit`ted in zod 4). */
export const subcloudCheck = (t: { cloud: string; subcloud?: string | undefined; gcc?: boolean | undefined }): boolean =>
  (t.subcloud === undefined || t.cloud === "usgov") && (!t.gcc || t.cloud === "global");
export const subcloudIssue = { message: "subcloud is only for usgov tenants, gcc only for global ones", path: ["subcloud"] };

export const seedCertificateSchema = z
  .object({ certificatePem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM X.509 certificate" }) })
  .strict();

export const seedAppSchema = z
  .object({
    clientId: guidSchema.optional(),
    /** Tenant GUID or verified domain of the tenant that owns the registration. */
    homeTenant: z.string().min(1),
    displayName: z.string().min(1),
    multiTenant: z.boolean().default(false),
    redirectUris: z.array(z.url()).default([]),
    secrets: z.array(seedSecretSchema).default([]),
    certificates: z.array(seedCertificateSchema).default([]),
    /** Application permissions (app roles) consented per resource URI, e.g. {"https://graph.microsoft.com":["Mail.Read"]}. */
    appPermissions: z.record(z.url(), z.array(z.string().min(1))).default({}),
    /** Never asks for consent in any tenant (the portal's own sign-in app). */
    preAuthorized: z.boolean().default(false),
  })
  .strict();

export const seedSchema = z
  .object({
    $schema: z.string().optional(),
    tenants: z.array(seedTenantSchema.refine(subcloudCheck, subcloudIssue)),
    apps: z.array(seedAppSchema).default([]),
  })
  .strict();

export type Seed = z.infer<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;

export class SeedError extends Error {}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, part) => (typeof part === "number" ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)), "");
}

/** One line naming the field, because a bad seed should stop startup with a readable reason. */
export function parseSeed(raw: unknown, source: string): Seed {
  const result = seedSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue ? formatPath(issue.path) || "(root)" : "(root)";
    throw new SeedError(`invalid seed ${source}: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

export async function loadSeedFile(path: string): Promise<Seed> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new SeedError(`cannot read seed ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SeedError(`invalid seed ${path}: not JSON (${(err as Error).message})`);
  }
  return parseSeed(raw, path);
}
