import { randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Webhook } from "standardwebhooks";
import type { EventEnvelope } from "./events";
import { RefusedAddressError, guardedLookup, literalRefusal } from "./url-guard";

// One webhook request: signed with the Standard Webhooks scheme (so any of its libraries verifies
// it), POSTed once with a deadline, never following a redirect (a redirect could lead past the URL
// guard, and the signature names no URL). Retrying is the delivery's business (deliver.ts).

export const WEBHOOK_USER_AGENT = "Mailgrant-Webhooks/1";
export const WEBHOOK_TIMEOUT_MS = 10_000;

/** A new signing secret in the Standard Webhooks form: whsec_ and base64 of 32 random bytes. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export type SignedRequest = { body: string; headers: Record<string, string> };

/**
 * The body and headers of one delivery. `webhook-id` is the event's id, the same on every attempt and
 * redelivery, so receivers de-duplicate on it. The timestamp is the wall clock at signing: receivers
 * compare it with theirs to refuse replays.
 */
export function signedRequest(secret: string, envelope: EventEnvelope, at: Date = new Date()): SignedRequest {
  const body = JSON.stringify(envelope);
  return {
    body,
    headers: {
      "webhook-id": envelope.id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(envelope.id, at, body),
      "content-type": "application/json",
      "user-agent": WEBHOOK_USER_AGENT,
    },
  };
}

export type PostResult = { ok: boolean; statusCode: number | null; durationMs: number; error: string | null };

export type PostOptions = {
  url: string | URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs?: number;
  allowLocal: boolean;
  lookup?: LookupFunction | undefined;
};

const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/;
/** How much of a refusing receiver's answer goes into the delivery log. */
const SNIPPET = 200;

function describeError(e: unknown, url: URL, timeoutMs: number): string {
  if (e instanceof RefusedAddressError) return e.message;
  if (e instanceof TimeoutError) return `No answer within ${timeoutMs / 1000} s (timeout): the receiver must answer within ${timeoutMs / 1000} seconds; do slow work after replying.`;
  const err = e as NodeJS.ErrnoException;
  const code = err.code ?? "";
  const where = url.host;
  if (code === "ECONNREFUSED") return `Connection refused by ${where}: nothing listens there, or a firewall refuses the connection.`;
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `${url.hostname} does not resolve (DNS ${code}): check the host name.`;
  if (code === "ECONNRESET" || code === "EPIPE") return `${where} closed the connection before answering (${code}).`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${where} cannot be reached from the portal's network (${code}).`;
  if (TLS_CODES.test(code)) return `TLS failed with ${where}: ${err.message} (${code}). The receiver needs a valid certificate for ${url.hostname} from a public CA.`;
  return `The request to ${where} failed: ${err.message}${code ? ` (${code})` : ""}.`;
}

class TimeoutError extends Error {}

function answerError(status: number, location: string | undefined, snippet: string): string | null {
  if (status >= 200 && status < 300) return null;
  if (status >= 300 && status < 400) return `The receiver answered ${status}${location ? ` (to ${location.slice(0, 300)})` : ""}: redirects are not followed: use the final URL.`;
  const text = snippet.replace(/\s+/g, " ").trim();
  return `The receiver answered HTTP ${status}${text ? `: ${text}` : "."}`;
}

/** POSTs one signed request. Never throws: the result says what happened, in words. */
export async function postWebhook(opts: PostOptions): Promise<PostResult> {
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const url = typeof opts.url === "string" ? new URL(opts.url) : opts.url;
  const fail = (error: string, statusCode: number | null = null): PostResult => ({ ok: false, statusCode, durationMs: elapsed(), error });
  if (url.protocol !== "https:" && !(opts.allowLocal && url.protocol === "http:")) return fail("Webhook URLs must start with https://.");
  const literal = literalRefusal(url, opts.allowLocal);
  if (literal) return fail(literal);

  const client = url.protocol === "https:" ? https : http;
  return new Promise<PostResult>((resolve) => {
    let settled = false;
    const done = (r: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = client.request(url, {
      method: "POST",
      headers: { ...opts.headers, "content-length": String(Buffer.byteLength(opts.body)) },
      lookup: guardedLookup({ allowLocal: opts.allowLocal, lookup: opts.lookup }),
      // A connection of its own per request: a pooled socket would skip the lookup (and its guard).
      agent: false,
    });
    // One deadline for connecting, sending and the whole answer.
    const timer = setTimeout(() => req.destroy(new TimeoutError()), timeoutMs);
    req.on("error", (e) => done(fail(describeError(e, url, timeoutMs))));
    req.on("response", (res) => {
      const status = res.statusCode ?? 0;
      let snippet = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (snippet.length < SNIPPET) snippet += chunk.slice(0, SNIPPET - snippet.length);
      });
      res.on("error", (e) => done(fail(describeError(e, url, timeoutMs), status)));
      res.on("end", () => {
        const error = answerError(status, res.headers.location, snippet);
        done({ ok: error === null, statusCode: status, durationMs: elapsed(), error });
      });
    });
    req.end(opts.body);
  });
}
