import { Pool } from "pg";
import type { Database, Db } from "./db-client";
import { logger } from "./logger";

// Parameterized SQL sent straight to the driver, for the few reads that run on every token API
// call: Prisma's query engine costs about 2 ms of CPU per statement on top of the driver's own
// work (measured: a bare SELECT 1 took 2.4 ms via Prisma against 0.7 ms sent to PGlite directly).
// On the embedded database that is the process's one PGlite instance, whose query() queues behind
// any open transaction exactly as Prisma's statements do; on PostgreSQL a small pool of its own,
// which the token API's rate limiter shares. Values are always parameters ($1, $2, …), never text
// spliced into the statement.

/**
 * Runs one parameterized statement and returns its rows. `name` makes it a prepared statement on
 * PostgreSQL (one per distinct text, per session): after five runs the server keeps a generic
 * plan instead of planning each call (Connection has two dozen indexes to weigh). PGlite's and
 * Prisma's paths ignore it.
 */
export type SqlReader = { rows<T>(text: string, params: readonly unknown[], name?: string): Promise<T[]> };

export type DirectSql = SqlReader & {
  /** The PostgreSQL pool (null on the embedded database), for the rate limiter to share. */
  pool: Pool | null;
  close(): Promise<void>;
};

export function directSql(database: Pick<Database, "kind" | "url" | "pglite">, opts: { max?: number } = {}): DirectSql {
  if (database.kind === "pglite") {
    const pglite = database.pglite;
    if (!pglite) throw new Error("The embedded database was opened without its PGlite instance: open it with createPrismaClient.");
    return {
      pool: null,
      rows: async <T>(text: string, params: readonly unknown[]) => (await pglite.query<T>(text, [...params])).rows,
      close: async () => {},
    };
  }
  const pool = new Pool({ connectionString: database.url, max: opts.max ?? 6 });
  // An idle client the server dropped must not crash the process; the pool replaces it.
  pool.on("error", (e) => logger.warn({ err: e }, "token API pool: a database connection was lost"));
  // The rate limiter's counters are written on these sessions too, to an UNLOGGED table (see its
  // migration): no WAL, no flush to wait for, and no per-session setting.
  return {
    pool,
    rows: async <T>(text: string, params: readonly unknown[], name?: string) => (await pool.query<T & Record<string, unknown>>({ text, values: [...params], ...(name ? { name } : {}) })).rows as T[],
    close: () => pool.end(),
  };
}

/** The same statements through Prisma, for callers that hold only a Prisma client (the mail bridge). */
export function prismaSql(db: Db): SqlReader {
  return { rows: <T>(text: string, params: readonly unknown[]) => db.$queryRawUnsafe<T[]>(text, ...params) };
}

/** A reader from either: a Prisma client is wrapped, a reader is used as it is. */
export const sqlOf = (db: Db | SqlReader): SqlReader => ("rows" in db && typeof db.rows === "function" ? db : prismaSql(db as Db));

/**
 * A timestamp column as milliseconds since 1970 in UTC, a float8 every driver reads as a number
 * (Prisma's columns are `timestamp(3)` without time zone: pg would read them in the process's
 * local time zone, PGlite in UTC). Read back with `dateOf`.
 */
export const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
export const dateOf = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));
