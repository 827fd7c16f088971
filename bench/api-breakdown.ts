// Where a token call's time goes, without Next.js: the steps lib/api/handler.ts and the token route
// take for a cached token, each called on its own one after another in the bench's process against
// the same database (after the portal stopped: the embedded database serves one process). The
// difference between their sum and the endpoint's latency is the framework, the route wrapper and
// the HTTP exchange.
import pg from "pg";
import { createPrismaClient } from "@/lib/db-client";
import { directSql } from "@/lib/db-sql";
import type { Keyring } from "@/lib/crypto";
import { authenticateKey } from "@/lib/api-keys/keys";
import { tokenForKey } from "@/lib/api/connections";
import { createLimiters, DEFAULT_LIMITS } from "@/lib/api/rate-limit";
import { releasePgliteLock, type ApiFixture } from "./api-seed";

/** `cpuMs`: this process's CPU per call (on PGlite the database's work included: it runs in-process). `statements`: SQL statements per call on PostgreSQL (every pg.Client query: Prisma's pool and the limiter's); null on PGlite. */
export type Step = { step: string; meanMs: number; p50Ms: number; p99Ms: number; cpuMs: number; statements: number | null };

let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

async function time(step: string, n: number, postgres: boolean, fn: () => Promise<unknown>): Promise<Step> {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  const ms: number[] = [];
  const before = statements;
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  const used = process.cpuUsage(cpu);
  const perCall = postgres ? (statements - before) / n : null;
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))]!;
  return { step, meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, p50Ms: at(0.5), p99Ms: at(0.99), cpuMs: (used.user + used.system) / 1000 / n, statements: perCall };
}

export async function breakdown(url: string, keyring: Keyring, fixture: ApiFixture, n = 500): Promise<Step[]> {
  const database = await createPrismaClient(url);
  const db = database.prisma;
  // As lib/api/handler.ts does: the hot reads straight to the driver, the limiter on the same pool.
  const sql = directSql(database);
  const limiters = createLimiters(sql.pool, { ...DEFAULT_LIMITS, perKey: 1e9, perConnection: 1e9 });
  try {
    const auth = await authenticateKey(sql, fixture.apiKey);
    if (!auth.ok) throw new Error(`the bench's key was refused: ${auth.reason}`);
    const key = auth.key;
    const call = { key, id: fixture.connectionId, resource: "graph" as const, portalUrl: "http://localhost" };
    const pgdb = database.kind === "postgres";
    return [
      await time("one query round trip (Prisma SELECT 1)", n, pgdb, () => db.$queryRaw`SELECT 1`),
      await time("one query round trip (driver SELECT 1)", n, pgdb, () => sql.rows("SELECT 1", [])),
      await time("authenticateKey (ApiKey + Org), driver", n, pgdb, () => authenticateKey(sql, fixture.apiKey)),
      await time("authenticateKey (ApiKey + Org), via Prisma", n, pgdb, () => authenticateKey(db, fixture.apiKey)),
      await time("rate limits (per key + per connection)", n, pgdb, async () => {
        await limiters.key(key.id);
        await limiters.connection(fixture.connectionId);
      }),
      await time("tokenForKey, cached (Connection + Integration + token, decrypt)", n, pgdb, () => tokenForKey({ db, sql, keyring }, call)),
    ];
  } finally {
    await sql.close();
    await database.close();
    releasePgliteLock(url);
  }
}
