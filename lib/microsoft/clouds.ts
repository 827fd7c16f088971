// Hosts per Microsoft cloud. Facts: shared reference "microsoft-identity.md" §1.3, §5.2 and §8.
// Where Microsoft's own sources disagree we pick one value and say so in `notes`, because the
// admin sees those notes next to the endpoint fields they may override.

export const CLOUD_IDS = ["global", "gcc", "gcc-high", "dod", "china"] as const;
export type CloudId = (typeof CLOUD_IDS)[number];

export type CloudProfile = {
  id: CloudId;
  label: string;
  description: string;
  loginHost: string;
  azurePortal: string;
  entraAdmin: string;
  graphHost: string;
  outlookDelegatedResource: string;
  outlookAppResource: string;
  imapHost: string;
  popHost: string;
  smtpHost: string;
  personalAccounts: boolean;
  notes: string[];
};

// §8.1: the national-cloud identity page and Microsoft's CSS-Exchange script agree on the
// partner host (and the emulator serves it), so the Graph page's host is the outlier.
const CHINA_LOGIN_NOTE =
  "Microsoft's documents disagree on the China sign-in host: the national-cloud identity page uses login.partner.microsoftonline.cn (used here), the Graph deployments page uses login.chinacloudapi.cn. If sign-in fails, read the tenant's discovery document and override the authorize and token URLs.";
const CHINA_SMTP_NOTE =
  "No Microsoft page names the China SMTP submission host; community guides give smtp.partner.outlook.cn (used here) or partner.outlook.cn.";
// §8.2: the CSS-Exchange script is Microsoft-owned; EmailEngine's docs are third-party.
const DOD_SCOPE_NOTE =
  "Sources disagree on the DoD Exchange Online scope prefix: Microsoft's CSS-Exchange script uses https://outlook-dod.office365.us (used here), EmailEngine's guide uses https://outlook.office365.us. If IMAP, POP or SMTP sign-in is refused with an invalid-scope or audience error, add the https://outlook.office365.us/… scopes as extra scopes and verify with a DoD tenant.";
const DOD_SMTP_NOTE =
  "The DoD SMTP host outlook-dod.office365.us comes from community guides only; no Microsoft page names it.";
const GCC_HIGH_SMTP_NOTE =
  "The GCC High SMTP host smtp.office365.us comes from community guides only; no Microsoft page names it.";
const GCC_MAIL_NOTE =
  "No Microsoft page names GCC's IMAP host; by Microsoft's rule that GCC uses the worldwide endpoints it is outlook.office365.com.";

const WORLDWIDE = {
  loginHost: "login.microsoftonline.com",
  azurePortal: "https://portal.azure.com",
  entraAdmin: "https://entra.microsoft.com",
  graphHost: "graph.microsoft.com",
  outlookDelegatedResource: "https://outlook.office.com",
  outlookAppResource: "https://outlook.office365.com",
  imapHost: "outlook.office365.com",
  popHost: "outlook.office365.com",
  smtpHost: "smtp.office365.com",
} as const;

// Not in the shared reference: Microsoft's admin-center list gives entra.microsoft.us for both
// US Government clouds and entra.microsoftonline.cn for 21Vianet.
const US_GOV_ENTRA = "https://entra.microsoft.us";

export const CLOUDS: Record<CloudId, CloudProfile> = {
  global: {
    id: "global",
    label: "Global (worldwide)",
    description: "Microsoft 365 worldwide, including Outlook.com personal accounts. Most organizations are here.",
    ...WORLDWIDE,
    personalAccounts: true,
    notes: [],
  },
  gcc: {
    id: "gcc",
    label: "US Government GCC",
    description:
      "US Government Community Cloud (GCC, moderate). It uses the same worldwide hosts as the Global cloud: portal.azure.com, login.microsoftonline.com and graph.microsoft.com.",
    ...WORLDWIDE,
    personalAccounts: false,
    notes: [GCC_MAIL_NOTE],
  },
  "gcc-high": {
    id: "gcc-high",
    label: "US Government GCC High",
    description: "US Government GCC High (L4). Separate hosts ending in .us; apps must be registered in portal.azure.us.",
    loginHost: "login.microsoftonline.us",
    azurePortal: "https://portal.azure.us",
    entraAdmin: US_GOV_ENTRA,
    graphHost: "graph.microsoft.us",
    outlookDelegatedResource: "https://outlook.office365.us",
    outlookAppResource: "https://outlook.office365.us",
    imapHost: "outlook.office365.us",
    popHost: "outlook.office365.us",
    smtpHost: "smtp.office365.us",
    personalAccounts: false,
    notes: [GCC_HIGH_SMTP_NOTE],
  },
  dod: {
    id: "dod",
    label: "US Government DoD",
    description:
      "US Department of Defense (L5). Shares the GCC High sign-in host and portal, but has its own Graph and Exchange hosts.",
    loginHost: "login.microsoftonline.us",
    azurePortal: "https://portal.azure.us",
    entraAdmin: US_GOV_ENTRA,
    graphHost: "dod-graph.microsoft.us",
    outlookDelegatedResource: "https://outlook-dod.office365.us",
    outlookAppResource: "https://outlook-dod.office365.us",
    imapHost: "outlook-dod.office365.us",
    popHost: "outlook-dod.office365.us",
    smtpHost: "outlook-dod.office365.us",
    personalAccounts: false,
    notes: [DOD_SCOPE_NOTE, DOD_SMTP_NOTE],
  },
  china: {
    id: "china",
    label: "China (operated by 21Vianet)",
    description: "Microsoft 365 operated by 21Vianet in China. Separate hosts; apps must be registered in portal.azure.cn.",
    loginHost: "login.partner.microsoftonline.cn",
    azurePortal: "https://portal.azure.cn",
    entraAdmin: "https://entra.microsoftonline.cn",
    graphHost: "microsoftgraph.chinacloudapi.cn",
    outlookDelegatedResource: "https://partner.outlook.cn",
    outlookAppResource: "https://partner.outlook.cn",
    imapHost: "partner.outlook.cn",
    popHost: "partner.outlook.cn",
    smtpHost: "smtp.partner.outlook.cn",
    personalAccounts: false,
    notes: [CHINA_LOGIN_NOTE, CHINA_SMTP_NOTE],
  },
};

/**
 * Hosts that are also right for a cloud although the profile picked another value (§8), so an
 * admin's override or extra scope that uses them is accepted rather than called "wrong cloud".
 */
const ALTERNATES: Partial<Record<CloudId, { loginHosts?: string[]; outlookResources?: string[] }>> = {
  china: { loginHosts: ["login.chinacloudapi.cn"] },
  dod: { outlookResources: ["https://outlook.office365.us"] },
};

export function loginHostsOf(cloud: CloudId): string[] {
  return [CLOUDS[cloud].loginHost, ...(ALTERNATES[cloud]?.loginHosts ?? [])];
}

/** Outlook resource URIs (no trailing slash) a delegated or app scope of this cloud may start with. */
export function outlookResourcesOf(cloud: CloudId): string[] {
  const p = CLOUDS[cloud];
  return [...new Set([p.outlookDelegatedResource, p.outlookAppResource, ...(ALTERNATES[cloud]?.outlookResources ?? [])])];
}

export type HostRole = "login" | "graph" | "outlook";

/** Which clouds use `host` in `role`; several when clouds share hosts (Global and GCC). */
export function cloudsUsingHost(host: string, role: HostRole): CloudId[] {
  const h = host.toLowerCase();
  return CLOUD_IDS.filter((id) => {
    if (role === "login") return loginHostsOf(id).includes(h);
    if (role === "graph") return CLOUDS[id].graphHost === h;
    return outlookResourcesOf(id).some((r) => new URL(r).host === h);
  });
}

/** "the Global and US Government GCC clouds" — for messages that name where a host belongs. */
export function describeClouds(ids: CloudId[]): string {
  const labels = ids.map((id) => CLOUDS[id].label);
  if (labels.length <= 1) return `the ${labels[0] ?? "unknown"} cloud`;
  return `the ${labels.slice(0, -1).join(", ")} and ${labels.at(-1)} clouds`;
}
