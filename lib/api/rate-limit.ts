import type { Pool } from "pg";
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract, type RateLimiterStoreAbstract } from "rate-limiter-flexible";
import { logger } from "@/lib/logger";
import { ApiError } from "./errors";

// Rate limits of the token API, with rate-limiter-flexible. On PostgreSQL the counts live in the
// database (the `rate_limits` table, made by a migration, so several web processes share them),
// one atomic upsert per consume, on the token API's pool (lib/db-sql.ts: its owner ends it); if the
// database does not answer, an in-memory limiter of the same size stands in (rate-limiter-flexible's insurance) rather than
// refusing every call. The embedded database serves one process only, so there the counts live
// in that process's memory: the same limits, without a write per call on the single connection.
//
// Calls with a bad key are limited per client address in memory before any query is made, so
// guessing keys cannot become a flood of lookups.

export type ApiLimits = {
  /** Calls per minute per API key. */
  perKey: number;
  /** Calls per minute per connection, across keys. */
  perConnection: number;
  /** Checks per ten minutes per connection (each signs in to Microsoft over every protocol). */
  checksPerConnection: number;
  /** Calls with a bad key per minute per client address, before it is refused without a lookup. */
  badKeysPerIp: number;
};

export const DEFAULT_LIMITS: Omit<ApiLimits, "perKey" | "perConnection"> = { checksPerConnection: 10, badKeysPerIp: 30 };

export type ApiLimiters = {
  key(keyId: string): Promise<void>;
  connection(connectionId: string): Promise<void>;
  check(connectionId: string): Promise<void>;
  /** Refuses an address that has sent too many bad keys lately; call before looking a key up. */
  badKeyGate(ip: string): Promise<void>;
  badKey(ip: string): Promise<void>;
};

function refusal(res: RateLimiterRes, what: string): ApiError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new ApiError("rate_limited", `Too many calls ${what}. Wait ${seconds} second${seconds === 1 ? "" : "s"} (Retry-After) and try again; cache tokens until shortly before expires_at instead of asking for one per message.`, { retry_after: seconds }, { "Retry-After": String(seconds) });
}

async function consume(limiter: RateLimiterAbstract, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (e) {
    if (e instanceof RateLimiterRes) throw refusal(e, what);
    // The store failed and the insurance limiter too: let the call through rather than fail it.
    logger.error({ err: e }, "rate limiter failed; the call was let through");
  }
}

/** `pool`: the PostgreSQL pool the counts are kept through (lib/db-sql.ts), or null on the embedded database (memory). */
export function createLimiters(pool: Pool | null, limits: ApiLimits): ApiLimiters {
  const specs = {
    key: { keyPrefix: "api_key", points: limits.perKey, duration: 60 },
    connection: { keyPrefix: "api_conn", points: limits.perConnection, duration: 60 },
    check: { keyPrefix: "api_check", points: limits.checksPerConnection, duration: 600 },
  };
  // The counters' table is UNLOGGED (its migration says why): no WAL flush per counted call.
  const make = (spec: { keyPrefix: string; points: number; duration: number }): RateLimiterAbstract | RateLimiterStoreAbstract => {
    if (!pool) return new RateLimiterMemory(spec);
    return new RateLimiterPostgres({ ...spec, storeClient: pool, storeType: "pool", tableName: "rate_limits", tableCreated: true, insuranceLimiter: new RateLimiterMemory(spec) });
  };
  const limiters = { key: make(specs.key), connection: make(specs.connection), check: make(specs.check) };
  const badKeys = new RateLimiterMemory({ keyPrefix: "api_bad_key", points: limits.badKeysPerIp, duration: 60 });
  return {
    key: (id) => consume(limiters.key, id, "with this API key"),
    connection: (id) => consume(limiters.connection, id, "for this connection"),
    check: (id) => consume(limiters.check, id, "asking for checks of this connection (each signs in to Microsoft over every protocol)"),
    async badKeyGate(ip) {
      const seen = await badKeys.get(ip);
      if (seen && seen.consumedPoints >= limits.badKeysPerIp) throw refusal(seen, "with keys that are not valid from this address");
    },
    async badKey(ip) {
      await badKeys.consume(ip).catch(() => undefined);
    },
  };
}
