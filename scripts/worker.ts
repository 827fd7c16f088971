// npm run worker: a background worker process on PostgreSQL (any number of them beside the web
// processes, which may then run with MAILGRANT_WORKER=off). With the embedded database the
// worker runs inside `npm start` instead: PGlite allows one process.
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, databaseUrl, env } from "../lib/env";
import { createPrismaClient } from "../lib/db-client";
import { workerConfig } from "../lib/worker/config";
import { alertDepsFromEnv, workerDeps } from "../lib/worker/deps";
import { startWorker } from "../lib/worker/worker";
import { startMetricsServer } from "../lib/worker/metrics-server";

const root = path.resolve(import.meta.dirname, "..");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let e: ReturnType<typeof env>;
try {
  e = env();
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
const url = databaseUrl();
if (!/^postgres(ql)?:\/\//.test(url)) {
  fail("The embedded database allows one process: with it the worker runs inside npm start. Point DATABASE_URL at PostgreSQL to run workers separately.");
}

let deps: ReturnType<typeof workerDeps>;
try {
  deps = workerDeps(e);
} catch (err) {
  fail((err as Error).message);
}
const config = workerConfig(e);
const database = await createPrismaClient(url);
const worker = await startWorker({ database, deps, alerts: alertDepsFromEnv(database.prisma, e), config });
console.log(`worker started (concurrency ${config.concurrency}, per tenant ${config.tenantConcurrency}, per mailbox ${config.mailboxConcurrency}; id ${worker.id})`);

const metricsServer = e.MAILGRANT_WORKER_METRICS_PORT
  ? await startMetricsServer({ port: e.MAILGRANT_WORKER_METRICS_PORT, token: e.MAILGRANT_METRICS_TOKEN, health: () => ({ worker: worker.id, ...worker.stats() }) })
  : undefined;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`worker stopping (${signal})`);
  metricsServer?.close();
  const began = Date.now();
  await worker.stop();
  console.log(`worker stopped (${Date.now() - began} ms)`);
  await database.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
