import net from "node:net";

// Who is on the other end of a request, for the audit log. X-Forwarded-For is believed only from
// proxies the deployment names (MAILGRANT_TRUSTED_PROXIES: addresses or CIDR ranges, comma
// separated), walking the header from the right the way each proxy appended to it, and only while
// every hop is a valid IP address. Without trusted proxies the socket's own address is the answer.

export const CLIENT_IP_HEADER = "x-mailgrant-client-ip";

export type TrustedProxies = { check(address: string): boolean };

/** Parses "10.0.0.0/8, 192.168.1.5, ::1" into a matcher; throws a message naming the bad entry. */
export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const list = new net.BlockList();
  for (const raw of (value ?? "").split(",").map((s) => s.trim()).filter(Boolean)) {
    const [address, bits] = raw.split("/");
    const family = net.isIP(address ?? "");
    if (!family) throw new Error(`"${raw}" is not an IP address or CIDR range`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(address!, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new Error(`"${raw}" has an invalid prefix length`);
      list.addSubnet(address!, prefix, type);
    }
  }
  return { check: (a) => { const f = net.isIP(a); return f !== 0 && list.check(a, f === 6 ? "ipv6" : "ipv4"); } };
}

/** "::ffff:127.0.0.1" → "127.0.0.1"; anything that is not an IP address → null. */
export function normalizeIp(value: string | undefined | null): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^\[(.*)\]$/, "$1");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v)?.[1];
  const ip = mapped ?? v;
  return net.isIP(ip) ? ip : null;
}

export function clientIp(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string | null {
  let current = normalizeIp(socketAddress);
  if (!current) return null;
  const hops = [forwardedFor ?? []].flat().join(",").split(",").map((s) => s.trim()).filter(Boolean);
  while (trusted.check(current) && hops.length) {
    const next = normalizeIp(hops.pop());
    if (!next) break; // a malformed hop: keep the last address we can vouch for
    current = next;
  }
  return current;
}
