// HTTP-level faults on the token and metadata endpoints: what a throttled, failing or flaky front door
// in front of the identity platform looks like to a client (status + Retry-After, broken bodies, wrong
// content types, bodies that trickle in).
import type { ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { HttpFault } from "./fault-kinds";
import { aadTimestamp, guid } from "./ids";

type Headers = Record<string, string | number | string[]>;

interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

const STATUS_ERRORS: Record<number, [string, string]> = {
  429: ["temporarily_unavailable", "The request was throttled. Retry after the number of seconds in the Retry-After header."],
  500: ["server_error", "The server encountered an unexpected error."],
  502: ["server_error", "The server received an invalid response from an upstream server."],
  503: ["temporarily_unavailable", "The service is temporarily unavailable. Retry after the number of seconds in the Retry-After header."],
  504: ["server_error", "The upstream server did not answer in time."],
};

/** The fault's own answer: an OAuth-style JSON error (no AADSTS code: the front door answers, not the STS). */
function statusAnswer(fault: HttpFault & { status: number }, nowMs: number): Answer {
  const [error, message] = STATUS_ERRORS[fault.status] ?? ["server_error", "The server encountered an unexpected error."];
  const traceId = guid();
  const correlationId = guid();
  const timestamp = aadTimestamp(nowMs);
  const body = Buffer.from(
    JSON.stringify({
      error,
      error_description: `${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
    }),
  );
  const retryAfter = fault.retryAfterSeconds ?? (fault.status === 429 ? 60 : undefined);
  return {
    status: fault.status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store, no-cache", ...(retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}) },
    body,
  };
}

function htmlPage(status: number): Buffer {
  return Buffer.from(`<!DOCTYPE html><html><head><title>${status} Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>The service is unavailable.</p></body></html>`);
}

function lowerKeys(headers: Headers): Headers {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

/** Sends the answer through `res`, whose own writeHead and end are back in place. */
async function emit(res: ServerResponse, fault: HttpFault, answer: Answer): Promise<void> {
  let body = answer.body;
  const headers = lowerKeys(answer.headers);
  let declaredLength = body.length;
  switch (fault.body) {
    case "malformed":
      // Valid-looking JSON with a trailing comma: every JSON parser refuses it.
      body = Buffer.from(body.length > 1 && body.toString("utf8").endsWith("}") ? `${body.toString("utf8").slice(0, -1)},}` : `{"error":`);
      declaredLength = body.length;
      break;
    case "truncated":
      body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
      declaredLength = body.length;
      break;
    case "empty":
      body = Buffer.alloc(0);
      declaredLength = 0;
      break;
    case "html":
      body = htmlPage(answer.status);
      declaredLength = body.length;
      headers["content-type"] = "text/html; charset=utf-8";
      break;
    case "aborted":
      // Content-Length promises the whole body; the connection closes halfway through it.
      body = body.subarray(0, Math.floor(body.length / 2));
      break;
  }
  if (fault.contentType !== undefined) headers["content-type"] = fault.contentType;
  headers["content-length"] = declaredLength;
  res.writeHead(answer.status, headers);
  if (fault.slowBodyMs !== undefined && body.length > 0) {
    const pieces = Math.min(10, body.length);
    const size = Math.ceil(body.length / pieces);
    for (let i = 0; i < body.length; i += size) {
      if (res.destroyed) return;
      res.write(body.subarray(i, i + size));
      await sleep(fault.slowBodyMs / pieces);
    }
  } else if (body.length > 0) {
    res.write(body);
  }
  if (fault.body === "aborted") return void res.destroy();
  res.end();
}

/**
 * Applies an HTTP fault. With a `status`, the fault answers by itself (`"answered"`); otherwise the endpoint
 * answers as usual (`"shaping"`) and its answer is captured from `res` and sent mangled.
 */
export function applyHttpFault(res: ServerResponse, fault: HttpFault, nowMs: number): "answered" | "shaping" {
  const original = { writeHead: res.writeHead, end: res.end };
  const send = (answer: Answer) => void emit(res, fault, answer).catch(() => res.destroy());
  if (fault.status !== undefined) {
    send(statusAnswer({ ...fault, status: fault.status }, nowMs));
    return "answered";
  }
  let status = 200;
  let headers: Headers = {};
  // The endpoints answer with writeHead(status, headers) + end(body) (http.ts): capture exactly that.
  res.writeHead = function (this: ServerResponse, code: number, ...rest: unknown[]) {
    status = code;
    const h = rest.find((x) => typeof x === "object" && x !== null);
    headers = { ...(h as Headers | undefined) };
    return this;
  } as ServerResponse["writeHead"];
  res.end = function (this: ServerResponse, chunk?: unknown) {
    res.writeHead = original.writeHead;
    res.end = original.end;
    const body = chunk === undefined || typeof chunk === "function" ? Buffer.alloc(0) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    send({ status, headers, body });
    return this;
  } as ServerResponse["end"];
  return "shaping";
}
