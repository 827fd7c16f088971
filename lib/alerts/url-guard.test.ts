import type { LookupFunction } from "node:net";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkWebhookUrl, guardedLookup, literalRefusal, nonPublicKind } from "./url-guard";

/** A DNS stand-in: each name answers the given addresses. */
function fakeDns(answers: Record<string, string[]>): LookupFunction {
  return ((host: string, options: { all?: boolean }, cb: (err: NodeJS.ErrnoException | null, a: unknown, f?: number) => void) => {
    const list = answers[host];
    if (!list) return cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" }), undefined);
    const all = list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    if (options.all) cb(null, all);
    else cb(null, all[0]!.address, all[0]!.family);
  }) as LookupFunction;
}

const dns = fakeDns({
  "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
  "rebind.example.com": ["127.0.0.1"],
  "mixed.example.com": ["93.184.215.14", "10.0.0.5"],
  "meta.example.com": ["169.254.169.254"],
  "mapped.example.com": ["::ffff:192.168.1.20"],
});
const strict = { allowLocal: false, lookup: dns };

describe("nonPublicKind", () => {
  it.each([
    ["127.0.0.1", "a loopback address"],
    ["127.255.0.9", "a loopback address"],
    ["::1", "a loopback address"],
    ["10.0.0.5", "a private address"],
    ["172.16.0.1", "a private address"],
    ["172.31.255.255", "a private address"],
    ["192.168.1.1", "a private address"],
    ["fd12:3456::1", "a private address"],
    ["169.254.10.1", "a link-local address"],
    ["fe80::1", "a link-local address"],
    ["169.254.169.254", "a cloud metadata address"],
    ["fd00:ec2::254", "a cloud metadata address"],
    ["100.100.100.200", "a cloud metadata address"],
    ["100.64.0.1", "a shared (carrier-grade NAT) address"],
    ["0.0.0.0", "a \"this network\" address"],
    ["0.1.2.3", "a \"this network\" address"],
    ["::", "the unspecified address"],
    ["224.0.0.251", "a multicast address"],
    ["ff02::1", "a multicast address"],
    ["255.255.255.255", "a broadcast address"],
    ["::ffff:127.0.0.1", "a loopback address"],
    ["::ffff:a00:5", "a private address"],
    ["::7f00:1", "a loopback address"],
    ["64:ff9b::a9fe:a9fe", "a cloud metadata address"],
    ["2002:c0a8:101::1", "a private address"],
  ])("%s is %s", (ip, kind) => {
    expect(nonPublicKind(ip)).toBe(kind);
  });

  it.each(["93.184.215.14", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])("%s is public", (ip) => {
    expect(nonPublicKind(ip)).toBeNull();
  });

  it("refuses every IPv4 address in 10/8, 172.16/12, 192.168/16, 127/8 and 169.254/16, and their mapped IPv6 forms", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const privateV4 = fc.oneof(
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
      fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
      fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
      fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
      fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
    );
    fc.assert(
      fc.property(privateV4, (ip) => {
        expect(nonPublicKind(ip)).not.toBeNull();
        expect(nonPublicKind(`::ffff:${ip}`)).not.toBeNull();
      }),
    );
  });

  it("accepts addresses outside every refused range (sampled from 1.0.0.0–9.255.255.255 and 11–99)", () => {
    const octet = fc.integer({ min: 0, max: 255 });
    const publicV4 = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 11, max: 99 })), octet, octet, octet).map((o) => o.join("."));
    fc.assert(fc.property(publicV4, (ip) => nonPublicKind(ip) === null));
  });
});

describe("checkWebhookUrl", () => {
  it("accepts an https URL whose every address is public", async () => {
    const r = await checkWebhookUrl("  https://hooks.example.com/mailgrant?x=1#frag ", strict);
    expect(r.ok && r.url.toString()).toBe("https://hooks.example.com/mailgrant?x=1");
  });

  it("says what is wrong with the scheme, the syntax and credentials", async () => {
    expect(await checkWebhookUrl("http://hooks.example.com/", strict)).toEqual({ ok: false, message: expect.stringMatching(/^Webhook URLs must start with https:\/\//) });
    expect(await checkWebhookUrl("ftp://hooks.example.com/", strict)).toEqual({ ok: false, message: "Webhook URLs must start with https://." });
    expect(await checkWebhookUrl("hooks.example.com", strict)).toEqual({ ok: false, message: expect.stringMatching(/not a URL.*https:\/\//) });
    expect(await checkWebhookUrl("", strict)).toEqual({ ok: false, message: expect.stringMatching(/Enter the URL/) });
    expect(await checkWebhookUrl("https://u:p@hooks.example.com/", strict)).toEqual({ ok: false, message: expect.stringMatching(/user name or password/) });
  });

  it("refuses a name that resolves to a loopback, private or metadata address, naming the address", async () => {
    expect(await checkWebhookUrl("https://rebind.example.com/", strict)).toEqual({ ok: false, message: "rebind.example.com resolves to 127.0.0.1, a loopback address; Mailgrant only sends webhooks to public addresses." });
    expect(await checkWebhookUrl("https://mixed.example.com/", strict)).toEqual({ ok: false, message: expect.stringContaining("resolves to 10.0.0.5, a private address") });
    expect(await checkWebhookUrl("https://meta.example.com/", strict)).toEqual({ ok: false, message: expect.stringContaining("a cloud metadata address") });
    expect(await checkWebhookUrl("https://mapped.example.com/", strict)).toEqual({ ok: false, message: expect.stringContaining("::ffff:192.168.1.20, a private address") });
  });

  it("refuses IP literals without asking DNS", async () => {
    expect(await checkWebhookUrl("https://127.0.0.1:8443/", strict)).toEqual({ ok: false, message: "127.0.0.1 is a loopback address; Mailgrant only sends webhooks to public addresses." });
    expect(await checkWebhookUrl("https://[::ffff:169.254.169.254]/", strict)).toEqual({ ok: false, message: expect.stringContaining("a cloud metadata address") });
    expect((await checkWebhookUrl("https://93.184.215.14/", strict)).ok).toBe(true);
  });

  it("says when the name does not resolve", async () => {
    expect(await checkWebhookUrl("https://nowhere.example.com/", strict)).toEqual({ ok: false, message: expect.stringMatching(/nowhere\.example\.com does not resolve \(DNS ENOTFOUND\)/) });
  });

  it("with allowLocal, accepts http:// and local addresses", async () => {
    expect((await checkWebhookUrl("http://127.0.0.1:4000/hook", { allowLocal: true })).ok).toBe(true);
    expect((await checkWebhookUrl("https://rebind.example.com/", { allowLocal: true, lookup: dns })).ok).toBe(true);
  });
});

describe("guardedLookup", () => {
  const run = (lookup: LookupFunction, host: string, all: boolean) =>
    new Promise<{ err: Error | null; address: unknown }>((resolve) => lookup(host, { all }, (err, address) => resolve({ err, address })));

  it("passes public answers through, in both callback forms", async () => {
    const g = guardedLookup(strict);
    expect(await run(g, "hooks.example.com", false)).toEqual({ err: null, address: "93.184.215.14" });
    expect((await run(g, "hooks.example.com", true)).address).toHaveLength(2);
  });

  it("fails the connection when DNS now answers a refused address (rebinding after save)", async () => {
    const r = await run(guardedLookup(strict), "rebind.example.com", false);
    expect(r.err?.message).toBe("rebind.example.com resolves to 127.0.0.1, a loopback address; Mailgrant only sends webhooks to public addresses.");
    expect((await run(guardedLookup(strict), "mixed.example.com", true)).err).not.toBeNull();
  });

  it("with allowLocal, is the lookup itself", () => {
    expect(guardedLookup({ allowLocal: true, lookup: dns })).toBe(dns);
  });

  it("literalRefusal covers the hosts Node connects to without a lookup", () => {
    expect(literalRefusal(new URL("https://10.1.2.3/"), false)).toMatch(/10\.1\.2\.3 is a private address/);
    expect(literalRefusal(new URL("https://10.1.2.3/"), true)).toBeNull();
    expect(literalRefusal(new URL("https://hooks.example.com/"), false)).toBeNull();
  });
});
