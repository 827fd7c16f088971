-- The token API's rate limit counters are worth nothing after a crash (PostgreSQL empties an
-- unlogged table then): without WAL a counted call waits for no disk flush, which was most of a
-- rate-limited call's latency, and no session needs synchronous_commit turned off for it.
-- Prisma's schema cannot say UNLOGGED and its diff does not look at it, so it lives here only.
ALTER TABLE "rate_limits" SET UNLOGGED;
