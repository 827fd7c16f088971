// The bridge bench's clients and load: one SMTP submission or one IMAP login + SELECT + FETCH per
// session, the same client (nodemailer, imapflow) for the bridge and the direct path, run by a
// fixed number of concurrent sessions for a while; and idle IMAP sessions held open.
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";

export type Target = { port: number; ca: Buffer; user: string } & ({ pass: string } | { accessToken: string });

const TEXT = "x".repeat(76) + "\r\n";
/** A 10 KB plain-text body (the headers nodemailer adds come on top). */
export const BODY_10KB = TEXT.repeat(Math.ceil(10_240 / TEXT.length)).slice(0, 10_240);

export async function smtpSession(t: Target, from: string): Promise<void> {
  const transport = nodemailer.createTransport({
    host: "127.0.0.1",
    port: t.port,
    secure: false,
    requireTLS: true,
    tls: { ca: t.ca, servername: "localhost" },
    auth: "pass" in t ? { user: t.user, pass: t.pass } : { type: "OAuth2", user: t.user, accessToken: t.accessToken },
    ...("pass" in t ? { authMethod: "PLAIN" } : {}),
  });
  try {
    const sent = await transport.sendMail({ from, to: "someone@example.com", subject: "Bridge bench", text: BODY_10KB });
    if (!sent.response.startsWith("250")) throw new Error(`SMTP answered ${sent.response}`);
  } finally {
    transport.close();
  }
}

export function imapClient(t: Target): ImapFlow {
  const c = new ImapFlow({
    host: "127.0.0.1",
    port: t.port,
    secure: true,
    tls: { ca: t.ca, servername: "localhost" },
    auth: "pass" in t ? { user: t.user, pass: t.pass, loginMethod: "LOGIN" } : { user: t.user, accessToken: t.accessToken },
    logger: false,
  });
  c.on("error", () => {});
  return c;
}

export async function imapSession(t: Target, messages: number): Promise<void> {
  const c = imapClient(t);
  try {
    await c.connect();
    const box = await c.mailboxOpen("INBOX");
    if (box.exists < messages) throw new Error(`INBOX has ${box.exists} messages, the bench fetches ${messages}`);
    let n = 0;
    for await (const m of c.fetch(`1:${messages}`, { uid: true, flags: true, envelope: true, source: true })) if (m.source?.length) n++;
    if (n !== messages) throw new Error(`FETCH returned ${n} of ${messages} messages`);
    await c.logout();
  } finally {
    c.close();
  }
}

export type LoadResult = { latencies: number[]; sessions: number; errors: number; firstError?: string; seconds: number; perSecond: number; p50Ms: number; p99Ms: number; meanMs: number };

export const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

/** `concurrency` loops each running one session after another until `seconds` have passed (after `warmupSeconds` not counted). */
export async function runLoad(session: () => Promise<void>, opts: { concurrency: number; seconds: number; warmupSeconds: number }): Promise<LoadResult> {
  const warmEnd = Date.now() + opts.warmupSeconds * 1000;
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (Date.now() < warmEnd) await session().catch(() => {});
  }));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const end = start + opts.seconds * 1000;
  await Promise.all(Array.from({ length: opts.concurrency }, async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      try {
        await session();
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
      }
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    latencies,
    sessions: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds: r2(seconds),
    perSecond: r2(latencies.length / seconds),
    p50Ms: r2(pct(latencies, 50)),
    p99Ms: r2(pct(latencies, 99)),
    meanMs: r2(latencies.reduce((a, b) => a + b, 0) / (latencies.length || 1)),
  };
}

/** Opens `count` IMAP sessions (signed in, INBOX selected), `parallel` at a time; they stay open until closed. */
export async function openIdle(t: Target, count: number, parallel: number): Promise<{ clients: ImapFlow[]; failed: number; firstError?: string }> {
  const clients: ImapFlow[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      next++;
      const c = imapClient(t);
      try {
        await c.connect();
        await c.mailboxOpen("INBOX");
        clients.push(c);
      } catch (e) {
        failed++;
        firstError ??= (e as Error).message;
        c.close();
      }
    }
  }));
  return { clients, failed, ...(firstError ? { firstError } : {}) };
}
