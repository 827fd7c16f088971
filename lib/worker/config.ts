import { env, type Env } from "@/lib/env";

// The worker's knobs, from configuration (lib/env.ts validates each variable).

export type WorkerConfig = {
  /** Checks in flight in this process, per Microsoft tenant (in this process), and requests per mailbox. */
  concurrency: number;
  tenantConcurrency: number;
  mailboxConcurrency: number;
  tickSeconds: number;
  leaseSeconds: number;
  /** Overrides every org's interval (tests, demos). */
  intervalOverrideSeconds?: number;
  retentionDays: number;
  dailyRetentionMonths: number;
  /** How long a connection's failure waits for others of its tenant before it is sent alone. */
  alertGroupSeconds: number;
};

export function workerConfig(e: Env = env()): WorkerConfig {
  return {
    concurrency: e.MAILGRANT_WORKER_CONCURRENCY,
    tenantConcurrency: e.MAILGRANT_TENANT_CONCURRENCY,
    mailboxConcurrency: e.MAILGRANT_MAILBOX_CONCURRENCY,
    tickSeconds: e.MAILGRANT_SCHEDULER_TICK_SECONDS,
    leaseSeconds: e.MAILGRANT_CHECK_LEASE_SECONDS,
    ...(e.MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS ? { intervalOverrideSeconds: e.MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS } : {}),
    retentionDays: e.MAILGRANT_CHECK_RETENTION_DAYS,
    dailyRetentionMonths: e.MAILGRANT_CHECK_DAILY_RETENTION_MONTHS,
    alertGroupSeconds: e.MAILGRANT_ALERT_GROUP_SECONDS,
  };
}
