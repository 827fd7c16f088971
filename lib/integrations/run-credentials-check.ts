import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import { record, type RequestMeta } from "@/lib/audit/record";
import type { HostMap } from "@/lib/microsoft/endpoints";
import { checkCredentials } from "./check-credentials";
import { getIntegrationWithSecrets, saveCheckResult } from "./integrations";

type Actor = { id: string; email: string };

/** "Check credentials": asks Microsoft for an app-only token per resource, stores the checklist, audits who ran it. */
export async function runCredentialsCheck(deps: { db: Db; keyring: Keyring; hostMap?: HostMap }, orgId: string, integrationId: string, actor: Actor, meta?: RequestMeta) {
  const integration = await getIntegrationWithSecrets(deps.db, deps.keyring, orgId, integrationId);
  const result = await checkCredentials(integration, { hostMap: deps.hostMap });
  await saveCheckResult(deps.db, orgId, integrationId, result.ok, JSON.parse(JSON.stringify(result)));
  const failed = result.steps.find((s) => s.status === "failed");
  await record(deps.db, { action: "integration.credentials_checked", orgId, actor, targetType: "integration", targetId: integrationId, data: { name: integration.name, ok: result.ok, ...(failed ? { failedStep: failed.id, diagnosis: failed.diagnosis ?? null } : {}) }, meta });
  return result;
}
