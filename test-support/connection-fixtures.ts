import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import { saveConnection } from "@/lib/connections/connections";

/** A connection stored through the app's own save (no Microsoft involved): for tests of what is done with stored rows. */
export async function savedConnection(
  db: Db,
  keyring: Keyring,
  s: { org: { id: string }; owner: { id: string; email: string }; integration: { id: string; configVersion: number } },
  over: { mailbox?: string; lastUsedAt?: Date; tenantId?: string } = {},
): Promise<string> {
  const mailbox = over.mailbox ?? `m-${randomBytes(4).toString("hex")}@contoso.test`;
  const { id } = await saveConnection(db, keyring, {
    orgId: s.org.id,
    integrationId: s.integration.id,
    mailbox,
    mailboxKind: "USER",
    tenantId: over.tenantId ?? randomUUID(),
    objectId: randomUUID(),
    upn: mailbox,
    displayName: null,
    consentType: "USER",
    requestedScopes: [],
    grantedScopes: [],
    consentedConfigVersion: s.integration.configVersion,
    refreshToken: "1.A-not-a-real-refresh-token",
    accessTokens: [],
    connectedById: s.owner.id,
  }, s.owner);
  if (over.lastUsedAt) await db.connection.update({ where: { id }, data: { refreshTokenLastUsedAt: over.lastUsedAt } });
  return id;
}
