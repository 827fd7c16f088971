import http from "node:http";
import { describe, expect, it } from "vitest";
import { GLOBAL, HELPDESK, SEED, admin, setupTestEmulator } from "./test-support";

const emu = setupTestEmulator();

const appOnly = {
  grant_type: "client_credentials",
  client_id: HELPDESK.clientId,
  client_secret: HELPDESK.secret,
  scope: "https://graph.microsoft.com/.default",
};
const tokenUrl = () => `${emu.http}/${GLOBAL}/${SEED.contosoId}/oauth2/v2.0/token`;
const discoveryUrl = (tenant = SEED.contosoId) => `${emu.http}/${GLOBAL}/${tenant}/v2.0/.well-known/openid-configuration`;
const keysUrl = () => `${emu.http}/${GLOBAL}/common/discovery/v2.0/keys`;
const postToken = () => fetch(tokenUrl(), { method: "POST", body: new URLSearchParams(appOnly) });

async function fault(body: Record<string, unknown>) {
  const res = await admin(emu.http, "POST", "/faults", body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Reads a response as raw chunks, to see how the body arrived. */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; chunks: Buffer[] }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, chunks }));
        res.on("error", reject);
      })
      .on("error", reject);
  });
}

describe("HTTP faults on the token endpoint", () => {
  it("answers 503 with Retry-After for a count, then the real answer", async () => {
    const stored = await fault({ endpoint: "token", status: 503, retryAfterSeconds: 7, times: 2, grantType: "client_credentials" });
    expect(stored).toMatchObject({ kind: "http", endpoint: "token", status: 503, remaining: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await postToken();
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(await res.json()).toMatchObject({ error: "temporarily_unavailable", error_codes: [] });
    }
    expect((await postToken()).status).toBe(200);
  });

  it("answers 429 with Retry-After 60 by default, and 500 as server_error, even to an invalid request", async () => {
    await fault({ endpoint: "token", status: 429 });
    const throttled = await fetch(tokenUrl(), { method: "POST", body: "" });
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("60");

    await fault({ endpoint: "token", status: 500 });
    const failed = await postToken();
    expect(failed.status).toBe(500);
    expect(failed.headers.get("retry-after")).toBeNull();
    expect(((await failed.json()) as { error: string }).error).toBe("server_error");
  });

  it("fires until cleared with times: untilCleared", async () => {
    expect(await fault({ endpoint: "token", status: 503, times: "untilCleared" })).toMatchObject({ remaining: null });
    for (let i = 0; i < 3; i++) expect((await postToken()).status).toBe(503);
    expect((await admin(emu.http, "GET", "/faults")).body).toMatchObject([{ kind: "http", remaining: null }]);
    await admin(emu.http, "DELETE", "/faults");
    expect((await postToken()).status).toBe(200);
  });

  it("mangles the real answer: malformed, truncated, aborted", async () => {
    await fault({ endpoint: "token", body: "malformed" });
    const malformed = await postToken();
    expect(malformed.status).toBe(200);
    const text = await malformed.text();
    expect(text).toContain('"access_token"');
    expect(() => JSON.parse(text)).toThrow(SyntaxError);

    await fault({ endpoint: "token", body: "truncated" });
    const truncated = await postToken();
    const cut = await truncated.text();
    expect(Number(truncated.headers.get("content-length"))).toBe(Buffer.byteLength(cut));
    expect(cut.startsWith('{"')).toBe(true);
    expect(() => JSON.parse(cut)).toThrow(SyntaxError);

    await fault({ endpoint: "token", body: "aborted" });
    // Headers and half the body arrive, then the connection closes: the client fails reading it.
    await expect(postToken().then((r) => r.text())).rejects.toThrow();

    expect((await postToken()).status).toBe(200);
  });

  it("sends a wrong content type, or an HTML error page with a status", async () => {
    await fault({ endpoint: "token", contentType: "text/plain" });
    const plain = await postToken();
    expect(plain.headers.get("content-type")).toBe("text/plain");
    expect(JSON.parse(await plain.text())).toHaveProperty("access_token");

    await fault({ endpoint: "token", status: 502, body: "html" });
    const page = await postToken();
    expect(page.status).toBe(502);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/^<!DOCTYPE html>/);
  });
});

describe("HTTP and network faults on discovery and keys", () => {
  it("answers discovery with a status, only for the tenant named", async () => {
    await fault({ endpoint: "discovery", status: 503, tenant: "contoso.onmicrosoft.com" });
    expect((await fetch(discoveryUrl(SEED.fabrikamId))).status).toBe(200);
    expect((await fetch(discoveryUrl())).status).toBe(503);
    expect((await fetch(discoveryUrl())).status).toBe(200);
  });

  it("sends the JWKS slowly, in pieces, and complete", async () => {
    await fault({ endpoint: "keys", slowBodyMs: 200 });
    const slow = await rawGet(keysUrl());
    expect(slow.status).toBe(200);
    expect(slow.chunks.length).toBeGreaterThan(1);
    const jwks = JSON.parse(Buffer.concat(slow.chunks).toString("utf8")) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
    expect(Number(slow.headers["content-length"])).toBe(Buffer.concat(slow.chunks).length);
  });

  it("serves keys with a wrong content type, empty, and drops discovery", async () => {
    await fault({ endpoint: "keys", contentType: "text/html; charset=utf-8", body: "empty" });
    const empty = await fetch(keysUrl());
    expect(empty.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await empty.text()).toBe("");

    expect(await fault({ endpoint: "discovery", drop: true })).toMatchObject({ kind: "network" });
    await expect(fetch(discoveryUrl())).rejects.toThrow(TypeError);
    expect((await fetch(discoveryUrl())).status).toBe(200);
  });

  it("validates HTTP fault bodies, naming the field", async () => {
    const refused = async (body: Record<string, unknown>, field: string) => {
      const res = await admin(emu.http, "POST", "/faults", body);
      expect(res.status).toBe(400);
      expect((res.body.error as { message: string }).message).toMatch(new RegExp(`^${field}:`));
    };
    await refused({ endpoint: "token", status: 418 }, "status");
    await refused({ endpoint: "discovery", status: 503, clientId: HELPDESK.clientId }, "endpoint");
    await refused({ endpoint: "keys", retryAfterSeconds: 5, contentType: "text/plain" }, "retryAfterSeconds");
    await refused({ endpoint: "keys", body: "garbled" }, "body");
    await refused({ endpoint: "authorize", status: 503 }, "code");
    await refused({ kind: "mail", endpoint: "token", code: "throttle" }, "code");
    await refused({ kind: "mail", endpoint: "graph", code: "throttle" }, "code");
    await refused({ kind: "graph", endpoint: "token", status: 503 }, "endpoint");
    await refused({ kind: "bogus", endpoint: "token" }, "kind");
    await refused({ endpoint: "token", status: 503, times: 0 }, "times");
    expect(await fault({ kind: "network", endpoint: "keys", delayMs: 1 })).toMatchObject({ kind: "network", remaining: 1 });
    const kinds = (await admin(emu.http, "GET", "/faults/kinds")).body as unknown as { kind: string; endpoints: string[] }[];
    expect(kinds.map((k) => k.kind).sort()).toEqual(["graph", "http", "identity", "mail", "network"]);
    expect(kinds.find((k) => k.kind === "http")?.endpoints).toEqual(["token", "discovery", "keys"]);
  });
});
