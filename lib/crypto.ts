import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";

// AES-256-GCM envelope for every secret field (client secrets, private keys, refresh tokens).
// The associated data binds a ciphertext to its org, table, row and field, so a ciphertext
// copied to another row or column does not decrypt. Several keys may be configured; the first
// encrypts, all decrypt, and `npm run keys:reencrypt` moves everything to the first.

export type Key = { id: string; key: Buffer };
export type Keyring = { current: Key; byId: Map<string, Key> };
export type FieldContext = { orgId: string; table: string; rowId: string; field: string };

const envelopeSchema = z.object({ v: z.literal(1), kid: z.string(), iv: z.string(), ct: z.string(), tag: z.string() });
export type Envelope = z.infer<typeof envelopeSchema>;

export class KeyringError extends Error {}
export class DecryptError extends Error {}

/**
 * Parses MAILGRANT_ENCRYPTION_KEYS: comma-separated `keyId:base64key` entries (32-byte keys),
 * newest first. `openssl rand -base64 32` makes a key.
 */
export function parseKeyring(value: string | undefined): Keyring {
  const entries = (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new KeyringError('MAILGRANT_ENCRYPTION_KEYS is empty: set it to "k1:<base64 of 32 random bytes>" (openssl rand -base64 32).');
  const byId = new Map<string, Key>();
  for (const entry of entries) {
    const at = entry.indexOf(":");
    const id = entry.slice(0, at);
    const key = Buffer.from(entry.slice(at + 1), "base64");
    if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) throw new KeyringError(`MAILGRANT_ENCRYPTION_KEYS entry "${entry.slice(0, 12)}…" must look like "k1:<base64 key>".`);
    if (key.length !== 32) throw new KeyringError(`MAILGRANT_ENCRYPTION_KEYS key "${id}" must be 32 bytes in base64 (it is ${key.length}); make one with "openssl rand -base64 32".`);
    if (byId.has(id)) throw new KeyringError(`MAILGRANT_ENCRYPTION_KEYS names the key id "${id}" twice.`);
    byId.set(id, { id, key });
  }
  return { current: byId.get(entries[0]!.slice(0, entries[0]!.indexOf(":")))!, byId };
}

const aad = (c: FieldContext) => Buffer.from(`mailgrant:v1:${c.orgId}:${c.table}:${c.rowId}:${c.field}`);

export function encryptField(keyring: Keyring, plaintext: string, context: FieldContext): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, iv);
  cipher.setAAD(aad(context));
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const envelope: Envelope = { v: 1, kid: keyring.current.id, iv: iv.toString("base64"), ct: ct.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
  return JSON.stringify(envelope);
}

export function parseEnvelope(stored: string): Envelope {
  try {
    return envelopeSchema.parse(JSON.parse(stored));
  } catch {
    throw new DecryptError("The stored secret is not a Mailgrant envelope.");
  }
}

export function decryptField(keyring: Keyring, stored: string, context: FieldContext): string {
  const e = parseEnvelope(stored);
  const key = keyring.byId.get(e.kid);
  if (!key) throw new DecryptError(`The stored secret was encrypted with key "${e.kid}", which is not in MAILGRANT_ENCRYPTION_KEYS. Add that key back (after the newest one).`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(e.iv, "base64"));
    decipher.setAAD(aad(context));
    decipher.setAuthTag(Buffer.from(e.tag, "base64"));
    return Buffer.concat([decipher.update(Buffer.from(e.ct, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new DecryptError("The stored secret failed its integrity check (tampered, or copied from another row).");
  }
}

/** True when the envelope was made with an older key and should be re-encrypted. */
export function needsReencryption(keyring: Keyring, stored: string): boolean {
  return parseEnvelope(stored).kid !== keyring.current.id;
}
