// The worker's pg-boss schema and queue names, in a module of their own so readers (GET /metrics
// in Next's bundle) need not load pg-boss to know them.

export const BOSS_SCHEMA = "pgboss";

export const CHECK_QUEUE = "check";
export const KEEPALIVE_QUEUE = "keepalive";
export const EXPIRY_SCAN_QUEUE = "expiry-scan";
export const RETENTION_QUEUE = "retention";
/** One job per delivery attempt of an alert (lib/alerts/delivery-queue.ts). */
export const ALERT_DELIVERY_QUEUE = "alert-delivery";
/** The daily credentials check of every integration (integration.credentials_failing). */
export const CREDENTIALS_CHECK_QUEUE = "credentials-check";
/** Every 5 minutes: the health snapshot and the hourly check roll-ups the charts read (lib/checks/rollup.ts). */
export const ROLLUP_QUEUE = "rollup";
export const QUEUES = [CHECK_QUEUE, KEEPALIVE_QUEUE, EXPIRY_SCAN_QUEUE, RETENTION_QUEUE, ALERT_DELIVERY_QUEUE, CREDENTIALS_CHECK_QUEUE, ROLLUP_QUEUE] as const;
