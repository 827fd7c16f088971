import { createHash, timingSafeEqual } from "node:crypto";
import type { Db } from "@/lib/db-client";
import { scrape } from "./collect";

// GET /metrics for Prometheus: a bearer token from configuration, compared in constant time (over
// SHA-256 digests, so the comparison does not reveal the token's length either). Without a
// configured token the endpoint refuses everyone: metrics name orgs' health and are not public.

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

export function bearerMatches(header: string | null, token: string): boolean {
  const presented = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1];
  if (!presented) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

const refuse = (status: number, message: string, headers: Record<string, string> = {}) =>
  new Response(`${message}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers } });

export async function metricsResponse(request: Request, deps: { token: string | undefined; db: () => Promise<Db>; capacityPerWorker?: number; now?: Date }): Promise<Response> {
  if (!deps.token) return refuse(404, "Metrics are off: set MAILGRANT_METRICS_TOKEN (at least 16 characters) and scrape with Authorization: Bearer <token>.");
  if (!bearerMatches(request.headers.get("authorization"), deps.token)) {
    return refuse(401, "Send Authorization: Bearer <MAILGRANT_METRICS_TOKEN>.", { "WWW-Authenticate": 'Bearer realm="mailgrant-metrics"' });
  }
  const { body, contentType } = await scrape(await deps.db(), { ...(deps.capacityPerWorker ? { capacityPerWorker: deps.capacityPerWorker } : {}), ...(deps.now ? { now: deps.now } : {}) });
  return new Response(body, { status: 200, headers: { "Content-Type": contentType, "Cache-Control": "no-store" } });
}
