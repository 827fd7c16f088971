import PgBoss from "pg-boss";
import type { Database } from "@/lib/db-client";
import { BOSS_SCHEMA } from "./queues";

// pg-boss on the portal's own database. PostgreSQL: its own pool from the same connection string
// (never the Prisma client). Embedded database: its `db` executor over the one PGlite instance the
// app already opened (PGlite allows one opener per process). pg-boss's migration and maintenance
// scripts are multi-statement text without parameters, which only PGlite's exec() runs; every
// parameterised statement is a single one, for query().

export { ALERT_DELIVERY_QUEUE, BOSS_SCHEMA, CHECK_QUEUE, CREDENTIALS_CHECK_QUEUE, EXPIRY_SCAN_QUEUE, KEEPALIVE_QUEUE, QUEUES, RETENTION_QUEUE, ROLLUP_QUEUE } from "./queues";

type PGliteLike = NonNullable<Database["pglite"]>;

/** The executor pg-boss runs its SQL through on the embedded database. */
export function pgliteExecutor(pglite: PGliteLike): PgBoss.Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      if (values?.length) return { rows: (await pglite.query(text, values)).rows };
      const results = await pglite.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
  };
}

export type BossOptions = {
  /** How often pg-boss's maintenance runs (expires jobs whose worker died, archives finished ones). */
  maintenanceIntervalSeconds?: number;
};

/** A PgBoss for the database (not started). */
export function createBoss(database: Database, opts: BossOptions = {}): PgBoss {
  const common = {
    schema: BOSS_SCHEMA,
    application_name: "mailgrant-worker",
    maintenanceIntervalSeconds: opts.maintenanceIntervalSeconds ?? 120,
    // Finished check jobs are history the Check table already keeps: archive them soon.
    archiveCompletedAfterSeconds: 3600,
    deleteAfterDays: 2,
  } satisfies PgBoss.ConstructorOptions;
  if (database.kind === "pglite") {
    if (!database.pglite) throw new Error("the embedded database has no PGlite instance to run pg-boss on");
    return new PgBoss({ ...common, db: pgliteExecutor(database.pglite) });
  }
  return new PgBoss({ ...common, connectionString: database.url, max: 4 });
}

/**
 * Creates the queues that are missing. pg-boss's create_queue is not serialised: two workers
 * starting at once on a fresh database deadlock in it (one is aborted), so a failed create is
 * retried, and finds the queue the other one made.
 */
export async function ensureQueues(boss: PgBoss, queues: readonly PgBoss.Queue[]): Promise<void> {
  for (const q of queues) {
    for (let attempt = 1; ; attempt += 1) {
      if (await boss.getQueue(q.name)) break;
      try {
        await boss.createQueue(q.name, q);
        break;
      } catch (e) {
        if (attempt >= 5) throw e;
        await new Promise((r) => setTimeout(r, 100 * attempt + Math.floor(Math.random() * 100)));
      }
    }
  }
}
