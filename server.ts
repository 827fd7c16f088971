// The web process: Next.js behind a plain Node HTTP server, so later the background worker can
// share this process (the embedded database allows one process per data folder).
import { createServer } from "node:http";
import next from "next";
import { ConfigError, parseEnv } from "./lib/env";
import { CLIENT_IP_HEADER, clientIp, parseTrustedProxies } from "./lib/client-ip";
import { refusalPage, refuseRequest } from "./lib/http-guards";

const dev = process.argv.includes("--dev");
try {
  parseEnv(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "0.0.0.0";
const app = next({ dev, dir: import.meta.dirname, port, hostname: "localhost" });
await app.prepare();
const handle = app.getRequestHandler();
const trusted = parseTrustedProxies(process.env.MAILGRANT_TRUSTED_PROXIES);
const server = createServer((req, res) => {
  const refused = refuseRequest(req);
  if (refused) {
    res.writeHead(refused.status, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store", Connection: "close" });
    res.end(refusalPage(refused));
    return;
  }
  // The audit log's IP: the socket's address, or X-Forwarded-For from a configured proxy. Set
  // here, where the socket is known, replacing anything the client sent under the same name.
  const ip = clientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
  if (ip) req.headers[CLIENT_IP_HEADER] = ip;
  else delete req.headers[CLIENT_IP_HEADER];
  void handle(req, res);
});
server.listen(port, hostname, () => process.send?.({ ready: true, port }));

async function shutdown() {
  server.close();
  // lib/db.ts caches the client under this key; it can't be imported here (it is "server-only",
  // which only resolves inside Next's bundle), so close it through the shared global.
  const g = globalThis as unknown as { __mailgrantDb?: Promise<{ close(): Promise<void> }> };
  await (await g.__mailgrantDb)?.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
