// GET /metrics — Prometheus scrape: this process's counters plus gauges read from the database; bearer token required.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { metricsResponse } from "@/lib/metrics/endpoint";

export const dynamic = "force-dynamic";

export async function GET(request: Request) {
  const e = env();
  return metricsResponse(request, { token: e.MAILGRANT_METRICS_TOKEN, db, capacityPerWorker: e.MAILGRANT_WORKER_CONCURRENCY });
}
