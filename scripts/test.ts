// npm test: everything, in order of cost. Type checking, lint, unit and integration tests
// (on the embedded database, and on PostgreSQL too when TEST_DATABASE_URL names a server),
// then the end-to-end suites in Debian's Chromium (the main one, then scheduled checks on a
// portal of their own). Ends with one "N passed, N failed" line.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const results = path.join(root, ".data", "test-results");
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", CHECKPOINT_DISABLE: "1" };
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

let passed = 0;
let failed = 0;
const failures: string[] = [];

function step(title: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}) {
  console.log(`\n=== ${title}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
  console.log(`--- ${title}: ${r.status === 0 ? "ok" : "FAILED"} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failures.push(title);
  return r.status === 0;
}

function ensureChromium(): string {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) return chromium;
  if (process.getuid?.() === 0) {
    console.log("Chromium is missing: installing Debian's chromium package…");
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit" });
    spawnSync("apt-get", ["install", "-y", "-qq", "chromium"], { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    if (existsSync(chromium)) return chromium;
  }
  console.error(`Chromium not found at ${chromium}: install it with "sudo apt-get install -y chromium" (or set CHROMIUM_PATH), then run npm test again.`);
  process.exit(1);
}

function countVitest(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { numPassedTests: number; numFailedTests: number };
  passed += r.numPassedTests;
  failed += r.numFailedTests;
}

function countPlaywright(file: string) {
  if (!existsSync(file)) return;
  const r = JSON.parse(readFileSync(file, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number } };
  passed += r.stats.expected + r.stats.flaky;
  failed += r.stats.unexpected;
}

const chromium = ensureChromium();
step("Prisma client", process.execPath, [path.join(root, "node_modules", "prisma", "build", "index.js"), "generate"]);
step("Type check", bin("tsc"), ["--noEmit", "-p", "."]);
step("Lint", bin("eslint"), [".", "--max-warnings=0"]);

const vitestArgs = (out: string) => ["run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`];
const unitOut = path.join(results, "vitest-pglite.json");
step("Unit and integration tests (embedded database)", bin("vitest"), vitestArgs(unitOut), { TEST_DATABASE_URL: "" });
countVitest(unitOut);
if (process.env.TEST_DATABASE_URL) {
  const pgOut = path.join(results, "vitest-postgres.json");
  step("Integration tests (PostgreSQL)", bin("vitest"), [...vitestArgs(pgOut), "integration"]);
  countVitest(pgOut);
}

rmSync(path.join(root, ".data", "e2e"), { recursive: true, force: true });
const e2eOut = path.join(results, "playwright.json");
step("End-to-end tests (Chromium)", bin("playwright"), ["test", "--reporter=list,json"], { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: e2eOut });
countPlaywright(e2eOut);

// Scheduled checks every 5 seconds, on a portal of their own (playwright.worker.config.ts).
rmSync(path.join(root, ".data", "e2e-worker"), { recursive: true, force: true });
const workerOut = path.join(results, "playwright-worker.json");
step("End-to-end tests of scheduled checks (Chromium)", bin("playwright"), ["test", "--config", "playwright.worker.config.ts", "--reporter=list,json"], { CHROMIUM_PATH: chromium, PLAYWRIGHT_JSON_OUTPUT_NAME: workerOut });
countPlaywright(workerOut);

console.log("");
if (failures.length) console.log(`Failed steps: ${failures.join(", ")}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failures.length ? 1 : 0);
