import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "./playwright.config";

// The scheduled-check suite: its own portal (own ports and data folder) whose worker checks every
// mailbox every 5 seconds, so the main suite's server keeps the normal interval and its specs
// are never disturbed by checks they did not start. Run after the main suite (scripts/test.ts).
const port = Number(process.env.E2E_WORKER_PORT ?? 3400);
const emulatorPort = Number(process.env.E2E_WORKER_EMULATOR_PORT ?? 3410);
// e2e/fixtures.ts reaches the portal and the emulator's admin API through playwright.config.ts's
// `e2e`, which reads these; test workers inherit this process's environment.
process.env.E2E_PORT = String(port);
process.env.E2E_EMULATOR_PORT = String(emulatorPort);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "e2e-worker",
  fullyParallel: true,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  // Results arrive with the next scheduled check; specs reload until they show (a guard, not a target).
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never", outputFolder: "playwright-report-worker" }]],
  outputDir: "test-results-worker",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_HTTP_PORT: String(emulatorPort + 1),
      MAILGRANT_DATA_DIR: ".data/e2e-worker",
      LOG_LEVEL: "warn",
      MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS: "5",
      MAILGRANT_SCHEDULER_TICK_SECONDS: "1",
      // A failure is sent after a second instead of waiting two minutes for others of its tenant.
      MAILGRANT_ALERT_GROUP_SECONDS: "1",
    },
  },
});
