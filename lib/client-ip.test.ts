import { describe, expect, it } from "vitest";
import { clientIp, normalizeIp, parseTrustedProxies } from "./client-ip";

describe("client IP for the audit log", () => {
  const none = parseTrustedProxies(undefined);
  const lb = parseTrustedProxies("10.0.0.0/8, 192.168.1.5, ::1");

  it("ignores X-Forwarded-For from anyone not configured as a proxy", () => {
    expect(clientIp("203.0.113.9", "6.6.6.6", none)).toBe("203.0.113.9");
    expect(clientIp("::ffff:127.0.0.1", "<script>alert(1)</script>", none)).toBe("127.0.0.1");
  });

  it("walks the header from the right while the hops are trusted proxies", () => {
    expect(clientIp("10.1.2.3", "198.51.100.7", lb)).toBe("198.51.100.7");
    expect(clientIp("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", lb)).toBe("198.51.100.7");
    expect(clientIp("::1", ["198.51.100.7", "192.168.1.5"], lb)).toBe("198.51.100.7");
  });

  it("stops at a malformed or oversized hop and keeps the last address it can vouch for", () => {
    expect(clientIp("10.1.2.3", "<script>", lb)).toBe("10.1.2.3");
    expect(clientIp("10.1.2.3", "x".repeat(4000), lb)).toBe("10.1.2.3");
  });

  it("accepts only real addresses", () => {
    expect(normalizeIp("[2001:db8::1]")).toBe("2001:db8::1");
    expect(normalizeIp("999.1.1.1")).toBeNull();
    expect(() => parseTrustedProxies("10.0.0.0/99")).toThrow(/invalid prefix/);
    expect(() => parseTrustedProxies("proxy.local")).toThrow(/not an IP address/);
  });
});
