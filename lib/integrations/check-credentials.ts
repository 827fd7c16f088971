import type { CloudId } from "@/lib/microsoft/clouds";
import type { Purpose } from "@/lib/microsoft/scopes";
import { appOnlyScope } from "@/lib/microsoft/scopes";
import { type HostMap } from "@/lib/microsoft/endpoints";
import { requestAppOnlyToken, type MicrosoftError } from "@/lib/microsoft/token-client";
import type { IntegrationWithSecrets } from "./integrations";
import { credentialOf, daysUntil, endpointsOf } from "./integrations";

// "Check credentials": an app-only token per resource (client credentials with `.default`).
// It needs no user and proves tenant, client id, credential and cloud. The result is a
// checklist in which the first failing step carries the diagnosis and the raw error.

export type StepId = "reachable" | "tenant" | "app" | "credential" | "expiry" | "resource-graph" | "resource-outlook";
export type CheckStep = { id: StepId; label: string; status: "ok" | "failed" | "warning" | "skipped"; detail?: string; diagnosis?: string };
export type CheckResult = { ok: boolean; checkedAt: string; steps: CheckStep[]; error?: MicrosoftError; tokenEndpoint: string };

/**
 * Which step an AADSTS code proves wrong; every earlier step passed. "resource" means the step of
 * the resource whose token was being requested.
 */
const FAILED_STEP: Record<number, Exclude<StepId, "resource-graph" | "resource-outlook"> | "resource"> = {
  90002: "tenant",
  90009: "tenant",
  50059: "tenant",
  700016: "app",
  50194: "app",
  7000215: "credential",
  7000218: "credential",
  700027: "credential",
  700024: "credential",
  53003: "credential",
  7000222: "expiry",
  500011: "resource",
  650052: "resource",
  70011: "resource",
};

const ORDER: StepId[] = ["reachable", "tenant", "app", "credential", "expiry", "resource-graph", "resource-outlook"];

export function resourcesFor(purposes: Purpose[]): ("graph" | "outlook")[] {
  const r: ("graph" | "outlook")[] = [];
  if (purposes.some((p) => p === "graph-read" || p === "graph-send")) r.push("graph");
  if (purposes.some((p) => p === "imap" || p === "pop" || p === "smtp" || p === "ews")) r.push("outlook");
  return r;
}

function labels(i: { cloud: string; tenant: string | null; clientId: string; credentialType: string }): Record<StepId, string> {
  return {
    reachable: "Microsoft's login host answers",
    tenant: `Tenant ${i.tenant ?? ""} found in this cloud`.replace("  ", " "),
    app: `App ${i.clientId} found in the tenant`,
    credential: i.credentialType === "CERTIFICATE" ? "Certificate accepted" : "Client secret accepted",
    expiry: i.credentialType === "CERTIFICATE" ? "Certificate not expired" : "Client secret not expired",
    "resource-graph": "Microsoft Graph available to the app",
    "resource-outlook": "Exchange Online (IMAP/POP/SMTP) available to the app",
  };
}

export async function checkCredentials(i: IntegrationWithSecrets, opts: { hostMap?: HostMap; now?: Date; timeoutMs?: number } = {}): Promise<CheckResult> {
  // Client credentials need a real tenant: a multi-tenant integration is checked in its home
  // tenant, so ask for that tenant's endpoints rather than the /organizations ones.
  const inHomeTenant = i.tenantMode !== "single" && i.tenant && !i.tokenEndpoint;
  const { token: tokenEndpoint } = endpointsOf(i, opts.hostMap, inHomeTenant ? { mode: "single", tenant: i.tenant ?? undefined } : undefined);
  const names = labels(i);
  const resources = resourcesFor(i.purposes as Purpose[]);
  const relevant = ORDER.filter((s) => !s.startsWith("resource-") || resources.includes(s.slice("resource-".length) as "graph" | "outlook"));
  if (i.tenantMode !== "single" && !i.tenant && !i.tokenEndpoint) {
    // Microsoft refuses app-only tokens from /organizations and /common (AADSTS50059): say what to add instead.
    const steps = relevant.map((id): CheckStep =>
      id === "tenant"
        ? { id, label: "Home tenant known", status: "failed", diagnosis: "AADSTS50059", detail: "Add the home tenant (the Directory (tenant) ID where the app is registered) on the Edit page: an app-only token can only be requested from a specific tenant." }
        : { id, label: names[id], status: "skipped", detail: "Not checked: an earlier step failed." },
    );
    return { ok: false, checkedAt: (opts.now ?? new Date()).toISOString(), steps, tokenEndpoint };
  }
  const credential = credentialOf(i);
  const status = new Map<StepId, CheckStep>();
  let error: MicrosoftError | undefined;

  for (const resource of resources) {
    const result = await requestAppOnlyToken({ tokenEndpoint, clientId: i.clientId, credential, scope: appOnlyScope(i.cloud as CloudId, resource), timeoutMs: opts.timeoutMs });
    if (result.ok) {
      status.set(`resource-${resource}`, { id: `resource-${resource}`, label: names[`resource-${resource}`], status: "ok", detail: "An app-only token was issued." });
      continue;
    }
    error = result.error;
    const mapped = error.kind === "oauth" ? (FAILED_STEP[error.aadsts ?? 0] ?? "credential") : "reachable";
    const failed: StepId = mapped === "resource" ? `resource-${resource}` : mapped;
    const diagnosis = error.kind === "oauth" ? (error.aadsts ? `AADSTS${error.aadsts}` : error.error) : error.kind;
    status.set(failed, { id: failed, label: names[failed], status: "failed", diagnosis, detail: error.description?.split(/\r?\n/)[0] });
    break;
  }

  const failedAt = relevant.findIndex((s) => status.get(s)?.status === "failed");
  const steps = relevant.map((id, index): CheckStep => {
    const known = status.get(id);
    if (known) return known;
    if (failedAt !== -1 && index > failedAt) return { id, label: names[id], status: "skipped", detail: "Not checked: an earlier step failed." };
    return { id, label: names[id], status: "ok" };
  });
  const expiry = steps.find((s) => s.id === "expiry");
  const days = daysUntil(i.credentialType === "CERTIFICATE" ? i.certificateExpiresAt : i.secretExpiresAt, opts.now);
  if (expiry?.status === "ok" && days !== null) {
    expiry.detail = days < 0 ? "Microsoft still accepts it, but the expiry date you recorded has passed: check it." : `Expires in ${days} day${days === 1 ? "" : "s"}.`;
    if (days < 30) expiry.status = "warning";
  }
  return { ok: failedAt === -1, checkedAt: (opts.now ?? new Date()).toISOString(), steps, error, tokenEndpoint };
}
