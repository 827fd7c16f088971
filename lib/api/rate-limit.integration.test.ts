import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db-client";
import { directSql } from "@/lib/db-sql";
import { openTestDb } from "@/test-support/test-db";
import { DEFAULT_LIMITS, createLimiters } from "./rate-limit";

// The token API's counters live in rate_limits, a table whose rows are worth nothing after a
// crash: it is UNLOGGED, so a counted call writes no WAL and waits for no disk flush, with no
// per-session setting (the pool's sessions stay as PostgreSQL made them).

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(() => database.close());

describe("rate limit store", () => {
  it("rate_limits is an unlogged table", async () => {
    const rows = await database.prisma.$queryRawUnsafe<{ relpersistence: string }[]>(`SELECT relpersistence::text AS relpersistence FROM pg_class WHERE relname = 'rate_limits'`);
    expect(rows).toEqual([{ relpersistence: "u" }]);
  });

  // Only PostgreSQL has a pool to speak of: the embedded database counts in memory.
  it.skipIf(!process.env.TEST_DATABASE_URL)("counting on the shared pool leaves pg's warnings silent and its sessions as configured", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    const sql = directSql(database, { max: 2 });
    try {
      const limiters = createLimiters(sql.pool, { ...DEFAULT_LIMITS, perKey: 100, perConnection: 100 });
      await Promise.all(Array.from({ length: 6 }, (_, i) => limiters.key(`k-${i % 3}`)));
      await Promise.all(Array.from({ length: 4 }, () => sql.rows("SELECT 1", [])));
      expect(await database.prisma.rateLimit.count({ where: { key: { startsWith: "api_key:k-" } } })).toBe(3);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings.filter((m) => /already executing a query/.test(m))).toEqual([]);
      const [setting] = await sql.rows<{ synchronous_commit: string }>("SHOW synchronous_commit", []);
      expect(setting).toEqual({ synchronous_commit: "on" });
    } finally {
      process.off("warning", onWarning);
      await sql.close();
    }
  });
});
