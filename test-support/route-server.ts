// Serves route handlers over real HTTP for tests that run a client as its own process (the
// README's examples): each request becomes a Request, as Next hands it to a route, with the
// client address server.ts would set.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** routes: "POST /api/v1/connections/:id/token" → handler. */
export async function serveRoutes(routes: Record<string, Route>) {
  const table = Object.entries(routes).map(([spec, handler]) => {
    const [method, pattern] = spec.split(" ") as [string, string];
    const names: string[] = [];
    const re = new RegExp(`^${pattern.replace(/:(\w+)/g, (_, n: string) => (names.push(n), "([^/]+)"))}$`);
    return { method, re, names, handler };
  });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const hit = table.find((r) => r.method === req.method && r.re.test(url.pathname));
    if (!hit) {
      res.writeHead(404).end();
      return;
    }
    const m = hit.re.exec(url.pathname)!;
    const params = Object.fromEntries(hit.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
    const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
    headers.set(CLIENT_IP_HEADER, "127.0.0.1");
    const body = req.method === "GET" ? undefined : new Uint8Array(await bodyOf(req));
    const answer = await hit.handler(new Request(url, { method: req.method, headers, ...(body ? { body } : {}) }), { params: Promise.resolve(params) });
    res.writeHead(answer.status, Object.fromEntries(answer.headers));
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
