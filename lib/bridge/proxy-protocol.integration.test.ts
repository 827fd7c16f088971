import net from "node:net";
import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { connectedOrg, credential, sessionsOf, setupBridge } from "@/test-support/bridge-fixtures";

// Behind a TCP load balancer (here: connections from 127.0.0.1, configured as the balancer) each
// connection starts with a PROXY header: the client's address in it is what source ranges, limits
// and the timeline see, on implicit-TLS and STARTTLS ports alike.

const t = setupBridge({ proxyFrom: ["127.0.0.1"] });

/** A connection through the "balancer": the header, then (implicit TLS) the handshake; resolves with the first line. */
async function through(port: number, header: Buffer | string, secure: boolean) {
  const raw = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((r) => raw.once("connect", () => r()));
  raw.write(header);
  const socket = secure ? tls.connect({ socket: raw, servername: "localhost" }) : raw;
  let buffer = "";
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  socket.on("data", (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf("\r\n")) !== -1) {
      lines.push(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 2);
    }
    waiters.splice(0).forEach((w) => w());
  });
  let closed = false;
  socket.on("close", () => {
    closed = true;
    waiters.splice(0).forEach((w) => w());
  });
  socket.on("error", () => {});
  const line = async (): Promise<string | null> => {
    while (!lines.length && !closed) await new Promise<void>((r) => waiters.push(r));
    return lines.shift() ?? null;
  };
  return { send: (l: string) => socket.write(`${l}\r\n`), line, close: () => socket.destroy() };
}

describe("mail bridge behind a load balancer (PROXY protocol)", () => {
  it("v1 on the IMAP TLS port: the client's address decides the source range and is recorded", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s, { allowedIps: ["198.51.100.0/24"] });
    const imap = await through(t.bridge.ports.imaps!, "PROXY TCP4 198.51.100.7 10.0.0.1 51000 993\r\n", true);
    expect(await imap.line()).toMatch(/^\* OK /);
    imap.send(`a1 LOGIN ${c.username} ${c.password}`);
    expect(await imap.line()).toBe("a1 OK LOGIN completed.");
    imap.send("a2 LOGOUT");
    while (((await imap.line()) ?? "a2").startsWith("*"));
    await expect.poll(async () => (await sessionsOf(t, s.id)).map((e) => (e.detail as { clientIp: string }).clientIp)).toEqual(["198.51.100.7"]);

    const elsewhere = await through(t.bridge.ports.imaps!, "PROXY TCP4 203.0.113.9 10.0.0.1 51000 993\r\n", true);
    await elsewhere.line();
    elsewhere.send(`a1 LOGIN ${c.username} ${c.password}`);
    expect(await elsewhere.line()).toMatch(/may not be used from 203\.0\.113\.9/);
    elsewhere.close();
  });

  it("v2 on the SMTP STARTTLS port; a balancer's connection without a header is closed", async () => {
    const header = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0, 12, 198, 51, 100, 8, 10, 0, 0, 1, 0xc7, 0x38, 0x02, 0x4b]);
    // The header and the client's first command in one segment: the command is not lost.
    const smtp = await through(t.bridge.ports.smtp!, Buffer.concat([header, Buffer.from("EHLO printer\r\n")]), false);
    expect(await smtp.line()).toMatch(/^220 /);
    expect(await smtp.line()).toMatch(/^250-.* Hello \[198\.51\.100\.8\]$/);
    smtp.close();
    const bare = await through(t.bridge.ports.smtp!, "EHLO printer\r\n", false);
    expect(await bare.line()).toBeNull();
  });
});
