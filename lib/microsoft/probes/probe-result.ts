import { isIP } from "node:net";
import { getSystemErrorName } from "node:util";
import { classOf, type FailureClass } from "@/lib/diagnosis/catalog";

// What every mail probe returns: ok with what it found, or failed with a diagnosis code, its
// class and the server's exact reply (or Graph's ids), so the connection test, a background
// worker, the token API and the mail bridge all report a failure the same way.

export type Protocol = "graph" | "imap" | "pop" | "smtp";
export type ProbeEndpoint = { protocol: Protocol; host: string; port: number };

export type ProbeFailure = {
  ok: false;
  at: ProbeEndpoint;
  /** A diagnosis code (lib/diagnosis/mail.ts): "smtp_auth_disabled", "graph:ErrorAccessDenied", "server_timeout", … */
  code: string;
  class: FailureClass;
  /** One line for people; a network failure names protocol, host and port. Never a token. */
  detail: string;
  /** The server's exact reply line ("535 5.7.139 Authentication unsuccessful, …", "A1 NO AUTHENTICATE failed."). */
  reply?: string;
  /** Graph's request-id, client-request-id and date, for Microsoft support. */
  ids?: { requestId?: string; clientRequestId?: string; date?: string };
  retryAfterSeconds?: number;
  /** Graph: the HTTP status and Graph's `message`, for explaining codes the catalog lacks. */
  httpStatus?: number;
  message?: string;
  /** The decoded claims of a claims challenge (graph_claims_challenge). */
  claims?: string;
};

export type ProbeOk<D> = { ok: true; at: ProbeEndpoint; details: D; summary: string };
export type ProbeResult<D> = ProbeOk<D> | ProbeFailure;

export const where = (at: ProbeEndpoint) => `${at.protocol.toUpperCase()} ${at.host}:${at.port}`;

/** A failure with its class from the catalog entry of `code` (the fallback only for codes the catalog lacks). */
export function failed(at: ProbeEndpoint, code: string, detail: string, extra: Partial<Omit<ProbeFailure, "ok" | "at" | "code" | "detail">> = {}): ProbeFailure {
  return { ok: false, at, code, class: extra.class ?? classOf(code) ?? "misconfigured", detail, ...extra };
}

/**
 * Node's own code for a socket, DNS or TLS error. Libraries that re-label errors (nodemailer sets
 * `code` to ESOCKET or ECONNECTION) keep Node's numeric `errno`, which names the real one.
 */
export function systemErrorCode(e: unknown): string | undefined {
  const err = e as { errno?: unknown; code?: unknown } | null;
  if (typeof err?.errno === "number" && err.errno < 0) {
    try {
      return getSystemErrorName(err.errno);
    } catch {
      // not a system errno
    }
  }
  return typeof err?.code === "string" ? err.code : undefined;
}

const TIMEOUT = new Set(["ETIMEDOUT", "ETIMEOUT", "CONNECT_TIMEOUT", "GREETING_TIMEOUT", "UPGRADE_TIMEOUT", "TimeoutError"]);
const UNREACHABLE = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ENETDOWN", "EAI_AGAIN"]);
const LOST = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "NoConnection", "EConnectionClosed", "ClosedAfterConnectTLS", "ClosedAfterConnectText", "ECONNECTION", "ESOCKET"]);
const TLS = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|UNABLE_TO_(GET|VERIFY|DECRYPT)|HOSTNAME_MISMATCH)/;

/** A failure below the protocol (socket, DNS, TLS, deadline), by its code; undefined when `e` has none of these. */
export function networkFailure(at: ProbeEndpoint, e: unknown): ProbeFailure | undefined {
  const code = systemErrorCode(e);
  if (!code) return undefined;
  const name = (e as { name?: string } | null)?.name;
  if (TIMEOUT.has(code) || name === "TimeoutError") return failed(at, "server_timeout", `${where(at)} did not answer in time (${code}).`);
  if (code === "ENOTFOUND") return failed(at, "host_not_found", `${where(at)}: the host name does not resolve (ENOTFOUND).`);
  if (UNREACHABLE.has(code)) return failed(at, "server_unreachable", `${where(at)} could not be reached (${code}).`);
  if (TLS.test(code)) return failed(at, "tls_failed", `${where(at)}: the TLS certificate was not accepted (${code}).`);
  if (LOST.has(code)) return failed(at, "connection_lost", `${where(at)} closed the connection (${code}).`);
  return undefined;
}

export function unexpected(at: ProbeEndpoint, e: unknown): ProbeFailure {
  const message = (e as { message?: string } | null)?.message ?? String(e);
  return failed(at, "unknown", `${where(at)}: ${message}`.slice(0, 300));
}

/**
 * Runs a probe with a deadline: when it passes, the signal aborts the probe's I/O and the result
 * is a server_timeout naming the endpoint, so a probe never hangs.
 */
export async function withDeadline<D>(at: ProbeEndpoint, ms: number, probe: (signal: AbortSignal) => Promise<ProbeResult<D>>): Promise<ProbeResult<D>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<ProbeFailure>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(failed(at, "server_timeout", `${where(at)} did not finish within ${Math.round(ms / 1000)} s.`));
    }, ms);
  });
  try {
    return await Promise.race([probe(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const xoauth2 = (user: string, token: string) => Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString("base64");

/** TLS server name for a host: SNI names hosts, and an IP address there makes Node warn (DEP0123). */
export const sni = (host: string): { servername?: string } => (isIP(host) === 0 ? { servername: host } : {});
