import net from "node:net";
import tls from "node:tls";
import { Client, GraphError, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { notFound } from "@/lib/errors";
import type { Keyring } from "@/lib/crypto";
import type { CloudId } from "@/lib/microsoft/clouds";
import { mailEndpoints, type HostMap, type MailEndpoint } from "@/lib/microsoft/endpoints";
import type { Purpose } from "@/lib/microsoft/scopes";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import { endpointsOf } from "@/lib/integrations/integrations";
import { getAccessToken, claimsOf, type Resource } from "./tokens";

// "Test now": real mail access for one connection, as a list of steps that report as they run.
// Only what the integration is for is tested; every step has a timeout, so a test never hangs.
// Failures carry a diagnosis code (lib/diagnosis/catalog.ts) and the server's own words.

export type StepId = "refresh-graph" | "refresh-outlook" | "graph-me" | "graph-inbox" | "graph-send" | "imap" | "pop" | "smtp";
export type StepStatus = "pending" | "running" | "ok" | "failed" | "skipped";
export type TestStep = { id: StepId; label: string; status: StepStatus; detail?: string; code?: string; durationMs?: number };
export type TestRun = { startedAt: string; finishedAt?: string; ok?: boolean; steps: TestStep[] };

export type MailHostSettings = { host: string; imapPort?: number; popPort?: number; smtpPort?: number };

export type TestDeps = {
  db: Db;
  keyring: Keyring;
  hostMap?: HostMap;
  /** Where IMAP/POP/SMTP live when not at Microsoft's hosts (the emulator). */
  mailHost?: MailHostSettings;
  /** Extra CA for the mail servers' TLS (tests; demo mode trusts the emulator through NODE_EXTRA_CA_CERTS). */
  tlsCa?: string;
  stepTimeoutMs?: number;
};

async function loadConnection(db: Db, orgId: string, id: string) {
  return db.connection.findFirst({
    where: { id, orgId },
    select: {
      id: true,
      orgId: true,
      mailbox: true,
      mailboxKind: true,
      upn: true,
      integration: { select: { cloud: true, tenantMode: true, tenant: true, purposes: true, authorizeEndpoint: true, tokenEndpoint: true } },
    },
  });
}

const LABELS: Record<StepId, string> = {
  "refresh-graph": "Access token for Microsoft Graph",
  "refresh-outlook": "Access token for Exchange Online",
  "graph-me": "Graph: who the token is for (/me)",
  "graph-inbox": "Graph: read one message from the inbox",
  "graph-send": "Graph: send a test message",
  imap: "IMAP: sign in with XOAUTH2 and open INBOX",
  pop: "POP: sign in with XOAUTH2 and count messages",
  smtp: "SMTP: STARTTLS and sign in with XOAUTH2",
};

export function plannedSteps(purposes: Purpose[], opts: { sendTo?: string } = {}): TestStep[] {
  const ids: StepId[] = [];
  for (const r of resourcesFor(purposes)) ids.push(r === "graph" ? "refresh-graph" : "refresh-outlook");
  if (purposes.includes("graph-read") || purposes.includes("graph-send")) ids.push("graph-me");
  if (purposes.includes("graph-read")) ids.push("graph-inbox");
  if (purposes.includes("graph-send") && opts.sendTo) ids.push("graph-send");
  if (purposes.includes("imap")) ids.push("imap");
  if (purposes.includes("pop")) ids.push("pop");
  if (purposes.includes("smtp")) ids.push("smtp");
  return ids.map((id) => ({ id, label: id === "smtp" && opts.sendTo ? "SMTP: STARTTLS, sign in with XOAUTH2 and send a test message" : LABELS[id], status: "pending" }));
}

class StepFailure extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

async function withTimeout<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new StepFailure("timeout", `${what} did not answer within ${Math.round(ms / 1000)} s.`));
    }, ms);
  });
  try {
    return await Promise.race([fn(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the test, reporting each step change through onUpdate, and returns the finished run. */
export async function runConnectionTest(deps: TestDeps, orgId: string, connectionId: string, opts: { sendTo?: string; onUpdate?: (run: TestRun) => void } = {}): Promise<TestRun> {
  const found = await loadConnection(deps.db, orgId, connectionId);
  if (!found) throw notFound("That mailbox connection");
  const c = found;
  const purposes = c.integration.purposes as Purpose[];
  const run: TestRun = { startedAt: new Date().toISOString(), steps: plannedSteps(purposes, opts) };
  const publish = () => opts.onUpdate?.(structuredClone(run));
  const timeoutMs = deps.stepTimeoutMs ?? 15_000;
  const tokens: Partial<Record<Resource, string>> = {};
  const endpoints = endpointsOf(c.integration, deps.hostMap);
  const mail = mailEndpoints(c.integration.cloud as CloudId, deps.mailHost);
  // Delegated Graph calls for a shared mailbox go through /users/{address}; the token is the delegate's.
  const graphUser = c.mailboxKind === "SHARED" ? `/users/${encodeURIComponent(c.mailbox)}` : "/me";

  const graph = () => {
    const base = new URL(endpoints.graphBase);
    return Client.init({
      authProvider: (done) => done(null, tokens.graph ?? ""),
      baseUrl: `${base.origin}${base.pathname.replace(/v1\.0\/?$/, "")}`,
      defaultVersion: "v1.0",
      customHosts: new Set([base.hostname]),
    });
  };
  let throttledRetries = 0;
  const retryOptions = () =>
    new RetryHandlerOptions(1, 3, (_delay, _attempt, _request, _options, response) => {
      if (response?.status === 429) throttledRetries += 1;
      return true;
    });

  const steps: Record<StepId, () => Promise<string>> = {
    "refresh-graph": () => refreshStep("graph"),
    "refresh-outlook": () => refreshStep("outlook"),
    "graph-me": async () => {
      const me = (await graph().api("/me").middlewareOptions([retryOptions()]).select("id,displayName,userPrincipalName,mail").get()) as { userPrincipalName?: string; mail?: string };
      return `Signed in as ${me.userPrincipalName ?? me.mail ?? "?"}.`;
    },
    "graph-inbox": async () => {
      const page = (await graph().api(`${graphUser}/mailFolders/inbox/messages`).middlewareOptions([retryOptions()]).top(1).select("id,subject,receivedDateTime").get()) as { value?: { subject?: string; receivedDateTime?: string }[] };
      const m = page.value?.[0];
      const read = m ? `Read the newest message (received ${m.receivedDateTime ?? "?"}).` : "The inbox is empty; reading it worked.";
      return throttledRetries ? `${read} Microsoft throttled the request ${throttledRetries} time(s); it was retried after the wait Microsoft asked for.` : read;
    },
    "graph-send": async () => {
      await graph().api(`${graphUser}/sendMail`).middlewareOptions([retryOptions()]).post({
        message: { subject: "Mailgrant test message", body: { contentType: "Text", content: "Sent by Mailgrant's connection test." }, toRecipients: [{ emailAddress: { address: opts.sendTo } }] },
        saveToSentItems: false,
      });
      return `Sent to ${opts.sendTo}.`;
    },
    imap: () => imapStep(mail.imap),
    pop: () => popStep(mail.pop),
    smtp: () => smtpStep(mail.smtp),
  };

  async function refreshStep(resource: Resource): Promise<string> {
    const r = await getAccessToken({ db: deps.db, keyring: deps.keyring, ...(deps.hostMap ? { hostMap: deps.hostMap } : {}) }, c.orgId, c.id, resource, { force: true });
    if (!r.ok) throw new StepFailure(r.failure.code, r.failure.description ?? r.failure.code);
    tokens[resource] = r.value.token;
    const claims = claimsOf(r.value.token);
    const expires = `expires ${r.value.expiresAt.toISOString().slice(11, 16)} UTC`;
    if (!claims.readable) return `Token issued (${expires}); Microsoft made it opaque, so its claims can't be shown.`;
    return `Audience ${claims.aud ?? "?"}, scopes ${claims.scp ?? claims.roles?.join(" ") ?? "?"}, tenant ${claims.tid ?? "?"}, ${expires}.`;
  }

  // SNI names a host: an IP address as servername makes Node warn (DEP0123); each protocol names its own host.
  const tlsOptions = (host: string) => ({ ...(deps.tlsCa ? { ca: deps.tlsCa } : {}), ...(net.isIP(host) === 0 ? { servername: host } : {}) });

  async function imapStep(at: MailEndpoint): Promise<string> {
    const client = new ImapFlow({ host: at.host, port: at.port, secure: true, auth: { user: c.mailbox, accessToken: tokens.outlook ?? "" }, logger: false, tls: tlsOptions(at.host), connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs });
    client.on("error", () => {}); // failures surface through the awaited calls
    try {
      await client.connect();
      const box = await client.mailboxOpen("INBOX", { readOnly: true });
      await client.logout();
      return `Signed in to ${at.host}:${at.port}; INBOX has ${box.exists} message(s).`;
    } catch (e) {
      client.close();
      const err = e as { authenticationFailed?: boolean; responseText?: string; message?: string };
      if (err.authenticationFailed || /AUTHENTICATE failed/i.test(err.responseText ?? err.message ?? "")) throw new StepFailure("imap_auth_failed", err.responseText ?? "AUTHENTICATE failed.");
      throw e;
    }
  }

  async function popStep(at: MailEndpoint): Promise<string> {
    // The payload goes on its own line after "+ ": a token never fits POP3's 255-octet command
    // line (RFC 5034), and Exchange closes the connection when it is sent inline.
    const lines = await pop3(at, deps.tlsCa, timeoutMs, ["AUTH XOAUTH2", xoauth2(c.mailbox, tokens.outlook ?? ""), "STAT", "QUIT"]);
    const stat = lines[3] ?? "";
    return `Signed in to ${at.host}:${at.port}; ${stat.replace(/^\+OK\s*/, "").split(" ")[0] ?? "?"} message(s).`;
  }

  async function smtpStep(at: MailEndpoint): Promise<string> {
    const transport = nodemailer.createTransport({
      host: at.host,
      port: at.port,
      secure: false,
      requireTLS: true,
      auth: { type: "OAuth2", user: c.mailbox, accessToken: tokens.outlook ?? "" },
      tls: tlsOptions(at.host),
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
    try {
      await transport.verify();
      if (opts.sendTo) {
        await transport.sendMail({ from: c.mailbox, to: opts.sendTo, subject: "Mailgrant test message", text: "Sent by Mailgrant's connection test over SMTP." });
        return `Signed in to ${at.host}:${at.port} and sent a test message to ${opts.sendTo}.`;
      }
      return `Signed in to ${at.host}:${at.port} (STARTTLS, AUTH XOAUTH2).`;
    } catch (e) {
      const err = e as { response?: string; responseCode?: number; message?: string };
      const text = err.response ?? err.message ?? "";
      if (/5\.7\.139/.test(text)) throw new StepFailure("smtp_auth_disabled", text);
      if (/5\.7\.3|535/.test(text)) throw new StepFailure("smtp_auth_failed", text);
      throw e;
    } finally {
      transport.close();
    }
  }

  publish();
  for (const step of run.steps) {
    const needs: Resource | undefined = step.id.startsWith("graph") ? "graph" : ["imap", "pop", "smtp"].includes(step.id) ? "outlook" : undefined;
    if (needs && !tokens[needs]) {
      step.status = "skipped";
      step.detail = "Not run: no access token for it.";
      publish();
      continue;
    }
    step.status = "running";
    publish();
    const started = Date.now();
    try {
      step.detail = await withTimeout(timeoutMs, step.label, () => steps[step.id]());
      step.status = "ok";
    } catch (e) {
      step.status = "failed";
      const f = describeFailure(e);
      step.code = f.code;
      step.detail = f.detail;
      if (f.claims !== undefined) await recordClaimsChallenge(deps.db, c.orgId, c.id, f.claims);
    }
    step.durationMs = Date.now() - started;
    publish();
  }
  run.finishedAt = new Date().toISOString();
  run.ok = run.steps.every((s) => s.status === "ok");
  publish();
  return run;
}

/** Turns what a step threw into a diagnosis code and the server's words. Never includes a token. */
export function describeFailure(e: unknown): { code: string; detail: string; claims?: string } {
  if (e instanceof StepFailure) return { code: e.code, detail: e.message };
  if (e instanceof GraphError) {
    const challenge = e.statusCode === 401 ? claimsChallengeOf(e.headers?.get("www-authenticate") ?? null) : undefined;
    if (challenge !== undefined) return { code: "graph_claims_challenge", detail: `401 ${e.code ?? ""}: ${e.message} (a claims challenge: insufficient_claims)`, claims: challenge };
    const code = e.statusCode === 429 ? "graph_throttled" : e.code ? `graph:${e.code}` : `graph_http_${e.statusCode}`;
    return { code, detail: `${e.statusCode} ${e.code ?? ""}: ${e.message}${e.requestId ? ` (request-id ${e.requestId})` : ""}`.trim() };
  }
  const err = e as { code?: string; message?: string };
  if (err?.code && ["ECONNREFUSED", "ENOTFOUND", "EHOSTUNREACH", "ECONNRESET", "ETIMEDOUT"].includes(err.code)) return { code: "unreachable", detail: `Connection failed (${err.code}).` };
  if (err?.code === "ETIMEDOUT" || /timed? ?out/i.test(err?.message ?? "")) return { code: "timeout", detail: err.message ?? "Timed out." };
  return { code: "unknown", detail: (err?.message ?? String(e)).slice(0, 300) };
}

const xoauth2 = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");

/** A minimal POP3 conversation over TLS: the greeting, then one reply ("+OK", or "+ " to continue AUTH) per line sent. */
function pop3(at: MailEndpoint, ca: string | undefined, timeoutMs: number, commands: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: at.host, port: at.port, ...(net.isIP(at.host) === 0 ? { servername: at.host } : {}), ...(ca ? { ca } : {}) });
    socket.setTimeout(timeoutMs, () => socket.destroy(new StepFailure("timeout", `${at.host}:${at.port} stopped answering.`)));
    const replies: string[] = [];
    let buffer = "";
    let sent = -1;
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (sent === -1) {
          if (!line.startsWith("+OK")) return socket.destroy(new StepFailure("pop_unavailable", line));
        } else {
          replies[sent] = line;
          if (line.startsWith("-ERR")) {
            socket.end();
            // The AUTH command and its payload line both answer for the sign-in.
            const duringAuth = /^AUTH/i.test(commands[sent] ?? "") || /^AUTH/i.test(commands[sent - 1] ?? "");
            return reject(new StepFailure(duringAuth ? "pop_auth_failed" : "pop_error", line));
          }
        }
        sent += 1;
        if (sent < commands.length) socket.write(`${commands[sent]}\r\n`);
        else {
          socket.end();
          return resolve(["", ...replies]);
        }
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new StepFailure("pop_error", "The POP server closed the connection.")));
  });
}

/** Keeps the finished run on the connection (shown on its page) and in its history. */
export async function saveTestRun(db: Db, orgId: string, connectionId: string, run: TestRun): Promise<void> {
  const failed = run.steps.filter((s) => s.status === "failed");
  await db.connection.updateMany({ where: { id: connectionId, orgId }, data: { lastTest: run as unknown as Prisma.InputJsonValue, lastTestedAt: new Date(run.finishedAt ?? run.startedAt) } });
  await db.connectionEvent.create({
    data: {
      connectionId,
      kind: run.ok ? "test_passed" : "test_failed",
      ...(failed[0]?.code ? { code: failed[0].code } : {}),
      detail: { steps: run.steps.map((s) => ({ id: s.id, status: s.status, ...(s.code ? { code: s.code } : {}) })) },
    },
  });
}

/**
 * The claims a CAE claims challenge asks for (reference §3.4): `WWW-Authenticate: Bearer …,
 * error="insufficient_claims", claims="<base64 JSON>"`. Returns the decoded JSON, or undefined.
 */
export function claimsChallengeOf(header: string | null): string | undefined {
  if (!header || !/error="insufficient_claims"/.test(header)) return undefined;
  const encoded = header.match(/claims="([^"]+)"/)?.[1];
  if (!encoded) return "";
  try {
    return Buffer.from(encoded, "base64").toString("utf8");
  } catch {
    return "";
  }
}

/** A claims challenge means the next sign-in must satisfy those claims: the grant needs re-consent. */
async function recordClaimsChallenge(db: Db, orgId: string, connectionId: string, claims: string): Promise<void> {
  await db.connection.updateMany({
    where: { id: connectionId, orgId },
    data: {
      status: "NEEDS_RECONSENT",
      statusReason: "Microsoft asked for a fresh sign-in (a claims challenge from Conditional Access or continuous access evaluation).",
      lastFailure: { code: "graph_claims_challenge", classification: "needs_reconsent", resource: "graph", at: new Date().toISOString(), claims } as Prisma.InputJsonValue,
    },
  });
  await db.connectionAccessToken.deleteMany({ where: { connectionId, resource: "graph" } });
}

/** The claims to carry into the next sign-in, when the last failure was a claims challenge. */
export function pendingClaims(lastFailure: unknown): string | undefined {
  const f = lastFailure as { code?: string; claims?: unknown } | null;
  return f?.code === "graph_claims_challenge" && typeof f.claims === "string" && f.claims ? f.claims : undefined;
}
