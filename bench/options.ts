import { DEFAULT_PG_URL, FlagError, readFlags, type BenchEnv } from "./flags";

// The bench's flags (each also readable from an environment variable: --connections ↔ BENCH_CONNECTIONS).
export type Options = {
  connections: number;
  tenants: number;
  sweeps: number;
  embeddedSweeps: number;
  floorSweeps: number;
  workers: number[];
  concurrency: number;
  purposes: string[];
  pgUrl: string;
  port: number;
  worker: "real" | "stand-in" | "auto";
  logLevel: string;
  out: string;
  skipFloor: boolean;
  skipPostgres: boolean;
  skipEmbedded: boolean;
  skipWorkers: boolean;
  keep: boolean;
  /** Write a V8 CPU profile of every worker process here (bench/profile-summary.ts reads them). */
  cpuProf?: string;
  help: boolean;
};

export const usage = `npm run bench:sweep -- [options]

  --connections N     connections to seed (default 10000)         BENCH_CONNECTIONS
  --tenants N         Microsoft tenants, one org and integration each (default 500)
  --sweeps N          full sweeps on PostgreSQL, one worker process (default 3)
  --embedded-sweeps N full sweeps on the embedded database (default 1)
  --floor-sweeps N    runs of the floor script (default 1)
  --workers 1,2,4     worker processes for the scale-out sweeps on PostgreSQL (default 1,2,4)
  --concurrency N     checks in flight per worker process, and the floor's (default 32)
  --purposes LIST     the integrations' purposes (default graph-read,imap,pop,smtp: every protocol)
  --pg-url URL        PostgreSQL server; a database is created there and dropped after
                      (default ${DEFAULT_PG_URL})
  --port N            first of five ports for the bench's emulator (default 4400)
  --worker KIND       real (lib/worker/worker.ts), stand-in (bench/stand-in-worker.ts) or auto (default)
  --log-level L       the worker's LOG_LEVEL (default info, as in production; logs are discarded)
  --out DIR           where sweep-<date>.json goes (default bench/results)
  --cpu-prof DIR      write a V8 CPU profile of each worker process to DIR (summarize: tsx bench/profile-summary.ts DIR)
  --skip-floor --skip-postgres --skip-embedded --skip-workers --keep (keep the PostgreSQL database)

Smoke run (under a minute): npm run bench:sweep -- --connections 200 --tenants 10 --sweeps 1 --skip-workers`;

export function parseOptions(argv: string[], env: BenchEnv = process.env): Options {
  const { get, text, int, bool } = readFlags(argv, {
    values: ["connections", "tenants", "sweeps", "embedded-sweeps", "floor-sweeps", "workers", "concurrency", "purposes", "pg-url", "port", "worker", "log-level", "out", "cpu-prof"],
    booleans: ["skip-floor", "skip-postgres", "skip-embedded", "skip-workers", "keep"],
  }, env);
  const worker = text("worker", "auto");
  if (!["real", "stand-in", "auto"].includes(worker)) throw new FlagError(`--worker must be real, stand-in or auto, got "${worker}"`);
  const workers = text("workers", "1,2,4").split(",").map((s) => Number(s.trim()));
  if (workers.some((n) => !Number.isInteger(n) || n < 1 || n > 16)) throw new FlagError(`--workers must list process counts such as 1,2,4`);
  const o: Options = {
    connections: int("connections", 10_000),
    tenants: int("tenants", 500),
    sweeps: int("sweeps", 3),
    embeddedSweeps: int("embedded-sweeps", 1),
    floorSweeps: int("floor-sweeps", 1),
    workers,
    concurrency: int("concurrency", 32),
    purposes: text("purposes", "graph-read,imap,pop,smtp").split(",").map((s) => s.trim()).filter(Boolean),
    pgUrl: text("pg-url", DEFAULT_PG_URL),
    port: int("port", 4400),
    worker: worker as Options["worker"],
    logLevel: text("log-level", "info"),
    out: text("out", "bench/results"),
    skipFloor: bool("skip-floor"),
    skipPostgres: bool("skip-postgres"),
    skipEmbedded: bool("skip-embedded"),
    skipWorkers: bool("skip-workers"),
    keep: bool("keep"),
    ...(get("cpu-prof") ? { cpuProf: get("cpu-prof")! } : {}),
    help: bool("help"),
  };
  if (o.tenants > o.connections) throw new FlagError("--tenants must not exceed --connections");
  return o;
}
