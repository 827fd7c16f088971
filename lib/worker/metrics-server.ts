import { createServer, type Server } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { metrics } from "@/lib/metrics/metrics";

// `npm run worker`'s own small HTTP server: GET /metrics (Prometheus, bearer token; refused when
// the token is unset or wrong) and GET /health (liveness and what the worker holds). The web
// process serves its own /metrics and /api/health.

function bearerOk(header: string | undefined, token: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!m) return false;
  const a = Buffer.from(m[1]!);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function startMetricsServer(opts: { port: number; host?: string; token: string | undefined; health: () => Record<string, unknown> }): Promise<Server> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://worker");
    const send = (status: number, body: string, type = "application/json") => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, JSON.stringify({ error: { code: "method_not_allowed", message: "Only GET." } }));
    if (url.pathname === "/health") return send(200, JSON.stringify({ status: "ok", ...opts.health() }));
    if (url.pathname === "/metrics") {
      if (!bearerOk(req.headers.authorization, opts.token)) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="mailgrant-worker"');
        return send(401, JSON.stringify({ error: { code: "unauthenticated", message: opts.token ? "A valid bearer token is required." : "Metrics are off: set MAILGRANT_METRICS_TOKEN." } }));
      }
      const registry = metrics().registry;
      registry
        .metrics()
        .then((text) => send(200, text, registry.contentType))
        .catch(() => send(500, JSON.stringify({ error: { code: "internal", message: "Metrics could not be collected." } })));
      return;
    }
    send(404, JSON.stringify({ error: { code: "not_found", message: "Not found." } }));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => resolve(server));
  });
}
