import { decryptField, encryptField, type Keyring } from "@/lib/crypto";

// A webhook channel's signing secret, an envelope bound to its org, row and column (lib/crypto.ts):
// a ciphertext copied onto another channel does not decrypt. Written by channels.ts (create,
// rotate), read by deliver.ts to sign; never returned by a default select.

const context = (orgId: string, channelId: string) => ({ orgId, table: "AlertChannel", rowId: channelId, field: "secret" });

export const encryptChannelSecret = (keyring: Keyring, orgId: string, channelId: string, secret: string) => encryptField(keyring, secret, context(orgId, channelId));

export const decryptChannelSecret = (keyring: Keyring, channel: { orgId: string; id: string; secretEncrypted: string }) =>
  decryptField(keyring, channel.secretEncrypted, context(channel.orgId, channel.id));
