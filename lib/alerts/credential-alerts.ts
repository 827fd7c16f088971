import type { Tx } from "@/lib/db-client";
import { emitEvent, type QueuedDelivery } from "./emit";
import { failureInWords, integrationRef, integrationUrl, orgRef } from "./payloads";

// An integration's credentials check (daily in the worker, or "Check credentials" by hand) moving
// between passing and failing: integration.credentials_failing once when it starts failing (the
// secret expired or was deleted, the certificate removed), integration.credentials_recovered once
// when it passes again. credentialsAlerted remembers what was last said.

type StoredStep = { id?: string; status?: string; diagnosis?: string; detail?: string; label?: string };

export async function evaluateCredentials(tx: Tx, now: Date, publicUrl: string): Promise<QueuedDelivery[]> {
  const rows = await tx.integration.findMany({
    where: {
      OR: [
        { status: "FAILING", credentialsAlerted: null },
        { status: "FAILING", credentialsAlerted: "ok" },
        { status: "CREDENTIALS_OK", credentialsAlerted: "failing" },
      ],
    },
    select: { id: true, orgId: true, name: true, cloud: true, status: true, lastCheck: true, org: { select: { id: true, slug: true, name: true } }, _count: { select: { connections: true } } },
    take: 500,
  });
  const deliveries: QueuedDelivery[] = [];
  for (const i of rows) {
    const integration = { ...integrationRef(i), url: integrationUrl(publicUrl, i.org.slug, i.id) };
    if (i.status === "FAILING") {
      const steps = ((i.lastCheck as { steps?: StoredStep[] } | null)?.steps ?? []) as StoredStep[];
      const failed = steps.find((s) => s.status === "failed");
      const code = failed?.diagnosis ?? "credentials_check_failed";
      const reason = failed ? `${failed.label ?? failed.id ?? "A step"} failed${failed.detail ? `: ${failed.detail}` : "."}` : "The credentials check failed.";
      const r = await emitEvent(tx, { orgId: i.orgId, type: "integration.credentials_failing", integrationId: i.id, data: { org: orgRef(i.org), integration, failure: failureInWords(code, "misconfigured", reason), mailboxes: i._count.connections } }, now);
      deliveries.push(...r.deliveries);
      await tx.integration.update({ where: { id: i.id }, data: { credentialsAlerted: "failing" } });
    } else {
      const r = await emitEvent(tx, { orgId: i.orgId, type: "integration.credentials_recovered", integrationId: i.id, data: { org: orgRef(i.org), integration, mailboxes: i._count.connections } }, now);
      deliveries.push(...r.deliveries);
      await tx.integration.update({ where: { id: i.id }, data: { credentialsAlerted: "ok" } });
    }
  }
  return deliveries;
}
