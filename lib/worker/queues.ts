// The worker's pg-boss schema and queue names, in a module of their own so readers (GET /metrics
// in Next's bundle) need not load pg-boss to know them.

export const BOSS_SCHEMA = "pgboss";

export const CHECK_QUEUE = "check";
export const KEEPALIVE_QUEUE = "keepalive";
export const EXPIRY_SCAN_QUEUE = "expiry-scan";
export const RETENTION_QUEUE = "retention";
export const QUEUES = [CHECK_QUEUE, KEEPALIVE_QUEUE, EXPIRY_SCAN_QUEUE, RETENTION_QUEUE] as const;
