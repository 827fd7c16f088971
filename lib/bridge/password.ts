import { createHash, randomBytes, randomInt, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

// Bridge passwords: generated (24 base62 characters, ~143 bits), stored as scrypt hashes (Node's
// own, OpenSSL's implementation) and compared in constant time. A printer signs in for every page
// it mails, so a verified password is remembered in memory for a few minutes as a SHA-256 digest
// keyed by the credential and its stored hash: a session then costs no scrypt run, and a changed
// or revoked credential (a new hash, or the revocation the sign-in reads every time) misses it.

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

export function generatePassword(length = 24): string {
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...PARAMS, maxmem: 64 * 1024 * 1024 });
  return ["scrypt", PARAMS.N, PARAMS.r, PARAMS.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !hash) return false;
  const expected = Buffer.from(hash, "base64url");
  const key = await scrypt(password, Buffer.from(salt, "base64url"), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: 64 * 1024 * 1024 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

const digest = (stored: string, password: string) => createHash("sha256").update(stored).update("\0").update(password).digest();

/** Passwords verified lately, per credential (bounded; oldest dropped first). */
export class VerifiedCache {
  private entries = new Map<string, { digest: Buffer; until: number }>();
  constructor(private readonly ttlMs = 5 * 60_000, private readonly max = 10_000) {}

  has(credentialId: string, stored: string, password: string, now = Date.now()): boolean {
    const e = this.entries.get(credentialId);
    if (!e || e.until < now) return false;
    const d = digest(stored, password);
    return timingSafeEqual(e.digest, d);
  }

  remember(credentialId: string, stored: string, password: string, now = Date.now()) {
    this.entries.delete(credentialId);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(credentialId, { digest: digest(stored, password), until: now + this.ttlMs });
  }

  forget(credentialId: string) {
    this.entries.delete(credentialId);
  }
}
