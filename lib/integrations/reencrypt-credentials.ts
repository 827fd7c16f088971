import type { Db } from "@/lib/db-client";
import { decryptField, encryptField, needsReencryption, type Keyring } from "@/lib/crypto";

/**
 * Re-encrypts every integration credential made with an older key under the newest one.
 * Each row is rewritten only if it did not change meanwhile (compare-and-set on the old
 * ciphertext), so it is safe while the portal runs on PostgreSQL.
 */
export async function reencryptIntegrations(db: Db, keyring: Keyring): Promise<{ examined: number; reencrypted: number }> {
  const rows = await db.integration.findMany({ select: { id: true, orgId: true, secretEncrypted: true, privateKeyEncrypted: true } });
  let reencrypted = 0;
  for (const row of rows) {
    for (const [column, field] of [["secretEncrypted", "secret"], ["privateKeyEncrypted", "privateKey"]] as const) {
      const stored = row[column];
      if (!stored || !needsReencryption(keyring, stored)) continue;
      const ctx = { orgId: row.orgId, table: "Integration", rowId: row.id, field };
      const fresh = encryptField(keyring, decryptField(keyring, stored, ctx), ctx);
      const { count } = await db.integration.updateMany({ where: { id: row.id, [column]: stored }, data: { [column]: fresh } });
      reencrypted += count;
    }
  }
  return { examined: rows.length, reencrypted };
}
