import { DEFAULT_PG_URL, FlagError, readFlags, type BenchEnv } from "./flags";

// The token API bench's flags (each also readable from the environment: --duration ↔ BENCH_DURATION).
export type ApiOptions = {
  embedded: boolean;
  postgres: boolean;
  pgUrl: string;
  /** The portal's port; the emulator takes the five from port + 10. */
  port: number;
  duration: number;
  warmup: number;
  connections: number;
  /** autocannon's connections for the latency runs (0: none). */
  latencyConnections: number;
  concurrent: number;
  out: string;
  /** A folder for V8 CPU profiles of the portal (summed by bench/profile-summary.ts). */
  cpuProf?: string;
  help: boolean;
};

export const apiUsage = `npm run bench:api -- [options]

  --embedded-only    only the embedded database (PGlite)
  --pg-only          only PostgreSQL
  --pg-url URL       PostgreSQL server; the bench creates its own database there and drops it after
                     (default ${DEFAULT_PG_URL})       BENCH_PG_URL
  --port N           the portal's port; the emulator uses N+10 … N+14 (default 4700)
  --duration S       seconds of each measured autocannon run (default 15)
  --warmup S         seconds of the warm-up run before them (default 5)
  --connections N    autocannon's concurrent connections (default 10)
  --latency-connections N
                     connections of a second pair of runs for latency without queueing (default 1; 0: skip)
  --concurrent N     concurrent token calls for the expired token (default 200)
  --out DIR          where api-<date>.json goes (default bench/results)
  --cpu-prof DIR     write a V8 CPU profile of each portal process there (its whole life: start,
                     burst and every run); tsx bench/profile-summary.ts DIR sums it by package

Quick run: npm run bench:api -- --duration 5 --warmup 2`;

export function parseApiOptions(argv: string[], env: BenchEnv = process.env): ApiOptions {
  const { get, text, int, bool } = readFlags(argv, {
    values: ["pg-url", "port", "duration", "warmup", "connections", "latency-connections", "concurrent", "out", "cpu-prof"],
    booleans: ["embedded-only", "pg-only"],
  }, env);
  const embeddedOnly = bool("embedded-only");
  const pgOnly = bool("pg-only");
  if (embeddedOnly && pgOnly) throw new FlagError("--embedded-only and --pg-only exclude each other; leave both out to run both databases");
  return {
    embedded: !pgOnly,
    postgres: !embeddedOnly,
    pgUrl: text("pg-url", DEFAULT_PG_URL),
    port: int("port", 4700),
    duration: int("duration", 15),
    warmup: int("warmup", 5, 0),
    connections: int("connections", 10),
    latencyConnections: int("latency-connections", 1, 0),
    concurrent: int("concurrent", 200),
    out: text("out", "bench/results"),
    ...(get("cpu-prof") ? { cpuProf: get("cpu-prof") } : {}),
    help: bool("help"),
  };
}
