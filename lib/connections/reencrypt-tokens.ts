import type { Db } from "@/lib/db-client";
import { DecryptError, decryptField, encryptField, needsReencryption, type FieldContext, type Keyring } from "@/lib/crypto";

/**
 * Re-encrypts stored refresh and access tokens made with an older key under the newest one, with
 * the same compare-and-set on the old ciphertext as integrations (a token rotated meanwhile is
 * already under the new key and is left alone). PKCE verifiers of open consent flows live ten
 * minutes and are not worth it: a flow whose key was dropped just has to be started again.
 */
export async function reencryptConnections(db: Db, keyring: Keyring): Promise<{ examined: number; reencrypted: number; unreadable: number }> {
  let reencrypted = 0;
  let unreadable = 0;
  // A token that does not decrypt (its key is gone, or it was tampered with) is counted, not fatal:
  // that connection needs re-consent either way, and the others should still move.
  const again = (ctx: FieldContext, stored: string): string | null => {
    try {
      return encryptField(keyring, decryptField(keyring, stored, ctx), ctx);
    } catch (e) {
      if (!(e instanceof DecryptError)) throw e;
      unreadable += 1;
      return null;
    }
  };
  const connections = await db.connection.findMany({ select: { id: true, orgId: true, refreshTokenEncrypted: true } });
  for (const row of connections) {
    const stored = row.refreshTokenEncrypted;
    if (!stored || !needsReencryption(keyring, stored)) continue;
    const fresh = again({ orgId: row.orgId, table: "Connection", rowId: row.id, field: "refreshToken" }, stored);
    if (fresh) reencrypted += (await db.connection.updateMany({ where: { id: row.id, refreshTokenEncrypted: stored }, data: { refreshTokenEncrypted: fresh } })).count;
  }
  const tokens = await db.connectionAccessToken.findMany({ select: { connectionId: true, resource: true, tokenEncrypted: true, connection: { select: { orgId: true } } } });
  for (const row of tokens) {
    if (!needsReencryption(keyring, row.tokenEncrypted)) continue;
    const fresh = again({ orgId: row.connection.orgId, table: "ConnectionAccessToken", rowId: row.connectionId, field: row.resource }, row.tokenEncrypted);
    if (fresh) reencrypted += (await db.connectionAccessToken.updateMany({ where: { connectionId: row.connectionId, resource: row.resource, tokenEncrypted: row.tokenEncrypted }, data: { tokenEncrypted: fresh } })).count;
  }
  return { examined: connections.length, reencrypted, unreadable };
}
