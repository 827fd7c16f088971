import { defineConfig } from "@playwright/test";

// End-to-end tests drive Debian's Chromium (never a downloaded browser) against the real
// launcher in demo mode: the same `npm start` path people use, on its own ports and data folder.
const port = Number(process.env.E2E_PORT ?? 3200);
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 3300);
export const e2e = { baseURL: `http://localhost:${port}`, emulatorAdmin: `http://localhost:${emulatorPort + 1}/_emulator` };

/** Debian's Chromium, quiet on a closed network (shared with playwright.worker.config.ts). */
export const chromiumLaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
};

export default defineConfig({
  testDir: "e2e",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  timeout: 90_000,
  // A connection test makes a dozen real protocol round trips; on a busy 2-core machine its
  // result can take longer than Playwright's 5 s default to appear. A guard, not a target.
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: e2e.baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  webServer: {
    command: "node --import tsx scripts/start.ts",
    url: `${e2e.baseURL}/api/health`,
    // The launcher builds the app first when sources changed: minutes on a busy 2-core machine.
    timeout: 600_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      PORT: String(port),
      EMULATOR_PORT: String(emulatorPort),
      EMULATOR_HTTP_PORT: String(emulatorPort + 1),
      MAILGRANT_DATA_DIR: ".data/e2e",
      SUPPORT_EMAILS: "support@mailgrant-ops.onmicrosoft.com",
      LOG_LEVEL: "warn",
      // Short enough that e2e/connections.spec.ts can watch a consent flow expire.
      MAILGRANT_CONSENT_FLOW_TTL_SECONDS: "30",
      // The mail bridge next to the emulator's ports (it uses +0 to +4), so parallel runs on
      // different E2E ports never take each other's: SMTP +11 (STARTTLS), +12 (TLS), IMAP +13
      // (STARTTLS), +14 (TLS), POP3 +15. Not +5 to +9: with the default 3300 that is 3306, where
      // machines like CI's run MariaDB (the bridge then could not bind and did not start).
      MAILGRANT_BRIDGE_SMTP_PORT: String(emulatorPort + 11),
      MAILGRANT_BRIDGE_SMTPS_PORT: String(emulatorPort + 12),
      MAILGRANT_BRIDGE_IMAP_PORT: String(emulatorPort + 13),
      MAILGRANT_BRIDGE_IMAPS_PORT: String(emulatorPort + 14),
      MAILGRANT_BRIDGE_POP3S_PORT: String(emulatorPort + 15),
    },
  },
});
