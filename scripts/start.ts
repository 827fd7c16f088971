// npm start: runs Mailgrant on one machine. With no Microsoft Entra app configured it is demo
// mode: embedded database, the bundled Microsoft emulator as the sign-in provider, demo
// accounts printed. With AUTH_MICROSOFT_ENTRA_ID_* set it signs in with real Microsoft Entra ID.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, dataDirectory, databaseUrl, parseEnv } from "../lib/env";
import { lockDown } from "../lib/private-files";
import { loadOrCreateLocalSecrets } from "./local-secrets";
import { buildIfStale } from "./build-if-stale";
import { startDemoEmulator } from "./demo-emulator";
import { usesBuiltinEmulator } from "./demo-env";

const root = path.resolve(import.meta.dirname, "..");
const dev = process.argv.includes("--dev");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));

const children: ChildProcess[] = [];
function stopAll(code = 0) {
  for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
  setTimeout(() => process.exit(code), 300).unref();
}
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

function fail(message: string): never {
  console.error(message);
  stopAll(1);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const dataDir = dataDirectory();
const webEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PORT: String(port),
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
  AUTH_URL: process.env.AUTH_URL ?? `http://localhost:${port}`,
  DATABASE_URL: databaseUrl(),
};
const demo = !process.env.AUTH_MICROSOFT_ENTRA_ID_ID;
if (demo || process.env.NODE_ENV !== "production") {
  const secrets = loadOrCreateLocalSecrets(dataDir);
  webEnv.AUTH_SECRET ??= secrets.authSecret;
  webEnv.MAILGRANT_ENCRYPTION_KEYS ??= secrets.encryptionKey;
}

let demoBanner = "";
if (demo && usesBuiltinEmulator(process.env)) {
  const emulator = await startDemoEmulator({ root, dataDir, portalUrl: webEnv.AUTH_URL!, children }).catch((e: Error) => fail(`Could not start the Microsoft emulator: ${e.message}`));
  // Only what the caller left unset: demo mode can be pointed at other stand-ins and trust other CAs.
  Object.assign(webEnv, emulator.env, { MAILGRANT_DEMO: "1" });
  webEnv.SUPPORT_EMAILS ??= emulator.supportEmail;
  demoBanner = emulator.banner;
} else if (demo) {
  webEnv.MAILGRANT_DEMO = "1";
  webEnv.MAILGRANT_SMTP_URL ??= "outbox";
  webEnv.MAILGRANT_WEBHOOKS_ALLOW_LOCAL ??= "1";
  demoBanner = [
    `Microsoft endpoints: ${process.env.MICROSOFT_ENDPOINT_BASE} (MICROSOFT_ENDPOINT_BASE), so the built-in Microsoft emulator is not started.`,
    "Portal sign-in uses AUTH_MICROSOFT_ENTRA_ID_* if set; demo accounts are those of that stand-in.",
  ].join("\n");
  console.log(demoBanner);
}

try {
  parseEnv({ ...webEnv, NODE_ENV: dev ? "development" : "production" });
} catch (e) {
  if (e instanceof ConfigError) fail(e.message);
  throw e;
}

const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
const migrate = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], { cwd: root, env: webEnv, encoding: "utf8" });
if (migrate.status !== 0) fail(`Database migration failed:\n${(migrate.stdout + migrate.stderr).trim()}`);
// The migration (a separate process) created the embedded database's files: owner-only.
lockDown(dataDir);

if (!dev) buildIfStale(root, webEnv);

const web = spawn(process.execPath, ["--import", "tsx", path.join(root, "server.ts"), ...(dev ? ["--dev"] : [])], {
  cwd: root,
  env: { ...webEnv, NODE_ENV: dev ? "development" : "production" },
  stdio: ["ignore", "inherit", "inherit", "ipc"],
});
children.push(web);
web.on("exit", (code) => stopAll(code ?? 1));
web.on("message", (m: { ready?: boolean; bridge?: string }) => {
  if (!m.ready) return;
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  console.log(`\nMailgrant ${pkg.version} is running at ${webEnv.AUTH_URL}${demo ? " (demo mode)" : ""}`);
  console.log(`Database: ${webEnv.DATABASE_URL?.startsWith("pglite:") ? `embedded (${webEnv.DATABASE_URL.slice(7)})` : "PostgreSQL"}`);
  console.log(`Token API: ${webEnv.AUTH_URL}/api/v1 (keys on an org's API keys page; reference ${webEnv.AUTH_URL}/api/v1/openapi.json)`);
  if (demoBanner) console.log(demoBanner);
  if (m.bridge) console.log(m.bridge);
  console.log("Press Ctrl+C to stop.\n");
});
