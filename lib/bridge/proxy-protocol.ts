import net from "node:net";

// The PROXY protocol (HAProxy's, versions 1 and 2), for bridges behind a TCP load balancer: the
// balancer opens each connection with a header naming the client's address, which the bridge then
// uses for credentials' source ranges, its rate limits and the timeline. Read only from the
// balancers configured (MAILGRANT_BRIDGE_PROXY_FROM): a header from anyone else would let a
// client choose its own address.

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export class ProxyHeaderError extends Error {}

/** The parsed header and how many bytes it took, or null when more bytes are needed. */
export function parseProxyHeader(buf: Buffer): { clientIp: string | null; length: number } | null {
  if (buf.length >= 12 && buf.subarray(0, 12).equals(V2_SIGNATURE)) {
    if (buf.length < 16) return null;
    const length = 16 + buf.readUInt16BE(14);
    if (buf.length < length) return null;
    if (buf[12]! >> 4 !== 2) throw new ProxyHeaderError("PROXY v2: unknown version");
    const command = buf[12]! & 0x0f; // 0 LOCAL (the balancer's own health check), 1 PROXY
    const family = buf[13]! >> 4;
    if (command === 0 || family === 0) return { clientIp: null, length };
    if (family === 1 && length >= 16 + 12) return { clientIp: [...buf.subarray(16, 20)].join("."), length };
    if (family === 2 && length >= 16 + 36) {
      const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(16 + i * 2).toString(16));
      return { clientIp: new net.SocketAddress({ address: groups.join(":"), family: "ipv6" }).address, length };
    }
    return { clientIp: null, length };
  }
  if (buf.length < 6) return V2_SIGNATURE.subarray(0, buf.length).equals(buf) || "PROXY ".startsWith(buf.toString("latin1")) ? null : fail();
  if (buf.subarray(0, 6).toString("latin1") !== "PROXY ") fail();
  const end = buf.indexOf("\r\n");
  if (end === -1) return buf.length > 107 ? fail() : null;
  const [, proto, src] = buf.subarray(0, end).toString("latin1").split(" ");
  if (proto === "UNKNOWN") return { clientIp: null, length: end + 2 };
  if ((proto !== "TCP4" && proto !== "TCP6") || !src || !net.isIP(src)) fail();
  return { clientIp: src!, length: end + 2 };
}

function fail(): never {
  throw new ProxyHeaderError("The connection did not start with a PROXY protocol header.");
}

/** Reads the header off the socket (the bytes after it stay unread) and resolves with the client's address. */
export function readProxyHeader(socket: net.Socket, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new ProxyHeaderError("No PROXY protocol header in time.")), timeoutMs);
    const finish = (e?: unknown, ip?: string | null) => {
      clearTimeout(timer);
      socket.off("data", onData).off("close", onClose);
      if (e) reject(e);
      else resolve(ip ?? null);
    };
    const onClose = () => finish(new ProxyHeaderError("The connection closed before its PROXY protocol header."));
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const header = parseProxyHeader(buf);
        if (!header) return;
        socket.pause();
        finish(undefined, header.clientIp);
        if (buf.length > header.length) socket.unshift(buf.subarray(header.length));
      } catch (e) {
        finish(e);
      }
    };
    socket.on("data", onData).on("close", onClose);
  });
}
