import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempPostgresDatabase } from "@/test-support/test-db";

// Drives the real Prisma CLI through our offline schema-engine bridge (prisma/engine), the way
// `npm start` and operators do: no test double between the CLI and the database.
const root = path.resolve(import.meta.dirname, "..");
const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");

function prisma(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [prismaCli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1", ...env } });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

// The CLI is a CPU-heavy child process (the schema engine runs as WebAssembly): on a busy 2-core
// machine one call has taken over a minute. This is a last guard, not a speed expectation.
const CLI_TIMEOUT = 240_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => { for (const c of cleanups) await c(); });

describe("migrations through the offline engine bridge", () => {
  it("the committed migrations match the schema (no drift)", () => {
    const r = prisma(["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema", "prisma/schema.prisma", "--exit-code"]);
    expect(r.output).toContain("No difference detected");
    expect(r.status).toBe(0);
  }, CLI_TIMEOUT);

  it("deploys to a fresh embedded database and reports it up to date", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mailgrant-pglite-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const url = `pglite:${dir}/db`;
    const deploy = prisma(["migrate", "deploy"], { DATABASE_URL: url });
    expect(deploy.output).toMatch(/applied|All migrations have been successfully applied/i);
    expect(deploy.status).toBe(0);
    const status = prisma(["migrate", "status"], { DATABASE_URL: url });
    expect(status.output).toContain("Database schema is up to date");
  }, CLI_TIMEOUT);

  // Runs where a PostgreSQL server is named (CI always does: .ci/run sets TEST_DATABASE_URL).
  it.runIf(process.env.TEST_DATABASE_URL)("deploys to a fresh PostgreSQL database and reports it up to date", async () => {
    const temp = await createTempPostgresDatabase(process.env.TEST_DATABASE_URL!, "mailgrant_migrate");
    cleanups.push(temp.drop);
    const deploy = prisma(["migrate", "deploy"], { DATABASE_URL: temp.url });
    expect(deploy.status, deploy.output).toBe(0);
    expect(prisma(["migrate", "status"], { DATABASE_URL: temp.url }).output).toContain("Database schema is up to date");
  }, CLI_TIMEOUT);
});
