import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decryptField, DecryptError, encryptField, KeyringError, needsReencryption, parseEnvelope, parseKeyring } from "./crypto";

const k = () => randomBytes(32).toString("base64");
const ctx = { orgId: "org-1", table: "Integration", rowId: "row-1", field: "clientSecret" };

describe("field encryption", () => {
  it("round-trips, never stores the plaintext, and uses a fresh IV each time", () => {
    const ring = parseKeyring(`k1:${k()}`);
    const a = encryptField(ring, "Hd7Q~super.secret~value", ctx);
    const b = encryptField(ring, "Hd7Q~super.secret~value", ctx);
    expect(a).not.toContain("super.secret");
    expect(parseEnvelope(a).iv).not.toBe(parseEnvelope(b).iv);
    expect(decryptField(ring, a, ctx)).toBe("Hd7Q~super.secret~value");
  });

  it("detects tampering with the ciphertext or the tag", () => {
    const ring = parseKeyring(`k1:${k()}`);
    const e = parseEnvelope(encryptField(ring, "secret", ctx));
    const flipped = Buffer.from(e.ct, "base64");
    flipped[0]! ^= 1;
    expect(() => decryptField(ring, JSON.stringify({ ...e, ct: flipped.toString("base64") }), ctx)).toThrow(DecryptError);
    expect(() => decryptField(ring, JSON.stringify({ ...e, tag: randomBytes(16).toString("base64") }), ctx)).toThrow(/integrity/);
    expect(() => decryptField(ring, "not json", ctx)).toThrow(/not a Mailgrant envelope/);
  });

  it("does not decrypt for another row, field, table or org", () => {
    const ring = parseKeyring(`k1:${k()}`);
    const stored = encryptField(ring, "secret", ctx);
    for (const other of [{ rowId: "row-2" }, { field: "privateKey" }, { table: "Connection" }, { orgId: "org-2" }]) {
      expect(() => decryptField(ring, stored, { ...ctx, ...other })).toThrow(DecryptError);
    }
  });

  it("rotates: the newest key encrypts, older keys still decrypt, and old envelopes are flagged", () => {
    const old = `k1:${k()}`;
    const before = parseKeyring(old);
    const stored = encryptField(before, "secret", ctx);
    const after = parseKeyring(`k2:${k()},${old}`);
    expect(decryptField(after, stored, ctx)).toBe("secret");
    expect(needsReencryption(after, stored)).toBe(true);
    const fresh = encryptField(after, "secret", ctx);
    expect(parseEnvelope(fresh).kid).toBe("k2");
    expect(needsReencryption(after, fresh)).toBe(false);
    expect(() => decryptField(parseKeyring(`k3:${k()}`), stored, ctx)).toThrow(/key "k1", which is not in MAILGRANT_ENCRYPTION_KEYS/);
  });

  it("explains bad key configuration", () => {
    expect(() => parseKeyring("")).toThrow(KeyringError);
    expect(() => parseKeyring("k1:short")).toThrow(/must be 32 bytes/);
    expect(() => parseKeyring(`bad id:${k()}`)).toThrow(/must look like/);
    const dup = k();
    expect(() => parseKeyring(`k1:${dup},k1:${dup}`)).toThrow(/twice/);
  });
});
