import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["**/*.test.ts"],
    globalSetup: ["test-support/global-setup.ts"],
    exclude: ["node_modules/**", "e2e/**", ".next/**", ".data/**"],
    // Integration tests each open an in-memory PGlite; two cores, keep it modest.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
