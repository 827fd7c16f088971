import http from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import type { EventEnvelope } from "./events";
import { newSigningSecret, postWebhook, signedRequest } from "./webhook";

// One request against a local receiver: the signature verifies with the standardwebhooks library,
// and every way a request fails is said in words.

type Seen = { headers: http.IncomingHttpHeaders; body: string };
const seen: Seen[] = [];
let base = "";
const hung: http.ServerResponse[] = [];

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    seen.push({ headers: req.headers, body });
    if (req.url === "/ok") return res.writeHead(204).end();
    if (req.url === "/moved") return res.writeHead(301, { location: "https://elsewhere.example.com/hook" }).end();
    if (req.url === "/broken") return res.writeHead(500, { "content-type": "text/plain" }).end("database\n  is down");
    if (req.url === "/hang") return void hung.push(res);
    res.writeHead(404).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const r of hung) r.destroy();
  await new Promise((r) => server.close(r));
});

const envelope: EventEnvelope<"test"> = { id: "0b9f6c1e-5a43-4c1e-9c39-2f1d2c3b4a59", type: "test", timestamp: "2026-05-01T10:00:00.000Z", data: { org: { id: "o", slug: "acme", name: "Acme" }, message: "hello" } };

describe("signedRequest", () => {
  it("makes a whsec_ secret of 32 random bytes", () => {
    const s = newSigningSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), "base64")).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(s);
  });

  it("signs so that standardwebhooks' verify accepts it, and a changed body fails", () => {
    const secret = newSigningSecret();
    const { body, headers } = signedRequest(secret, envelope);
    expect(headers).toMatchObject({ "webhook-id": envelope.id, "content-type": "application/json", "user-agent": "Mailgrant-Webhooks/1" });
    expect(new Webhook(secret).verify(body, headers)).toEqual(envelope);
    expect(() => new Webhook(secret).verify(body.replace("hello", "hullo"), headers)).toThrow();
    expect(() => new Webhook(newSigningSecret()).verify(body, headers)).toThrow();
  });
});

describe("postWebhook", () => {
  const post = (path: string, over: Partial<Parameters<typeof postWebhook>[0]> = {}) => postWebhook({ url: `${base}${path}`, ...signedRequest(newSigningSecret(), envelope), allowLocal: true, ...over });

  it("delivers on 2xx and sends the signed headers", async () => {
    const r = await post("/ok");
    expect(r).toMatchObject({ ok: true, statusCode: 204, error: null });
    expect(seen.at(-1)!.headers["webhook-id"]).toBe(envelope.id);
    expect(JSON.parse(seen.at(-1)!.body)).toEqual(envelope);
  });

  it("does not follow a redirect", async () => {
    const r = await post("/moved");
    expect(r).toMatchObject({ ok: false, statusCode: 301 });
    expect(r.error).toMatch(/redirects are not followed: use the final URL/);
    expect(r.error).toContain("https://elsewhere.example.com/hook");
  });

  it("reports a refusing receiver's status and the start of its answer", async () => {
    expect(await post("/broken")).toMatchObject({ ok: false, statusCode: 500, error: "The receiver answered HTTP 500: database is down" });
  });

  it("gives up at the deadline and says so", async () => {
    const r = await post("/hang", { timeoutMs: 200 });
    expect(r).toMatchObject({ ok: false, statusCode: null });
    expect(r.error).toMatch(/No answer within 0\.2 s \(timeout\)/);
  });

  it("names a refused connection", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const r = await postWebhook({ url: `http://127.0.0.1:${port}/`, ...signedRequest(newSigningSecret(), envelope), allowLocal: true });
    expect(r.error).toBe(`Connection refused by 127.0.0.1:${port}: nothing listens there, or a firewall refuses the connection.`);
  });

  it("names a TLS failure", async () => {
    const r = await post("/ok", { url: `${base.replace("http:", "https:")}/ok` });
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^TLS failed with 127\.0\.0\.1:\d+/);
  });

  it("without the switch, refuses http:// and a name that resolves to 127.0.0.1, before connecting", async () => {
    const count = seen.length;
    const toLoopback = ((_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) => (o.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4))) as LookupFunction;
    const port = new URL(base).port;
    expect((await post("/ok", { allowLocal: false })).error).toBe("Webhook URLs must start with https://.");
    expect((await post("/ok", { url: `https://hooks.example.com:${port}/ok`, allowLocal: false, lookup: toLoopback })).error).toBe(
      "hooks.example.com resolves to 127.0.0.1, a loopback address; Mailgrant only sends webhooks to public addresses.",
    );
    expect((await post("/ok", { url: `https://127.0.0.1:${port}/ok`, allowLocal: false })).error).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(seen.length).toBe(count);
  });
});
