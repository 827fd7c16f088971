import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";

// PostgreSQL makes no index for a foreign key: without one, every delete of the parent row (an
// org, a connection, a user) scans the child table. Every foreign key must lead some index.

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

describe("schema", () => {
  it("every foreign key's columns lead an index", async () => {
    const missing = await database.prisma.$queryRaw<{ constraint: string }[]>`
      SELECT c.conrelid::regclass::text || '.' || c.conname AS constraint
      FROM pg_constraint c
      WHERE c.contype = 'f' AND NOT EXISTS (
        SELECT 1 FROM pg_index i
        WHERE i.indrelid = c.conrelid AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] = c.conkey
      )
      ORDER BY 1`;
    expect(missing.map((m) => m.constraint)).toEqual([]);
  });
});
