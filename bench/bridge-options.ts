// bench:bridge's flags (each also readable from an environment variable: --seconds ↔ BENCH_SECONDS).
import path from "node:path";
import { DEFAULT_PG_URL, readFlags, type BenchEnv } from "./flags";

export type BridgeOptions = { concurrency: number; seconds: number; warmup: number; rounds: number; fetch: number; idle: number; idleHoldSeconds: number; pg: boolean; pgUrl: string; port: number; out: string; cpuProf?: string; help: boolean };

export const bridgeUsage = `npm run bench:bridge -- [options]

  --concurrency N     sessions in flight, the same for the bridge and the direct path (default 8)
  --seconds N         measured seconds per protocol and path, per round (default 10)
  --warmup N          unmeasured seconds before each protocol and path's first round (default 2)
  --rounds N          rounds of direct, bridge (default 2; the figures combine them)
  --fetch N           messages each IMAP session FETCHes (default 10)
  --idle N            idle IMAP sessions held through the bridge for its memory (default 500; 0: skip)
  --idle-hold N       seconds they stay open before memory is read (default 5)
  --pg                the bridge's database on PostgreSQL (a temporary database) instead of the embedded one
  --pg-url URL        the PostgreSQL server (default ${DEFAULT_PG_URL})
  --port N            first port: the emulator on N..N+4, the bridge on N+10 (SMTP) and N+11 (IMAP TLS) (default 4900)
  --out DIR           where bridge-<date>.json goes (default bench/results)
  --cpu-prof DIR      write a V8 CPU profile of the bridge process to DIR, one per measured bridge row (setup and
                      the direct rows left out; summarize: tsx bench/profile-summary.ts DIR)

Smoke run (under a minute): npm run bench:bridge -- --seconds 2 --rounds 1 --idle 20`;

export function parseBridgeOptions(argv: string[], env: BenchEnv = process.env): BridgeOptions {
  const { get, text, int, bool } = readFlags(argv, {
    values: ["concurrency", "seconds", "warmup", "rounds", "fetch", "idle", "idle-hold", "pg-url", "port", "out", "cpu-prof"],
    booleans: ["pg"],
  }, env);
  return {
    concurrency: int("concurrency", 8),
    seconds: int("seconds", 10),
    warmup: int("warmup", 2, 0),
    rounds: int("rounds", 2),
    fetch: int("fetch", 10),
    idle: int("idle", 500, 0),
    idleHoldSeconds: int("idle-hold", 5, 0),
    pg: bool("pg"),
    pgUrl: text("pg-url", DEFAULT_PG_URL),
    port: int("port", 4900, 1024),
    out: path.resolve(text("out", path.join(import.meta.dirname, "results"))),
    ...(get("cpu-prof") ? { cpuProf: path.resolve(get("cpu-prof")!) } : {}),
    help: bool("help"),
  };
}
