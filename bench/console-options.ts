import { DEFAULT_PG_URL, FlagError, readFlags, type BenchEnv } from "./flags";

// The console bench's flags (each also readable from the environment: --connections ↔ BENCH_CONNECTIONS).
export type ConsoleOptions = {
  connections: number;
  orgs: number;
  tenants: number;
  largest: number;
  checks: number;
  pgUrl: string;
  database: string;
  embedded: boolean;
  embeddedDir: string;
  reuse: boolean;
  drop: boolean;
  port: number;
  requests: number;
  warmup: number;
  pageSeconds: number;
  only?: string;
  out: string;
  help: boolean;
};

export const consoleUsage = `npm run bench:console -- [options]

  --connections N   connections to seed (default 100000; 10000 with --embedded)     BENCH_CONNECTIONS
  --orgs N          orgs (default connections / 50)
  --tenants N       Microsoft tenants (default connections / 20)
  --largest N       connections of the largest org (default connections / 10)
  --checks N        Check rows over the last 30 days (default connections × 10)
  --pg-url URL      PostgreSQL server (default ${DEFAULT_PG_URL})
  --database NAME   the bench's database on it, dropped and created afresh (default mailgrant_bench_console)
  --embedded        the embedded database (PGlite) instead of PostgreSQL
  --embedded-dir D  its data folder, emptied first (default .data/bench-console-pglite)
  --reuse           keep a database this bench seeded before (same sizes) and skip seeding
  --drop            drop the database (or the PGlite folder) at the end; by default it is kept for EXPLAIN
  --port N          the portal's port (default 4410)
  --requests N      measured requests per page, after the warm-up (default 30)
  --warmup N        warm-up requests per page (default 3)
  --page-seconds N  time budget per page: a page this slow stops after at least 5 requests (default 120)
  --only REGEX      measure only the pages whose name matches (see bench/console-pages.ts)
  --out DIR         where console-<date>.json and .md go (default bench/results)

Development run (a minute or two): npm run bench:console -- --connections 5000`;

export function parseConsoleOptions(argv: string[], env: BenchEnv = process.env): ConsoleOptions {
  const { get, text, int, bool } = readFlags(argv, {
    values: ["connections", "orgs", "tenants", "largest", "checks", "pg-url", "database", "embedded-dir", "port", "requests", "warmup", "page-seconds", "only", "out"],
    booleans: ["embedded", "reuse", "drop"],
  }, env);
  const embedded = bool("embedded");
  const connections = int("connections", embedded ? 10_000 : 100_000, 10);
  const database = text("database", "mailgrant_bench_console");
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new FlagError(`--database must be a plain PostgreSQL name (lower case, digits, _), got "${database}"`);
  const only = get("only");
  if (only) new RegExp(only); // a bad pattern fails here, with its own message
  return {
    connections,
    orgs: int("orgs", Math.max(1, Math.round(connections / 50))),
    tenants: int("tenants", Math.max(1, Math.round(connections / 20))),
    largest: int("largest", Math.max(1, Math.round(connections / 10))),
    checks: int("checks", connections * 10, 0),
    pgUrl: text("pg-url", DEFAULT_PG_URL),
    database,
    embedded,
    embeddedDir: text("embedded-dir", ".data/bench-console-pglite"),
    reuse: bool("reuse"),
    drop: bool("drop"),
    port: int("port", 4410),
    requests: int("requests", 30),
    warmup: int("warmup", 3, 0),
    pageSeconds: int("page-seconds", 120),
    ...(only ? { only } : {}),
    out: text("out", "bench/results"),
    help: bool("help"),
  };
}
