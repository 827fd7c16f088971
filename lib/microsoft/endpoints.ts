// The only place a Microsoft URL is built. Facts: shared reference "microsoft-identity.md" §1, §2.3.
import { AppError } from "@/lib/errors";
import { CLOUDS, CLOUD_IDS, cloudsUsingHost, describeClouds, loginHostsOf, type CloudId } from "./clouds";
import { GUID } from "./guid";

// The wizard's helpers live in their own file for size; the contract names this module.
export { azureGuide, configurationWarnings, type WizardWarning } from "./setup-guide";

export const TENANT_MODES = ["single", "organizations", "common"] as const;
export type TenantMode = (typeof TENANT_MODES)[number];

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const ALIASES = new Set(["common", "organizations", "consumers"]);
// §1.1: the tenant behind `consumers`; a portal for organizations' mailboxes can't use it.
const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";

export function validateTenant(value: string): { ok: true; tenant: string } | { ok: false; message: string } {
  const v = value.trim();
  const example = "a Directory (tenant) ID such as 72f988bf-86f1-41af-91ab-2d7cd011db47 or a verified domain such as contoso.onmicrosoft.com";
  if (!v) return { ok: false, message: `Enter the tenant: ${example}.` };
  const lower = v.toLowerCase();
  if (ALIASES.has(lower)) {
    return {
      ok: false,
      message: `"${lower}" is not a tenant but a sign-in audience. Leave the tenant empty and pick the tenant mode instead (any organization = organizations, work and personal accounts = common).`,
    };
  }
  if (lower === CONSUMERS_TENANT_ID) {
    return { ok: false, message: "That ID is Microsoft's tenant for personal accounts (consumers), not an organization's tenant. Enter your organization's Directory (tenant) ID." };
  }
  if (GUID.test(v)) return { ok: true, tenant: lower };
  if (v.includes("@")) {
    return { ok: false, message: `That looks like an email address. Enter only the domain part (${lower.split("@").pop()}) or the Directory (tenant) ID.` };
  }
  if (v.includes("/")) return { ok: false, message: `Enter only the tenant, not a URL: ${example}.` };
  if (DOMAIN.test(v)) return { ok: true, tenant: lower };
  return { ok: false, message: `"${v}" is neither a tenant ID nor a domain. Enter ${example}; both are on the app's Overview page in the Azure portal.` };
}

/** Throws AppError for a single-tenant integration without a valid tenant; aliases are literal. */
export function tenantSegment(mode: TenantMode, tenant?: string): string {
  if (mode !== "single") return mode;
  const r = validateTenant(tenant ?? "");
  if (!r.ok) throw new AppError("invalid_input", r.message, "tenant");
  return r.tenant;
}

/** Per-deployment rewrite of Microsoft URLs, so emulators and tests see the real host in the path. */
export type HostMap = (url: URL) => URL;

export function hostMapFromBase(base: string | undefined): HostMap {
  if (!base) return (url) => new URL(url.href);
  const prefix = new URL(base).href.replace(/\/+$/, "");
  return (url) => new URL(`${prefix}/${url.host}${url.pathname}${url.search}${url.hash}`);
}

export type MailEndpoint = { host: string; port: number };
export type MailEndpoints = { imap: MailEndpoint; pop: MailEndpoint; smtp: MailEndpoint };

/**
 * IMAP/POP/SMTP are host:port, not URLs, so a deployment points them elsewhere (a test IMAP
 * server, the emulator) by passing one host for all three with optional ports.
 */
export function mailEndpoints(
  cloud: CloudId,
  mailHost?: { host: string; imapPort?: number; popPort?: number; smtpPort?: number },
): MailEndpoints {
  const p = CLOUDS[cloud];
  return {
    imap: { host: mailHost?.host ?? p.imapHost, port: mailHost?.imapPort ?? 993 },
    pop: { host: mailHost?.host ?? p.popHost, port: mailHost?.popPort ?? 995 },
    // 587 STARTTLS is the documented client-submission port (§5.2).
    smtp: { host: mailHost?.host ?? p.smtpHost, port: mailHost?.smtpPort ?? 587 },
  };
}

export type Endpoints = {
  authority: string;
  authorize: string;
  token: string;
  adminConsent: string;
  discovery: string;
  jwks: string;
  logout: string;
  graphBase: string;
  imap: { host: string; port: 993 };
  pop: { host: string; port: 995 };
  smtp: { host: string; port: 587 };
  notes: string[];
};

export class EndpointConfigError extends AppError {
  constructor(message: string, field: "authorize" | "token" | "tenant") {
    super("invalid_input", message, field);
    this.name = "EndpointConfigError";
  }
}

const ADMIN_CONSENT_COMMON_NOTE =
  "Admin consent uses organizations instead of common: Microsoft's v2 admin-consent page says not to use common there (an older client-credentials page allows it).";

export function deriveEndpoints(input: {
  cloud: CloudId;
  tenantMode: TenantMode;
  tenant?: string;
  overrides?: { authorize?: string; token?: string };
  hostMap?: HostMap;
  /**
   * Defaults to true: the deployment's custom-host policy is enforced when an override is saved
   * (validateEndpointOverride), and a stored override must keep working on pages that don't know
   * the policy. Cloud, tenant, kind and v1/v2 are re-checked either way.
   */
  allowCustomHosts?: boolean;
}): Endpoints {
  const p = CLOUDS[input.cloud];
  const map = input.hostMap ?? ((u: URL) => u);
  const url = (host: string, path: string) => map(new URL(`https://${host}${path}`)).href;
  const seg = tenantSegment(input.tenantMode, input.tenant);
  const at = (path: string) => url(p.loginHost, `/${seg}${path}`);
  const notes = [...p.notes];

  // §2.3: v2 admin consent refuses `common`; admins consent for an organization anyway.
  const consentSeg = input.tenantMode === "common" ? "organizations" : seg;
  if (input.tenantMode === "common") notes.push(ADMIN_CONSENT_COMMON_NOTE);

  const override = (kind: "authorize" | "token"): string | undefined => {
    const raw = input.overrides?.[kind];
    if (!raw) return undefined;
    const r = validateEndpointOverride({ ...input, url: raw, kind, allowCustomHosts: input.allowCustomHosts ?? true });
    if (!r.ok) throw new EndpointConfigError(`The ${kind} URL override is invalid: ${r.message}`, kind);
    notes.push(`The ${kind} URL is overridden by an admin: ${r.url}`);
    const parsed = new URL(r.url);
    // Overrides are stored in Microsoft's form; the deployment's map still applies to them.
    return loginHostsOf(input.cloud).includes(parsed.host) ? map(parsed).href : r.url;
  };

  const authorize = override("authorize");
  const token = override("token");
  // One integration talks to one authority: with an override, discovery (and so the issuer), the
  // signing keys, admin consent and logout come from the overridden authority, the prefix before
  // /oauth2/v2.0/{kind} (§1.2), not from the cloud's host. The token endpoint's wins: it issues the tokens.
  const overridden = authorityOf(token) ?? authorityOf(authorize);
  const authority = overridden ?? url(p.loginHost, `/${seg}`);
  const from = (path: string) => (overridden ? `${overridden}${path}` : at(path));
  const adminConsent = overridden ? `${overridden.replace(/\/[^/]+$/, `/${consentSeg}`)}/v2.0/adminconsent` : url(p.loginHost, `/${consentSeg}/v2.0/adminconsent`);

  return {
    authority,
    authorize: authorize ?? from("/oauth2/v2.0/authorize"),
    token: token ?? from("/oauth2/v2.0/token"),
    adminConsent,
    discovery: from("/v2.0/.well-known/openid-configuration"),
    jwks: from("/discovery/v2.0/keys"),
    logout: from("/oauth2/v2.0/logout"),
    graphBase: url(p.graphHost, "/v1.0"),
    imap: { host: p.imapHost, port: 993 },
    pop: { host: p.popHost, port: 995 },
    smtp: { host: p.smtpHost, port: 587 },
    notes,
  };
}

/** `https://host/…/{tenant}` from `https://host/…/{tenant}/oauth2/v2.0/{authorize|token}`; undefined for other layouts. */
function authorityOf(endpoint: string | undefined): string | undefined {
  const m = endpoint?.match(/^(https?:\/\/.+\/[^/]+)\/oauth2\/v2\.0\/(?:authorize|token)$/i);
  return m?.[1];
}

type OverrideInput = {
  url: string;
  kind: "authorize" | "token";
  cloud: CloudId;
  tenantMode: TenantMode;
  tenant?: string;
  allowCustomHosts: boolean;
  hostMap?: HostMap;
};

const ALL_LOGIN_HOSTS = [...new Set(CLOUD_IDS.flatMap(loginHostsOf))];

function describeTenant(mode: TenantMode, seg: string): string {
  if (mode === "organizations") return "any organization (organizations)";
  if (mode === "common") return "work and personal accounts (common)";
  return `tenant ${seg}`;
}

export function validateEndpointOverride(input: OverrideInput): { ok: true; url: string } | { ok: false; message: string } {
  const { kind, cloud, allowCustomHosts } = input;
  const p = CLOUDS[cloud];
  const fail = (message: string) => ({ ok: false as const, message });
  let seg: string;
  try {
    seg = tenantSegment(input.tenantMode, input.tenant);
  } catch (e) {
    return fail(`Set the integration's tenant first. ${(e as Error).message}`);
  }
  const expected = `https://${p.loginHost}/${seg}/oauth2/v2.0/${kind}`;
  const raw = input.url.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`"${raw}" is not a URL. Enter a full address such as ${expected}.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail(`Only https:// addresses can be used. Use ${expected}.`);
  if (url.username || url.password) return fail("Remove the user name and password from the URL; credentials never go in an endpoint address.");
  if (url.search || url.hash) return fail(`Remove everything from "?" or "#" on; the portal adds the request parameters itself. Use ${expected}.`);

  let host = url.host;
  let path = url.pathname;
  let mapped = false;
  if (input.hostMap) {
    for (const h of ALL_LOGIN_HOSTS) {
      const prefix = input.hostMap(new URL(`https://${h}/`)).href;
      if (url.href.startsWith(prefix)) {
        [host, path, mapped] = [h, `/${url.href.slice(prefix.length)}`, true];
        break;
      }
    }
  }
  // The deployment's own map may point at http (a local emulator); that is not the admin's choice.
  if (url.protocol === "http:" && !mapped && !allowCustomHosts) return fail(`The address must start with https://. Use ${expected}.`);

  const owners = cloudsUsingHost(host, "login");
  const isMicrosoft = owners.length > 0;
  if (isMicrosoft && !owners.includes(cloud)) {
    return fail(`${host} is the sign-in host of ${describeClouds(owners)}; this integration is ${p.label}, whose host is ${p.loginHost}. Use ${expected}.`);
  }
  if (!isMicrosoft && !allowCustomHosts) {
    const api = cloudsUsingHost(host, "graph").length ? "the Microsoft Graph API host" : cloudsUsingHost(host, "outlook").length ? "an Exchange Online host" : undefined;
    const what = api ? `${host} is ${api}, not a sign-in host` : `${host} is not a Microsoft sign-in host`;
    return fail(`${what}. This integration is ${p.label}, whose sign-in host is ${p.loginHost}: use ${expected}.`);
  }

  const segs = path.split("/").filter(Boolean);
  const at = segs.findIndex((s) => s.toLowerCase() === "oauth2");
  const shape = `/${seg}/oauth2/v2.0/${kind}`;
  // Other identity providers (allowed only with custom hosts) have their own path layouts.
  if (at < 0 && !isMicrosoft) return { ok: true, url: url.href.replace(/\/+$/, "") };
  if (at < 0 || (isMicrosoft && at !== 1) || at === 0) return fail(`The path must be ${shape}. Use ${expected}.`);
  const urlTenant = segs[at - 1]!;
  const rest = segs.slice(at + 1).map((s) => s.toLowerCase());
  const isKind = (s: string | undefined) => s === "authorize" || s === "token";

  if (rest.length === 1 && isKind(rest[0])) {
    return fail(`That is the v1.0 endpoint (/oauth2/${rest[0]}); use …/oauth2/v2.0/${kind}, the v2.0 endpoint this portal speaks: ${expected}.`);
  }
  if (rest.length !== 2 || rest[0] !== "v2.0" || !isKind(rest[1])) return fail(`The path must end in /oauth2/v2.0/${kind}. Use ${expected}.`);
  if (rest[1] !== kind) {
    return fail(`That is the ${rest[1]} endpoint, but this field is for the ${kind} endpoint. Put it in the ${rest[1]} URL field and use ${expected} here.`);
  }
  if (urlTenant.toLowerCase() !== seg) {
    const hint = ALIASES.has(urlTenant.toLowerCase()) || input.tenantMode !== "single" ? " To sign in a different audience, change the tenant mode instead." : "";
    return fail(`The URL names ${ALIASES.has(urlTenant.toLowerCase()) ? urlTenant : `tenant ${urlTenant}`} but the integration is for ${describeTenant(input.tenantMode, seg)}. Use ${expected}.${hint}`);
  }
  return { ok: true, url: url.href.replace(/\/+$/, "") };
}
