import { lookup as dnsLookup } from "node:dns";
import { BlockList, isIP, type LookupFunction } from "node:net";

// Webhook URLs are typed by org admins, and the worker POSTs to them from inside the deployment:
// without a guard, a webhook is a way to reach the cloud's metadata service, the database or an
// internal admin page (SSRF). So a URL must be https and every address its host resolves to must be
// public, checked when the channel is saved and again at each send, on the address actually
// connected to (guardedLookup), since DNS may answer differently between the two (rebinding).
// MAILGRANT_WEBHOOKS_ALLOW_LOCAL lifts both rules for tests and local receivers.

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };
export type GuardOptions = { allowLocal: boolean; lookup?: LookupFunction | undefined };

type Category = { label: string; v4: [string, number][]; v6: [string, number][] };

// Most specific first: the metadata addresses sit inside the link-local, ULA and CGNAT ranges, and
// the message should name what the address is.
const CATEGORIES: Category[] = [
  { label: "a cloud metadata address", v4: [["169.254.169.254", 32], ["100.100.100.200", 32]], v6: [["fd00:ec2::254", 128]] },
  { label: "the unspecified address", v4: [], v6: [["::", 128]] },
  { label: "a loopback address", v4: [["127.0.0.0", 8]], v6: [["::1", 128]] },
  { label: "a \"this network\" address", v4: [["0.0.0.0", 8]], v6: [] },
  { label: "a private address", v4: [["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16]], v6: [["fc00::", 7], ["fec0::", 10]] },
  { label: "a link-local address", v4: [["169.254.0.0", 16]], v6: [["fe80::", 10]] },
  { label: "a shared (carrier-grade NAT) address", v4: [["100.64.0.0", 10]], v6: [] },
  { label: "a broadcast address", v4: [["255.255.255.255", 32]], v6: [] },
  { label: "a multicast address", v4: [["224.0.0.0", 4]], v6: [["ff00::", 8]] },
  {
    label: "a reserved or documentation address",
    v4: [["192.0.0.0", 24], ["192.0.2.0", 24], ["198.18.0.0", 15], ["198.51.100.0", 24], ["203.0.113.0", 24], ["240.0.0.0", 4]],
    v6: [["2001:db8::", 32], ["100::", 64]],
  },
];

const hex16 = (a: number, b: number) => ((a << 8) | b).toString(16);

/**
 * The IPv6 forms that carry an IPv4 address, so "::ffff:10.0.0.5" or "64:ff9b::a00:5" is refused
 * like 10.0.0.5: mapped (::ffff:0:0/96), compatible (::/96), NAT64 (64:ff9b::/96), 6to4 (2002::/16).
 */
function embeddedForms(v4: string, bits: number): [string, number][] {
  const [a = 0, b = 0, c = 0, d = 0] = v4.split(".").map(Number);
  return [
    [`::ffff:${v4}`, 96 + bits],
    [`::${v4}`, 96 + bits],
    [`64:ff9b::${v4}`, 96 + bits],
    [`2002:${hex16(a, b)}:${hex16(c, d)}::`, 16 + bits],
  ];
}

const LISTS = CATEGORIES.map((c) => {
  const list = new BlockList();
  for (const [net, bits] of c.v4) {
    list.addSubnet(net, bits, "ipv4");
    for (const [net6, bits6] of embeddedForms(net, bits)) list.addSubnet(net6, bits6, "ipv6");
  }
  for (const [net, bits] of c.v6) list.addSubnet(net, bits, "ipv6");
  return { label: c.label, list };
});

/** What kind of non-public address `ip` is ("a private address"), or null when it is public. */
export function nonPublicKind(ip: string): string | null {
  const family = isIP(ip);
  if (family === 0) return "not an IP address";
  const type = family === 4 ? "ipv4" : "ipv6";
  for (const { label, list } of LISTS) if (list.check(ip, type)) return label;
  return null;
}

const refusal = (host: string, ip: string, kind: string) =>
  host === ip
    ? `${ip} is ${kind}; Mailgrant only sends webhooks to public addresses.`
    : `${host} resolves to ${ip}, ${kind}; Mailgrant only sends webhooks to public addresses.`;

/** Thrown (through the lookup callback) when a connection would reach a refused address. */
export class RefusedAddressError extends Error {
  readonly code = "ERR_MAILGRANT_REFUSED_ADDRESS";
}

type Resolved = { address: string; family: number };

function resolveAll(lookup: LookupFunction, host: string): Promise<Resolved[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (err, addresses) => {
      if (err) reject(err);
      else resolve(Array.isArray(addresses) ? addresses : [{ address: addresses, family: isIP(addresses) }]);
    });
  });
}

const systemLookup = dnsLookup as unknown as LookupFunction;
/** The host as it names an address: URL keeps the brackets of an IPv6 literal. */
const bareHost = (u: URL) => u.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * Checks a webhook URL as typed: https (http only with allowLocal), no credentials in it, and, unless
 * allowLocal, a host whose every address is public. Messages say what is wrong and what to do.
 */
export async function checkWebhookUrl(raw: string, opts: GuardOptions): Promise<UrlCheck> {
  const text = raw.trim();
  if (!text) return { ok: false, message: "Enter the URL events should be POSTed to, e.g. https://hooks.example.com/mailgrant." };
  if (text.length > 2000) return { ok: false, message: "Webhook URLs can be at most 2000 characters long." };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: "That is not a URL: enter the full address, starting with https://." };
  }
  if (url.protocol !== "https:" && !(opts.allowLocal && url.protocol === "http:")) {
    return {
      ok: false,
      message: url.protocol === "http:" ? "Webhook URLs must start with https:// (plain http:// would send events unencrypted)." : "Webhook URLs must start with https://.",
    };
  }
  if (url.username || url.password) return { ok: false, message: "Webhook URLs must not contain a user name or password: verify the webhook-signature header instead (or put a token in the path)." };
  if (url.hash) url.hash = "";
  if (opts.allowLocal) return { ok: true, url };

  const host = bareHost(url);
  if (isIP(host)) {
    const kind = nonPublicKind(host);
    return kind ? { ok: false, message: refusal(host, host, kind) } : { ok: true, url };
  }
  let addresses: Resolved[];
  try {
    addresses = await resolveAll(opts.lookup ?? systemLookup, host);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    return { ok: false, message: `${host} does not resolve (DNS ${code}): check the host name, or try again if its DNS is new.` };
  }
  if (addresses.length === 0) return { ok: false, message: `${host} has no addresses in DNS: check the host name.` };
  for (const a of addresses) {
    const kind = nonPublicKind(a.address);
    if (kind) return { ok: false, message: refusal(host, a.address, kind) };
  }
  return { ok: true, url };
}

/**
 * A `lookup` for http(s).request: resolves like the system (or the given lookup) does and fails the
 * connection when any answer is not public, so the address connected to is the address checked.
 * Node skips lookup for IP-literal hosts: postWebhook checks those itself.
 */
export function guardedLookup(opts: GuardOptions): LookupFunction {
  const base = opts.lookup ?? systemLookup;
  if (opts.allowLocal) return base;
  return ((hostname: string, options: object, callback: (err: NodeJS.ErrnoException | null, address: string | Resolved[], family?: number) => void) => {
    base(hostname, options, (err, address, family) => {
      if (err) return callback(err, address, family);
      const list = Array.isArray(address) ? address : [{ address, family: family ?? isIP(address) }];
      for (const a of list) {
        const kind = nonPublicKind(a.address);
        if (kind) return callback(new RefusedAddressError(refusal(hostname, a.address, kind)), address, family);
      }
      callback(null, address, family);
    });
  }) as LookupFunction;
}

/** The refusal for a URL whose host is an IP literal, or null (the send path's check without DNS). */
export function literalRefusal(url: URL, allowLocal: boolean): string | null {
  if (allowLocal) return null;
  const host = bareHost(url);
  if (!isIP(host)) return null;
  const kind = nonPublicKind(host);
  return kind ? refusal(host, host, kind) : null;
}
