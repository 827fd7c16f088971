// The floor: the Microsoft calls of one check, for every connection, with the worker's concurrency
// and none of the portal's code or database. Per connection, as lib/connections/connection-test.ts
// and lib/microsoft/probes do: a refresh-token grant per resource the integration uses (oauth4webapi,
// client secret, ID token checked against the tenant's issuer from discovery, cached per authority
// as the portal caches it), GET /me and one inbox message from Graph, then IMAP (imapflow: XOAUTH2,
// EXAMINE INBOX, LOGOUT), POP (raw TLS: AUTH XOAUTH2, STAT, QUIT) and SMTP (nodemailer: STARTTLS,
// AUTH XOAUTH2). Run as its own process: `tsx bench/floor.ts <input.json>`; prints one JSON line.
import { readFileSync } from "node:fs";
import tls from "node:tls";
import * as oauth from "oauth4webapi";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";

export type FloorInput = {
  concurrency: number;
  /** https://localhost:4400/login.microsoftonline.com: the token host as the deployment maps it. */
  loginBase: string;
  graphBase: string;
  mail: { host: string; imapPort: number; popPort: number; smtpPort: number };
  /** Per resource the integration uses, the scope a refresh asks for. */
  scopes: { graph?: string; outlook?: string };
  steps: { graph: boolean; imap: boolean; pop: boolean; smtp: boolean };
  connections: { tenantId: string; clientId: string; secret: string; upn: string; refreshToken: string }[];
  timeoutMs: number;
};

export type FloorResult = {
  checks: number;
  passed: number;
  failed: number;
  failures: Record<string, number>;
  durationMs: number;
  checksPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  cpuMs: number;
  peakRssBytes: number;
};

const issuers = new Map<string, Promise<string>>();
function issuerOf(loginBase: string, tenantId: string): Promise<string> {
  const authority = `${loginBase}/${tenantId}`;
  let p = issuers.get(authority);
  if (!p) {
    p = (async () => {
      const res = await oauth.discoveryRequest(new URL(`${authority}/v2.0`), { algorithm: "oidc", signal: AbortSignal.timeout(10_000) });
      const doc = (await res.json()) as { issuer: string };
      return doc.issuer.replace("{tenantid}", tenantId);
    })();
    issuers.set(authority, p);
  }
  return p;
}

async function refresh(input: FloorInput, c: FloorInput["connections"][number], scope: string): Promise<string> {
  const tokenEndpoint = `${input.loginBase}/${c.tenantId}/oauth2/v2.0/token`;
  const as: oauth.AuthorizationServer = { issuer: await issuerOf(input.loginBase, c.tenantId), token_endpoint: tokenEndpoint };
  const client: oauth.Client = { client_id: c.clientId };
  const response = await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretPost(c.secret), c.refreshToken, { additionalParameters: { scope }, signal: AbortSignal.timeout(10_000) });
  const result = await oauth.processRefreshTokenResponse(as, client, response);
  if (result.refresh_token) c.refreshToken = result.refresh_token; // Microsoft rotates it; the next sweep uses the new one
  return result.access_token;
}

async function graphGet(input: FloorInput, token: string, path: string) {
  const res = await fetch(`${input.graphBase}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(input.timeoutMs) });
  await res.arrayBuffer();
  if (!res.ok) throw Object.assign(new Error(`graph ${res.status}`), { code: `graph_${res.status}` });
}

const xoauth2 = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");

async function imap(input: FloorInput, user: string, accessToken: string) {
  const client = new ImapFlow({
    host: input.mail.host,
    port: input.mail.imapPort,
    secure: true,
    auth: { user, accessToken },
    logger: false,
    tls: { servername: input.mail.host },
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.mailboxOpen("INBOX", { readOnly: true });
    await client.logout();
  } catch (e) {
    client.close();
    throw Object.assign(e as Error, { code: "imap" });
  }
}

function pop(input: FloorInput, user: string, accessToken: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: input.mail.host, port: input.mail.popPort, servername: input.mail.host });
    socket.setTimeout(input.timeoutMs, () => socket.destroy(Object.assign(new Error("pop timeout"), { code: "pop_timeout" })));
    let buffer = "";
    let stage = 0;
    const fail = (line: string) => {
      socket.destroy();
      reject(Object.assign(new Error(`pop: ${line}`), { code: "pop" }));
    };
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (stage === 0) {
          if (!line.startsWith("+OK")) return fail(line);
          socket.write("AUTH XOAUTH2\r\n");
        } else if (stage === 1) {
          if (!line.startsWith("+")) return fail(line);
          socket.write(`${xoauth2(user, accessToken)}\r\n`);
        } else if (stage === 2) {
          if (!line.startsWith("+OK")) return fail(line);
          socket.write("STAT\r\n");
        } else if (stage === 3) {
          if (!line.startsWith("+OK")) return fail(line);
          socket.write("QUIT\r\n");
        } else {
          socket.destroy();
          return resolve();
        }
        stage += 1;
      }
    });
    socket.on("error", (e) => reject(Object.assign(e, { code: "pop" })));
    socket.on("close", () => (stage < 4 ? reject(Object.assign(new Error("pop closed"), { code: "pop" })) : resolve()));
  });
}

async function smtp(input: FloorInput, user: string, accessToken: string) {
  const transport = nodemailer.createTransport({
    host: input.mail.host,
    port: input.mail.smtpPort,
    secure: false,
    requireTLS: true,
    auth: { type: "OAuth2", user, accessToken },
    tls: { servername: input.mail.host },
    connectionTimeout: input.timeoutMs,
    greetingTimeout: input.timeoutMs,
    socketTimeout: input.timeoutMs,
  });
  try {
    await transport.verify();
  } catch (e) {
    throw Object.assign(e as Error, { code: "smtp" });
  } finally {
    transport.close();
  }
}

async function check(input: FloorInput, c: FloorInput["connections"][number]) {
  const graph = input.scopes.graph ? await refresh(input, c, input.scopes.graph) : undefined;
  const outlook = input.scopes.outlook ? await refresh(input, c, input.scopes.outlook) : undefined;
  if (graph && input.steps.graph) {
    await graphGet(input, graph, "/me?$select=id,displayName,userPrincipalName,mail");
    await graphGet(input, graph, "/me/mailFolders/inbox/messages?$top=1&$select=id,subject,receivedDateTime");
  }
  if (outlook && input.steps.imap) await imap(input, c.upn, outlook);
  if (outlook && input.steps.pop) await pop(input, c.upn, outlook);
  if (outlook && input.steps.smtp) await smtp(input, c.upn, outlook);
}

export async function runFloor(input: FloorInput): Promise<FloorResult> {
  const durations: number[] = [];
  const failures: Record<string, number> = {};
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 250);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  let passed = 0;
  const lane = async () => {
    for (;;) {
      const i = next++;
      const c = input.connections[i];
      if (!c) return;
      const t = performance.now();
      try {
        await check(input, c);
        passed += 1;
      } catch (e) {
        const code = String((e as { code?: unknown }).code ?? (e as Error).name ?? "error");
        failures[code] = (failures[code] ?? 0) + 1;
      }
      durations.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, lane));
  const durationMs = performance.now() - started;
  clearInterval(sampler);
  const used = process.cpuUsage(cpu);
  durations.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0);
  return {
    checks: input.connections.length,
    passed,
    failed: input.connections.length - passed,
    failures,
    durationMs: Math.round(durationMs),
    checksPerSecond: input.connections.length / (durationMs / 1000),
    p50Ms: pct(0.5),
    p95Ms: pct(0.95),
    cpuMs: Math.round((used.user + used.system) / 1000),
    peakRssBytes: peakRss,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const input = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as FloorInput;
  const sweeps = Number(process.argv[3] ?? 1);
  const results: FloorResult[] = [];
  for (let i = 0; i < sweeps; i++) results.push(await runFloor(input));
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exit(0);
}
