import { Counter, Gauge, Histogram, Registry } from "prom-client";

// The process's Prometheus metrics. The worker observes checks and refreshes here as they happen
// (process-local counters and histograms: scrape every process); GET /metrics adds gauges read
// from the database at scrape time (lib/metrics/collect.ts). One registry per process, kept on
// globalThis so the custom server and Next's bundle, which share the process, share it too.

type Metrics = {
  registry: Registry;
  checkDuration: Histogram<"outcome" | "trigger">;
  checks: Counter<"outcome" | "trigger">;
  refreshes: Counter<"outcome" | "resource">;
  workerInFlight: Gauge<never>;
  workerCapacity: Gauge<never>;
  /** Alert events emitted, by type (lib/alerts). */
  alertEvents: Counter<"type">;
  /** Delivery attempts by channel kind (webhook, email) and outcome: delivered, failed_attempt (retried), gave_up, skipped. */
  alertDeliveries: Counter<"kind" | "outcome">;
  alertDeliveryDuration: Histogram<"kind">;
  /** Token API calls by operation and answer ("ok" or the error code); never a key or a token. */
  apiRequests: Counter<"operation" | "code">;
};

const g = globalThis as unknown as { __mailgrantMetrics?: Metrics };

export function metrics(): Metrics {
  if (g.__mailgrantMetrics) return g.__mailgrantMetrics;
  const registry = new Registry();
  const m: Metrics = {
    registry,
    checkDuration: new Histogram({
      name: "mailgrant_check_duration_seconds",
      help: "Duration of connection checks run by this process.",
      labelNames: ["outcome", "trigger"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40, 80],
      registers: [registry],
    }),
    checks: new Counter({ name: "mailgrant_checks_total", help: "Connection checks run by this process, by outcome.", labelNames: ["outcome", "trigger"], registers: [registry] }),
    refreshes: new Counter({
      name: "mailgrant_token_refreshes_total",
      help: "Token refreshes by this process: ok, or the failure's class.",
      labelNames: ["outcome", "resource"],
      registers: [registry],
    }),
    workerInFlight: new Gauge({ name: "mailgrant_worker_checks_in_flight", help: "Checks this process's worker is running now.", registers: [registry] }),
    workerCapacity: new Gauge({ name: "mailgrant_worker_concurrency_limit", help: "Checks this process's worker may run at once.", registers: [registry] }),
    alertEvents: new Counter({ name: "mailgrant_alert_events_total", help: "Alert events emitted by this process, by type.", labelNames: ["type"], registers: [registry] }),
    alertDeliveries: new Counter({
      name: "mailgrant_alert_deliveries_total",
      help: "Alert delivery attempts by this process, by channel kind and outcome (delivered, failed_attempt: retried later, gave_up, skipped: channel paused).",
      labelNames: ["kind", "outcome"],
      registers: [registry],
    }),
    alertDeliveryDuration: new Histogram({
      name: "mailgrant_alert_delivery_duration_seconds",
      help: "Time one alert delivery attempt took (the webhook's answer, or the mail server's), by channel kind.",
      labelNames: ["kind"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: "mailgrant_api_requests_total",
      help: "Token API calls served by this process, by operation (list, get, token, check) and answer (ok, or the error code).",
      labelNames: ["operation", "code"],
      registers: [registry],
    }),
  };
  g.__mailgrantMetrics = m;
  return m;
}
