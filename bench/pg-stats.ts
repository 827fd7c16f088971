// What one sweep costs PostgreSQL: pg_stat_database's counters for the bench database (commits,
// rows inserted, updated, deleted) and WAL. WAL is the whole server's (pg_current_wal_lsn); when
// pg_walinspect is available the records that touch the bench database's relations are summed
// too, which leaves out other databases' traffic on a shared server (and commit records, which
// name no relation).
import pg from "pg";
import { randomBytes } from "node:crypto";
import { migrationScripts } from "@/test-support/test-db";

export type PgCounters = { xactCommit: number; inserted: number; updated: number; deleted: number; lsn: string };
export type PgDelta = { commits: number; rowsWritten: number; inserted: number; updated: number; deleted: number; walBytes: number; walBytesThisDatabase: number | null; walinspectError?: string };

/** One statement on the server's own database (CREATE/DROP DATABASE), on a connection of its own. */
export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function createBenchDatabase(serverUrl: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `mailgrant_bench_m_${randomBytes(4).toString("hex")}`;
  const admin = (sql: string) => adminQuery(serverUrl, sql);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const c = new pg.Client({ connectionString: url.toString() });
  await c.connect();
  for (const sql of migrationScripts()) await c.query(sql);
  await c.end();
  return { url: url.toString(), name, drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export class PgProbe {
  private constructor(private readonly client: pg.Client, private readonly walinspect: boolean, private readonly dbOid: number) {}

  static async open(url: string): Promise<PgProbe> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let walinspect = false;
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS pg_walinspect");
      walinspect = true;
    } catch {
      // not installed or not allowed: whole-server WAL only
    }
    const { rows } = await client.query<{ oid: number }>("SELECT oid::int AS oid FROM pg_database WHERE datname = current_database()");
    return new PgProbe(client, walinspect, rows[0]!.oid);
  }

  async counters(): Promise<PgCounters> {
    const { rows } = await this.client.query<{ xact_commit: string; tup_inserted: string; tup_updated: string; tup_deleted: string; lsn: string }>(
      "SELECT xact_commit, tup_inserted, tup_updated, tup_deleted, pg_current_wal_lsn()::text AS lsn FROM pg_stat_database WHERE datname = current_database()",
    );
    const r = rows[0]!;
    return { xactCommit: Number(r.xact_commit), inserted: Number(r.tup_inserted), updated: Number(r.tup_updated), deleted: Number(r.tup_deleted), lsn: r.lsn };
  }

  /**
   * Backends report their counters when they go idle, at most once a second (PostgreSQL 15's
   * PGSTAT_MIN_INTERVAL; later under lock contention), so they are read after 2.5 s. Before a sweep the WAL position is read after that pause too (the
   * sweep starts then); after it, at once (the sweep's WAL is written when it commits). The
   * worker's idle traffic in the pause (a heartbeat, queue polls) counts: a few rows against thousands.
   */
  async settledCounters(when: "before" | "after"): Promise<PgCounters> {
    const lsn = when === "after" ? (await this.counters()).lsn : undefined;
    await new Promise((r) => setTimeout(r, 2_500));
    const now = await this.counters();
    return { ...now, lsn: lsn ?? now.lsn };
  }

  async delta(before: PgCounters, after: PgCounters): Promise<PgDelta> {
    const { rows } = await this.client.query<{ bytes: string }>("SELECT pg_wal_lsn_diff($1, $2)::bigint AS bytes", [after.lsn, before.lsn]);
    let mine: number | null = null;
    let walinspectError: string | undefined;
    if (this.walinspect) {
      try {
        const r = await this.client.query<{ bytes: string | null }>(
          "SELECT sum(record_length)::bigint AS bytes FROM pg_get_wal_records_info($1::pg_lsn, $2::pg_lsn) WHERE block_ref LIKE $3",
          [before.lsn, after.lsn, `%/${this.dbOid}/%`],
        );
        mine = Number(r.rows[0]?.bytes ?? 0);
      } catch (e) {
        mine = null;
        walinspectError = (e as Error).message;
      }
    }
    const inserted = after.inserted - before.inserted;
    const updated = after.updated - before.updated;
    const deleted = after.deleted - before.deleted;
    return { commits: after.xactCommit - before.xactCommit, inserted, updated, deleted, rowsWritten: inserted + updated + deleted, walBytes: Number(rows[0]!.bytes), walBytesThisDatabase: mine, ...(walinspectError ? { walinspectError } : {}) };
  }

  close() {
    return this.client.end();
  }
}
