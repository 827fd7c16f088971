import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { metrics } from "@/lib/metrics/metrics";
import { startMetricsServer } from "./metrics-server";

// npm run worker's own /metrics (bearer token, refused when unset or wrong) and /health.

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(token: string | undefined) {
  server = await startMetricsServer({ port: 0, host: "127.0.0.1", token, health: () => ({ inFlight: 2 }) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("worker metrics server", () => {
  it("serves /metrics only with the configured bearer token", async () => {
    metrics().workerCapacity.set(32);
    const base = await serve("a-metrics-token-of-some-length");
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong-token-of-some-length!!" } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer a-metrics-token-of-some-length" } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/mailgrant_worker_concurrency_limit 32/);
  });

  it("refuses /metrics when no token is configured; /health answers without one", async () => {
    const base = await serve(undefined);
    const refused = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer anything-at-all-here" } });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).toContain("MAILGRANT_METRICS_TOKEN");
    const health = await fetch(`${base}/health`);
    expect(await health.json()).toEqual({ status: "ok", inFlight: 2 });
  });
});
