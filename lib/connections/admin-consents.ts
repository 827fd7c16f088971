import type { Db } from "@/lib/db-client";

/** Admin consents recorded for an integration, newest first. */
export async function listAdminConsents(db: Db, orgId: string, integrationId: string) {
  return db.adminConsent.findMany({ where: { orgId, integrationId }, orderBy: { grantedAt: "desc" } });
}
