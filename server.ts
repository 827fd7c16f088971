// The web process: Next.js behind a plain Node HTTP server, sharing the process with the background
// worker (the embedded database allows one process per data folder; MAILGRANT_WORKER=off turns it off).
import { createServer } from "node:http";
import next from "next";
import { ConfigError, databaseUrl, parseEnv } from "./lib/env";
import { createPrismaClient, type Database } from "./lib/db-client";
import { CLIENT_IP_HEADER, clientIp, parseTrustedProxies } from "./lib/client-ip";
import { refusalPage, refuseRequest } from "./lib/http-guards";

const dev = process.argv.includes("--dev");
let config: ReturnType<typeof parseEnv>;
try {
  config = parseEnv(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "0.0.0.0";
// The one database client of the process, opened here so the worker and Next's bundle share it:
// lib/db.ts reuses whatever promise is on this key (PGlite allows one opener per process).
const g = globalThis as unknown as { __mailgrantDb?: Promise<Database>; __mailgrantWorker?: import("./lib/worker/worker").WorkerHandle; __mailgrantApiUsage?: import("./lib/api-keys/usage").UsageRecorder };
g.__mailgrantDb ??= createPrismaClient(databaseUrl());
const database = await g.__mailgrantDb;
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

// The background worker runs here unless MAILGRANT_WORKER=off (web-only processes beside
// `npm run worker` processes on PostgreSQL). With the embedded database this is the only place it can run.
let worker: Promise<import("./lib/worker/worker").WorkerHandle | undefined> = Promise.resolve(undefined);
async function startBackgroundWorker() {
  const [{ startWorker }, { workerConfig }, { alertDepsFromEnv, workerDeps }] = await Promise.all([import("./lib/worker/worker"), import("./lib/worker/config"), import("./lib/worker/deps")]);
  const wc = workerConfig(config);
  const handle = await startWorker({ database, deps: workerDeps(config), alerts: alertDepsFromEnv(database.prisma, config), config: wc });
  g.__mailgrantWorker = handle;
  console.log(`worker started (concurrency ${wc.concurrency}, per tenant ${wc.tenantConcurrency}, per mailbox ${wc.mailboxConcurrency})`);
  return handle;
}

// The mail bridge's listeners run here unless MAILGRANT_BRIDGE=off (then `npm run bridge` beside
// this process on PostgreSQL). Bound before the portal says it is ready, so the start banner lists
// them, and names any port that could not be bound (the other listeners serve); when none can be,
// the portal still serves.
let bridgeBanner: string;
let bridge: import("./lib/bridge/bridge").RunningBridge | undefined;
try {
  const { startBridgeFromEnv } = await import("./lib/bridge/run");
  const started = await startBridgeFromEnv(database.prisma, config);
  if ("off" in started) bridgeBanner = started.off;
  else ({ bridge, banner: bridgeBanner } = started);
} catch (e) {
  bridgeBanner = `The mail bridge did not start: ${(e as Error).message} The portal keeps serving; legacy mail clients cannot sign in until the bridge runs.`;
  console.error(bridgeBanner);
}
// Without npm start (no IPC channel to its banner), say it here.
if (!process.send) console.log(bridgeBanner);

server.listen(port, hostname, () => {
  process.send?.({ ready: true, port, bridge: bridgeBanner });
  if (config.MAILGRANT_WORKER === "off") return;
  worker = startBackgroundWorker().catch((e: unknown) => {
    // The portal keeps serving; /api/health reports that no worker runs.
    console.error(`The background worker did not start: ${(e as Error).message}. The portal keeps serving pages, but no mailbox is checked or kept alive until it runs: fix the cause above and restart (GET /api/health shows "worker": {"running": false} meanwhile).`);
    return undefined;
  });
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  server.close();
  // The bridge's sessions end and are recorded while the database is still open.
  await bridge?.stop().catch(() => {});
  // The worker first (it finishes or releases its checks within 10 s), then the database under it.
  await (await worker)?.stop().catch(() => {});
  // The token API's counted uses (lib/api-keys/usage.ts) reach the audit log before the database closes.
  await g.__mailgrantApiUsage?.stop().catch(() => {});
  await database.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown());
process.on("SIGINT", () => void shutdown());
