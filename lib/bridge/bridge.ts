import net from "node:net";
import os from "node:os";
import tls from "node:tls";
import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { HostMap } from "@/lib/microsoft/endpoints";
import type { MailHostSettings } from "@/lib/connections/connection-test";
import { logger } from "@/lib/logger";
import { normalizeIp, parseTrustedProxies } from "@/lib/client-ip";
import { VerifiedCache } from "./password";
import type { BridgeProtocol } from "./protocols";
import { RecentReads } from "./recent-reads";
import { SessionRows } from "./session-rows";
import { revokedGrants, signInFailures, type BridgeGrant } from "./sign-in";
import { Session, type BridgeContext } from "./session";
import { serveSmtp } from "./smtp";
import { serveImap } from "./imap";
import { servePop } from "./pop";
import { ProxyHeaderError, readProxyHeader } from "./proxy-protocol";
import { serverTls } from "./wire";

// The mail bridge's listeners. Every session holds its own state and every decision is read from
// the database (credentials, revocations, tokens under the shared refresh lease), so any number of
// bridge processes can run behind a TCP load balancer. Open sessions are checked against
// revocations every few seconds and cut when their credential or key was revoked.

/** Ports to listen on (0: any free port; absent: that listener is off). */
export type BridgePorts = { smtp?: number; smtps?: number; imap?: number; imaps?: number; pop3s?: number };
export type BridgeListener = keyof BridgePorts;

export type StartBridgeOptions = {
  db: Db;
  keyring: Keyring;
  hostMap?: HostMap;
  mailHost?: MailHostSettings;
  portalUrl: string;
  ports: BridgePorts;
  tls: { cert: string | Buffer; key: string | Buffer };
  /** Address to bind (default all interfaces). */
  host?: string;
  /** The name in greetings (default this machine's). */
  hostname?: string;
  idleTimeoutMs?: number;
  upstreamTimeoutMs?: number;
  revocationPollMs?: number;
  /** How long a session's timeline row may wait to be written with others (default 1 s). */
  sessionRowsEveryMs?: number;
  /** Load balancers (addresses or CIDR ranges) whose connections start with a PROXY protocol header naming the client. */
  proxyFrom?: readonly string[];
};

/** A listener that could not bind: the others run without it. `code` is Node's (EADDRINUSE, EACCES, …). */
export type BridgeListenFailure = { listener: BridgeListener; port: number; code: string };

/** No listener could bind: the bridge is not running. */
export class BridgeListenError extends Error {
  constructor(
    readonly failed: BridgeListenFailure[],
    host: string | undefined,
  ) {
    super(`The mail bridge could not listen on any of its ports: ${failed.map((f) => `${f.listener} on ${host ?? "*"}:${f.port} (${f.code})`).join(", ")}.`);
  }
}

export type RunningBridge = {
  /** The ports actually bound, per listener. */
  ports: BridgePorts;
  /** Listeners that could not bind (a port taken by another program, one this process may not use). */
  failed: BridgeListenFailure[];
  /** Sessions open now. */
  sessionCount: () => number;
  /** Closes the listeners, ends every session (with the protocol's words) and waits for their records. */
  stop: () => Promise<void>;
};

type Serve = (ctx: BridgeContext, socket: net.Socket, clientIp: string | null | undefined) => Promise<void>;
const SERVE: Record<BridgeListener, { protocol: BridgeProtocol; implicitTls: boolean; serve: Serve }> = {
  smtp: { protocol: "smtp", implicitTls: false, serve: (ctx, s, clientIp) => serveSmtp(ctx, s, { implicitTls: false, clientIp }) },
  smtps: { protocol: "smtp", implicitTls: true, serve: (ctx, s, clientIp) => serveSmtp(ctx, s, { implicitTls: true, clientIp }) },
  imap: { protocol: "imap", implicitTls: false, serve: (ctx, s, clientIp) => serveImap(ctx, s, { implicitTls: false, clientIp }) },
  imaps: { protocol: "imap", implicitTls: true, serve: (ctx, s, clientIp) => serveImap(ctx, s, { implicitTls: true, clientIp }) },
  pop3s: { protocol: "pop", implicitTls: true, serve: (ctx, s, clientIp) => servePop(ctx, s, { clientIp }) },
};

/** Addresses or CIDR ranges → a check of a socket's address (the same matcher as MAILGRANT_TRUSTED_PROXIES). */
function addressList(ranges: readonly string[]): (ip: string | undefined) => boolean {
  const list = parseTrustedProxies(ranges.join(","));
  return (ip) => {
    const a = normalizeIp(ip);
    return !!a && list.check(a);
  };
}

function listen(server: net.Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

export async function startBridge(opts: StartBridgeOptions): Promise<RunningBridge> {
  const secureContext = tls.createSecureContext({ cert: opts.tls.cert, key: opts.tls.key });
  const pollMs = opts.revocationPollMs ?? 3000;
  const ctx: BridgeContext = {
    db: opts.db,
    keyring: opts.keyring,
    ...(opts.hostMap ? { hostMap: opts.hostMap } : {}),
    ...(opts.mailHost ? { mailHost: opts.mailHost } : {}),
    portalUrl: opts.portalUrl.replace(/\/+$/, ""),
    secureContext,
    cache: new VerifiedCache(),
    failures: signInFailures(),
    hostname: opts.hostname ?? os.hostname(),
    idleTimeoutMs: opts.idleTimeoutMs ?? 30 * 60_000,
    upstreamTimeoutMs: opts.upstreamTimeoutMs ?? 30_000,
    sessions: new Set<Session>(),
    // Remembered as long as a revocation takes to reach open sessions: new sign-ins see it as soon.
    recent: { credentials: new RecentReads(pollMs, (c) => c !== null), tokens: new RecentReads(pollMs, (r) => r.ok) },
    rows: new SessionRows(opts.db, opts.sessionRowsEveryMs),
  };
  const proxied = opts.proxyFrom?.length ? addressList(opts.proxyFrom) : undefined;
  const servers: net.Server[] = [];
  const bound: BridgePorts = {};
  const failed: BridgeListenFailure[] = [];
  const sockets = new Set<net.Socket>();
  try {
    for (const [name, port] of Object.entries(opts.ports) as [BridgeListener, number | undefined][]) {
      if (port === undefined) continue;
      const { protocol, implicitTls, serve } = SERVE[name];
      const onSocket = (socket: net.Socket) => {
        // Replies are relayed as they come, often in several writes: with Nagle's algorithm each
        // would wait for the client's delayed ACK (~40 ms a reply, measured by bench:bridge).
        socket.setNoDelay(true);
        sockets.add(socket);
        socket.on("close", () => sockets.delete(socket));
        socket.on("error", () => {}); // a client that goes away mid-write; the session sees the close
        start(socket)
          .then(({ s, clientIp }) => serve(ctx, s, clientIp))
          .catch((e: unknown) => {
            // Before a session exists (the PROXY header, the TLS handshake behind a load balancer).
            if (!(e instanceof ProxyHeaderError) && (e as { code?: string }).code !== "ETIMEDOUT") {
              logger.error({ err: e, protocol, listener: name, clientIp: normalizeIp(socket.remoteAddress) }, "mail bridge session failed to start");
            }
            socket.destroy();
          });
      };
      // Behind a load balancer the PROXY header comes before TLS: then TLS is taken up by hand.
      const start = async (socket: net.Socket): Promise<{ s: net.Socket; clientIp: string | null | undefined }> => {
        if (!proxied) return { s: socket, clientIp: undefined };
        const clientIp = proxied(socket.remoteAddress) ? await readProxyHeader(socket, ctx.upstreamTimeoutMs) : undefined;
        return { s: implicitTls ? await serverTls(socket, secureContext, ctx.upstreamTimeoutMs) : socket, clientIp };
      };
      const server = implicitTls && !proxied ? tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, handshakeTimeout: ctx.upstreamTimeoutMs }, onSocket) : net.createServer(onSocket);
      // A client that never finishes the TLS handshake is dropped by Node (handshakeTimeout).
      server.on("tlsClientError", () => {});
      // One port taken (by another program, or one this process may not bind) leaves the other
      // listeners serving: a printer on SMTP need not wait for IMAPS's port to be sorted out.
      try {
        bound[name] = await listen(server, port, opts.host);
        servers.push(server);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        failed.push({ listener: name, port, code });
        logger.warn({ listener: name, port, host: opts.host ?? "*", code }, "mail bridge listener could not bind");
      }
    }
  } catch (e) {
    for (const s of servers) s.close();
    throw e;
  }
  if (failed.length && !servers.length) throw new BridgeListenError(failed, opts.host);

  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    const open = [...ctx.sessions].filter((s): s is Session & { grant: BridgeGrant } => !!s.grant);
    if (!open.length) return;
    polling = true;
    revokedGrants(
      ctx.db,
      open.map((s) => s.grant),
    )
      .then((revoked) => {
        ctx.recent.credentials.forget(revoked);
        for (const s of open) if (revoked.has(s.grant.via.id)) s.cut("revoked");
      })
      .catch((e: unknown) => logger.error({ err: e, openSessions: open.length }, "mail bridge could not read revocations; open sessions are checked again at the next poll"))
      .finally(() => (polling = false));
  }, pollMs);
  poll.unref();

  let stopped: Promise<void> | undefined;
  return {
    ports: bound,
    failed,
    sessionCount: () => ctx.sessions.size,
    stop: () =>
      (stopped ??= (async () => {
        clearInterval(poll);
        const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
        const open = [...ctx.sessions];
        for (const s of open) s.cut("stopping");
        const rows = ctx.rows.stop(); // the last rows go at once, not after the batch interval
        await Promise.all(open.map((s) => s.finished));
        await rows;
        for (const socket of sockets) socket.destroy(); // mid-handshake clients, not yet sessions
        await closed;
      })()),
  };
}
