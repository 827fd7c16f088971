// Which Microsoft cloud a tenant lives in, read from the tenant's OpenID discovery document.
// Facts: shared reference "microsoft-identity.md" §1.4. Microsoft documents no schema for the
// fields that name the cloud, so only values the reference lists count; anything else is
// "unknown" and the admin chooses.
import { z } from "zod";
import { CLOUDS, CLOUD_IDS, cloudsUsingHost, type CloudId } from "./clouds";
import { deriveEndpoints, type HostMap } from "./endpoints";

export type CloudDetection = {
  /** The proposed cloud, or null when the document names none the portal knows. */
  cloud: CloudId | null;
  /** "sure": a field that names exactly one cloud; "likely": inferred from the family of hosts. */
  confidence: "sure" | "likely" | "unknown";
  /** The published fields the proposal rests on, as `name value` pairs, for the sentence "… publishes …". */
  evidence: string[];
  /** Why, when the proposal is a guess or there is none. */
  caveat?: string;
};

const discoverySchema = z.looseObject({
  issuer: z.string().optional(),
  cloud_instance_name: z.string().nullish(),
  tenant_region_scope: z.string().nullish(),
  tenant_region_sub_scope: z.string().nullish(),
  msgraph_host: z.string().nullish(),
});

const SUB_SCOPE: Record<string, CloudId> = { GCC: "gcc", DODCON: "gcc-high", DOD: "dod" };
const US_GOV_REGIONS = new Set(["USGOV", "USG"]);

type Family = "worldwide" | "usgov" | "china";
const FAMILY_OF_INSTANCE: Record<string, Family> = {
  "microsoftonline.com": "worldwide",
  "microsoftonline.us": "usgov",
  "partner.microsoftonline.cn": "china",
  "chinacloudapi.cn": "china",
};
const familyOfCloud = (c: CloudId): Family => (c === "china" ? "china" : c === "gcc-high" || c === "dod" ? "usgov" : "worldwide");

function familyOfLoginHost(host: string | undefined): Family | undefined {
  if (!host) return undefined;
  const clouds = cloudsUsingHost(host, "login");
  return clouds[0] ? familyOfCloud(clouds[0]) : undefined;
}

/**
 * The cloud a discovery document names. `issuerLoginHost` is the Microsoft login host behind the
 * document's issuer (the caller undoes any deployment host map); the issuer is used only when
 * cloud_instance_name is missing.
 */
export function detectCloud(document: unknown, opts: { issuerLoginHost?: string } = {}): CloudDetection {
  const parsed = discoverySchema.safeParse(document);
  if (!parsed.success) return { cloud: null, confidence: "unknown", evidence: [], caveat: "The discovery document is not the JSON object Microsoft publishes." };
  const d = parsed.data;
  const evidence: string[] = [];
  const sub = d.tenant_region_sub_scope?.trim();
  const region = d.tenant_region_scope?.trim();
  const instance = d.cloud_instance_name?.trim().toLowerCase();
  const graph = d.msgraph_host?.trim().toLowerCase();

  // The sub-scope is the only field that tells GCC from Global and GCC High from DoD.
  const bySub = sub ? SUB_SCOPE[sub.toUpperCase()] : undefined;
  if (instance) evidence.push(`cloud_instance_name ${instance}`);
  if (bySub) {
    evidence.push(`tenant_region_sub_scope ${sub}`);
    return { cloud: bySub, confidence: "sure", evidence };
  }

  let family: Family | undefined = instance ? FAMILY_OF_INSTANCE[instance] : undefined;
  if (!family && !instance) {
    family = familyOfLoginHost(opts.issuerLoginHost);
    if (family) evidence.push(`an issuer on ${opts.issuerLoginHost}`);
  }
  if (region && (US_GOV_REGIONS.has(region.toUpperCase()) || family)) evidence.push(`tenant_region_scope ${region}`);
  if (!family && region && US_GOV_REGIONS.has(region.toUpperCase())) family = "usgov";
  const unknownSub = sub ? ` It also publishes tenant_region_sub_scope ${sub}, a value Mailgrant does not know.` : "";

  if (family === "china") return { cloud: "china", confidence: "sure", evidence };
  if (family === "worldwide") {
    if (sub) return { cloud: null, confidence: "unknown", evidence, caveat: `The tenant is in the worldwide family of hosts, but publishes tenant_region_sub_scope ${sub}, a value Mailgrant does not know: choose between Global and GCC yourself.` };
    return { cloud: "global", confidence: "sure", evidence, caveat: "No tenant_region_sub_scope is published, which is how Global tenants look; GCC tenants publish GCC." };
  }
  if (family === "usgov") {
    if (graph === CLOUDS.dod.graphHost) {
      evidence.push(`msgraph_host ${graph}`);
      return { cloud: "dod", confidence: "likely", evidence, caveat: `No tenant_region_sub_scope is published; the Graph host ${graph} is DoD's.${unknownSub}` };
    }
    if (graph === CLOUDS["gcc-high"].graphHost) evidence.push(`msgraph_host ${graph}`);
    return {
      cloud: "gcc-high",
      confidence: "likely",
      evidence,
      caveat: `GCC High and DoD share these sign-in hosts and no tenant_region_sub_scope (DODCON for GCC High, DOD for DoD) is published, so this is a guess: DoD tenants use ${CLOUDS.dod.graphHost}.${unknownSub}`,
    };
  }
  return { cloud: null, confidence: "unknown", evidence, caveat: "The document names no cloud Mailgrant knows (no cloud_instance_name, tenant_region_sub_scope or Microsoft issuer): choose the cloud yourself." };
}

/** "contoso.us publishes cloud_instance_name microsoftonline.us and tenant_region_sub_scope DODCON: US Government GCC High." */
export function describeDetection(tenant: string, d: CloudDetection): string {
  const what = d.evidence.length ? `${tenant} publishes ${d.evidence.length > 1 ? `${d.evidence.slice(0, -1).join(", ")} and ${d.evidence.at(-1)}` : d.evidence[0]}` : `${tenant}'s discovery document names no cloud`;
  if (!d.cloud) return `${what}. ${d.caveat ?? ""}`.trim();
  return `${what}: ${CLOUDS[d.cloud].label}${d.confidence === "likely" ? " (probably)" : ""}.`;
}

export type TenantCloudLookup =
  | { kind: "found"; tenant: string; detection: CloudDetection; sentence: string; askedHost: string }
  | { kind: "not-found"; tenant: string; aadsts: 90002; description?: string; askedHosts: string[] }
  | { kind: "unavailable"; tenant: string; message: string };

// One login host per family: GCC shares Global's, DoD shares GCC High's.
const LOOKUP_CLOUDS: CloudId[] = ["global", "gcc-high", "china"];

/** The Microsoft login host behind a URL the deployment's host map may have rewritten. */
export function loginHostBehind(url: string, hostMap?: HostMap): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (cloudsUsingHost(parsed.host, "login").length) return parsed.host;
  if (!hostMap) return undefined;
  for (const id of CLOUD_IDS) {
    const host = CLOUDS[id].loginHost;
    if (parsed.href.startsWith(hostMap(new URL(`https://${host}/`)).href)) return host;
  }
  return undefined;
}

/**
 * Reads the tenant's discovery document from each cloud's login host in turn until one knows
 * the tenant. Global comes first and usually answers for every cloud's tenants (§1.4, medium
 * confidence); the other hosts are asked because a stand-in or a future Microsoft may not. Every URL comes from deriveEndpoints, so the
 * deployment's host map applies.
 */
export async function lookUpTenantCloud(tenant: string, opts: { hostMap?: HostMap; fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<TenantCloudLookup> {
  const doFetch = opts.fetch ?? fetch;
  const askedHosts: string[] = [];
  let description: string | undefined;
  for (const cloud of LOOKUP_CLOUDS) {
    const url = deriveEndpoints({ cloud, tenantMode: "single", tenant, ...(opts.hostMap ? { hostMap: opts.hostMap } : {}) }).discovery;
    askedHosts.push(CLOUDS[cloud].loginHost);
    let res: Response;
    try {
      res = await doFetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(opts.timeoutMs ?? 8000), cache: "no-store" });
    } catch {
      return { kind: "unavailable", tenant, message: `Could not reach ${CLOUDS[cloud].loginHost} to read the tenant's discovery document. Choose the cloud yourself.` };
    }
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) {
      const issuer = typeof (body as { issuer?: unknown })?.issuer === "string" ? (body as { issuer: string }).issuer : undefined;
      const detection = detectCloud(body, { issuerLoginHost: issuer ? loginHostBehind(issuer, opts.hostMap) : undefined });
      return { kind: "found", tenant, detection, sentence: describeDetection(tenant, detection), askedHost: CLOUDS[cloud].loginHost };
    }
    const codes = (body as { error_codes?: unknown })?.error_codes;
    if (res.status === 400 && Array.isArray(codes) && codes.includes(90002)) {
      const d = (body as { error_description?: unknown }).error_description;
      description ??= typeof d === "string" ? d.split(/\r?\n/)[0] : undefined;
      continue;
    }
    return { kind: "unavailable", tenant, message: `${CLOUDS[cloud].loginHost} answered HTTP ${res.status} for the tenant's discovery document. Choose the cloud yourself.` };
  }
  return { kind: "not-found", tenant, aadsts: 90002, ...(description ? { description } : {}), askedHosts };
}
