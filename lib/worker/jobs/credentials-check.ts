import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { HostMap } from "@/lib/microsoft/endpoints";
import { checkCredentials } from "@/lib/integrations/check-credentials";
import { getIntegrationWithSecrets, saveCheckResult } from "@/lib/integrations/integrations";
import { logger } from "@/lib/logger";
import { eachLimited } from "./each-limited";

// The daily credentials check: every integration asks Microsoft for an app-only token with its
// stored secret or certificate, as "Check credentials" does by hand, so a secret that expired or
// was deleted in Azure shows (and alerts: integration.credentials_failing) before a mailbox
// trips over it. Not audited per integration: the integration page shows the last result.

export type CredentialsSweepResult = { checked: number; failing: number; errors: number };

export async function credentialsSweep(deps: { db: Db; keyring: Keyring; hostMap?: HostMap }, opts: { now?: Date; concurrency?: number } = {}): Promise<CredentialsSweepResult> {
  const rows = await deps.db.integration.findMany({ where: { OR: [{ secretEncrypted: { not: null } }, { privateKeyEncrypted: { not: null } }] }, select: { id: true, orgId: true } });
  const result: CredentialsSweepResult = { checked: 0, failing: 0, errors: 0 };
  await eachLimited(rows, opts.concurrency ?? 4, async (r) => {
    try {
      const integration = await getIntegrationWithSecrets(deps.db, deps.keyring, r.orgId, r.id);
      const check = await checkCredentials(integration, { ...(deps.hostMap ? { hostMap: deps.hostMap } : {}), ...(opts.now ? { now: opts.now } : {}) });
      await saveCheckResult(deps.db, r.orgId, r.id, check.ok, JSON.parse(JSON.stringify(check)));
      result.checked += 1;
      if (!check.ok) result.failing += 1;
    } catch (err) {
      result.errors += 1;
      logger.warn({ err, orgId: r.orgId, integrationId: r.id }, "credentials sweep: could not check an integration");
    }
  });
  if (rows.length) logger.info(result, "credentials sweep done");
  return result;
}
