import { describe, expect, it } from "vitest";
import { KEY_PATTERN, generateKey, prefixOf, reachWhere } from "./keys";

describe("API keys", () => {
  it("are mgk_ plus 48 base62 characters, each different, with a 12-character visible prefix and a SHA-256 hash", () => {
    const keys = Array.from({ length: 200 }, () => generateKey());
    for (const k of keys) {
      expect(k.key).toMatch(KEY_PATTERN);
      expect(k.prefix).toBe(k.key.slice(0, 12));
      expect(prefixOf(k.key)).toBe(k.prefix);
      expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(k.hash).not.toContain(k.key.slice(12));
    }
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
    expect(new Set(keys.map((k) => k.prefix)).size).toBe(200);
  });

  it("reach always keeps the key's org in the where clause", () => {
    const base = { orgId: "o1", integrationIds: ["i1"], connectionIds: ["c1"] };
    expect(reachWhere({ ...base, reach: "ORG" })).toEqual({ orgId: "o1" });
    expect(reachWhere({ ...base, reach: "INTEGRATIONS" })).toEqual({ orgId: "o1", integrationId: { in: ["i1"] } });
    expect(reachWhere({ ...base, reach: "CONNECTIONS" })).toEqual({ orgId: "o1", id: { in: ["c1"] } });
  });
});
