import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

// A webhook receiver for e2e specs: a node:http server on a free port of this machine, answering
// every request with `status`. Demo mode allows local receivers (MAILGRANT_WEBHOOKS_ALLOW_LOCAL).

export type Received = { method: string; url: string; headers: IncomingHttpHeaders; body: string; type: string };

export async function webhookReceiver(status = 200) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      let type = "?";
      try {
        type = (JSON.parse(body) as { type: string }).type;
      } catch {
        // Not JSON: recorded with type "?", which no assertion expects.
      }
      received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body, type });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 204 ? undefined : "thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mailgrant`,
    received,
    of: (type: string) => received.filter((r) => r.type === type),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
