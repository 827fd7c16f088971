export type Cloud = "global" | "usgov" | "china";

/**
 * GCC High and DoD share the US Gov login host but not their resources (Graph
 * and Exchange hosts differ), so a usgov tenant also says which one it is.
 */
export type Subcloud = "gcchigh" | "dod";
export const SUBCLOUDS: Subcloud[] = ["gcchigh", "dod"];

export interface CloudInfo {
  /** Path prefix in the emulator, equal to Microsoft's login host for the cloud. */
  loginHost: string;
  graphHost: string;
  cloudInstanceName: string;
  /** Discovery's `cloud_graph_host_name`: the retired Azure AD Graph host of the cloud. */
  cloudGraphHostName: string;
  /** Discovery's `rbac_url`. */
  rbacUrl: string;
  /** Graph tokens are v1 tokens whose issuer is the cloud's STS host, not the login host. */
  v1Issuer: (tenantId: string) => string;
}

export const CLOUDS: Record<Cloud, CloudInfo> = {
  global: {
    loginHost: "login.microsoftonline.com",
    graphHost: "graph.microsoft.com",
    cloudInstanceName: "microsoftonline.com",
    cloudGraphHostName: "graph.windows.net",
    rbacUrl: "https://pas.windows.net",
    v1Issuer: (tid) => `https://sts.windows.net/${tid}/`,
  },
  usgov: {
    loginHost: "login.microsoftonline.us",
    graphHost: "graph.microsoft.us",
    cloudInstanceName: "microsoftonline.us",
    cloudGraphHostName: "graph.windows.net",
    rbacUrl: "https://pasff.usgovcloudapi.net",
    v1Issuer: (tid) => `https://sts.windows.net/${tid}/`,
  },
  china: {
    loginHost: "login.partner.microsoftonline.cn",
    graphHost: "microsoftgraph.chinacloudapi.cn",
    cloudInstanceName: "partner.microsoftonline.cn",
    cloudGraphHostName: "graph.chinacloudapi.cn",
    rbacUrl: "https://pas.chinacloudapi.cn",
    v1Issuer: (tid) => `https://sts.chinacloudapi.cn/${tid}/`,
  },
};

export const CLOUD_NAMES = Object.keys(CLOUDS) as Cloud[];

export function cloudForLoginHost(host: string): Cloud | undefined {
  return CLOUD_NAMES.find((c) => CLOUDS[c].loginHost === host.toLowerCase());
}

/** Graph hosts also serve OIDC userinfo; DoD Graph shares the US Gov login host. */
export const GRAPH_HOSTS = [...CLOUD_NAMES.map((c) => CLOUDS[c].graphHost), "dod-graph.microsoft.us"];

/** The tenant GUID Microsoft uses for personal accounts (`consumers`). */
export const CONSUMERS_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad";
