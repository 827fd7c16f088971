// npm run keys:reencrypt — after putting a new key first in MAILGRANT_ENCRYPTION_KEYS (keep the
// old ones after it), re-encrypt every stored credential and token under the new key. Then the old keys
// can be removed. Stop the portal first when it uses the embedded database.
import path from "node:path";
import { existsSync } from "node:fs";
import { createPrismaClient } from "../lib/db-client";
import { parseKeyring } from "../lib/crypto";
import { reencryptIntegrations } from "../lib/integrations/reencrypt-credentials";
import { reencryptConnections } from "../lib/connections/reencrypt-tokens";
import { loadOrCreateLocalSecrets } from "./local-secrets";
import { dataDirectory, databaseUrl } from "../lib/env";
import { record } from "../lib/audit/record";

const root = path.resolve(import.meta.dirname, "..");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
try {
  const keyring = parseKeyring(process.env.MAILGRANT_ENCRYPTION_KEYS ?? loadOrCreateLocalSecrets(dataDirectory()).encryptionKey);
  const database = await createPrismaClient(databaseUrl());
  const { examined, reencrypted } = await reencryptIntegrations(database.prisma, keyring);
  const tokens = await reencryptConnections(database.prisma, keyring);
  await record(database.prisma, {
    action: "keys.reencrypted",
    actor: { id: null, email: `operator (${process.env.USER ?? "npm run keys:reencrypt"})` },
    data: { key: keyring.current.id, credentials: reencrypted, integrations: examined, tokens: tokens.reencrypted, connections: tokens.examined, unreadable: tokens.unreadable },
  });
  await database.close();
  console.log(`Re-encrypted ${reencrypted} credential${reencrypted === 1 ? "" : "s"} of ${examined} integration${examined === 1 ? "" : "s"} under key "${keyring.current.id}".`);
  console.log(`Re-encrypted ${tokens.reencrypted} token${tokens.reencrypted === 1 ? "" : "s"} of ${tokens.examined} mailbox connection${tokens.examined === 1 ? "" : "s"}.`);
  if (tokens.unreadable > 0) console.log(`${tokens.unreadable} token(s) could not be decrypted with any configured key: those mailboxes must re-consent.`);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
