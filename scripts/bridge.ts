// npm run bridge: the mail bridge as its own process on PostgreSQL (any number of them behind a
// TCP load balancer, beside web processes started with MAILGRANT_BRIDGE=off). With the embedded
// database the bridge runs inside npm start instead: PGlite allows one process. A port that cannot be
// bound is named in the banner and the other listeners serve; only when none can listen does it exit 1.
import { existsSync } from "node:fs";
import path from "node:path";
import { ConfigError, databaseUrl, env } from "../lib/env";
import { createPrismaClient } from "../lib/db-client";
import { startBridgeFromEnv } from "../lib/bridge/run";

const root = path.resolve(import.meta.dirname, "..");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

let e: ReturnType<typeof env>;
try {
  // This process runs the bridge whatever MAILGRANT_BRIDGE says for the web processes.
  e = { ...env(), MAILGRANT_BRIDGE: "on" };
} catch (err) {
  if (err instanceof ConfigError) fail(err.message);
  throw err;
}
const url = databaseUrl();
if (!/^postgres(ql)?:\/\//.test(url)) {
  fail("The embedded database allows one process: with it the mail bridge runs inside npm start. Point DATABASE_URL at PostgreSQL to run bridges separately.");
}
if (!e.MAILGRANT_ENCRYPTION_KEYS) fail("MAILGRANT_ENCRYPTION_KEYS is required: the same keys as the web and worker processes (the bridge decrypts the stored tokens).");

const database = await createPrismaClient(url);
const started = await startBridgeFromEnv(database.prisma, e).catch((err: Error) => fail(err.message));
if ("off" in started) fail(started.off);
console.log(started.banner);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  if (!("bridge" in started)) return;
  console.log(`mail bridge stopping (${signal}, ${started.bridge.sessionCount()} open sessions)`);
  await started.bridge.stop();
  console.log("mail bridge stopped");
  await database.close().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
