import net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import tls from "node:tls";
import type { AddressInfo } from "node:net";
import type { EmulatorContext } from "./context";
import { takeChallengeFault, takeMailNetworkFault, takeThrottleFault, type FaultCriteria } from "./faults";
import { xoauth2ErrorChallenge } from "./mail-auth";
import type { Fault, MailProtocol } from "./state";

/** One protocol conversation: the listener feeds it lines and tells it when the client went quiet. */
export interface MailSession {
  greet(): void;
  line(line: string): void | Promise<void>;
  /** The idle timeout fired: say goodbye (the connection is closed after). */
  idle(): string;
}

/** What a session may do with its connection. */
export interface MailIO {
  ctx: EmulatorContext;
  remoteAddress: string;
  /** Whether the conversation is on TLS (implicit, or after STARTTLS). */
  readonly secure: boolean;
  /** Writes a line and CRLF; a Buffer goes out as is (IMAP literals count bytes). */
  reply(line: string | Buffer): void;
  /** Writes the line (if any), then closes the connection. */
  close(line?: string): void;
  /** Destroys the socket without a word (a dropped connection). */
  destroy(): void;
  /** SMTP STARTTLS: writes `line` in the clear, then handshakes; lines the client pipelined before it are dropped. */
  startTls(line: string): Promise<void>;
  /** Waits, unless the listener is closing. */
  sleep(ms: number): Promise<void>;
  /** Takes a matching delay/drop fault (true when the connection was dropped), after any delay. */
  networkFault(criteria: FaultCriteria): Promise<boolean>;
  /** Takes a matching "throttle" fault, after its delay; true when the session should answer with its throttle text. */
  throttleFault(criteria: FaultCriteria): Promise<boolean>;
  /** After a refused XOAUTH2: a matching challengeOnFailure fault's SASL challenge (base64 JSON), or undefined. */
  failureChallenge(criteria: FaultCriteria): string | undefined;
}

export interface MailListenerOptions {
  ctx: EmulatorContext;
  protocol: MailProtocol;
  port: number;
  host: string;
  /** IMAP 993 and POP 995 start with TLS; SMTP 587 starts in the clear and offers STARTTLS. */
  implicitTls: boolean;
  secureContext: tls.SecureContext;
  idleTimeoutMs: number;
  createSession: (io: MailIO) => MailSession;
}

export interface MailListener {
  port: number;
  close(): Promise<void>;
}

/** Longest line (or unfinished line) a client may send before the server hangs up. */
const MAX_LINE_BYTES = 1_000_000;
const CRLF = Buffer.from("\r\n");

export async function startMailListener(opts: MailListenerOptions): Promise<MailListener> {
  const sockets = new Set<net.Socket>();
  const closing = new AbortController();
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on("close", () => sockets.delete(raw));
    raw.on("error", () => raw.destroy());
    // Faults without filters fire on connect (nothing else is known yet): drop before TLS, or delay the greeting.
    const fault = takeMailNetworkFault(opts.ctx.state, { endpoint: opts.protocol, tenantSegment: "" });
    if (fault?.drop) return void raw.destroy();
    new Connection(raw, opts, closing.signal, sockets, fault);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

class Connection implements MailIO {
  readonly ctx: EmulatorContext;
  readonly remoteAddress: string;
  secure = false;
  private socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private queue: Promise<void> = Promise.resolve();
  /** Bumped on STARTTLS so lines read in the clear but not yet handled are dropped. */
  private generation = 0;
  private ended = false;
  private readonly session: MailSession;

  constructor(
    raw: net.Socket,
    private readonly opts: MailListenerOptions,
    private readonly signal: AbortSignal,
    private readonly sockets: Set<net.Socket>,
    connectFault: Fault | undefined,
  ) {
    this.ctx = opts.ctx;
    // A reply is often several writes (untagged lines, then the tagged one): with Nagle on, each later
    // write waits for the client's delayed ACK (≈ 40 ms on loopback), which made every IMAP command cost 40 ms.
    raw.setNoDelay(true);
    this.remoteAddress = (raw.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, "");
    this.socket = raw;
    this.session = opts.createSession(this);
    const start = async () => {
      if (connectFault?.delayMs) await this.sleep(connectFault.delayMs);
      if (this.ended || this.signal.aborted) return;
      this.listen(this.socket);
      this.session.greet();
    };
    if (opts.implicitTls) {
      const secure = this.wrap(raw);
      // A client that never finishes the handshake is dropped after the idle timeout too.
      const handshake = setTimeout(() => this.destroy(), opts.idleTimeoutMs);
      handshake.unref();
      secure.once("close", () => clearTimeout(handshake));
      secure.once("secure", () => {
        clearTimeout(handshake);
        void start();
      });
    } else {
      void start();
    }
  }

  private wrap(raw: net.Socket): tls.TLSSocket {
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: this.opts.secureContext });
    this.sockets.add(secure);
    secure.on("close", () => this.sockets.delete(secure));
    secure.on("error", () => secure.destroy());
    this.socket = secure;
    this.secure = true;
    return secure;
  }

  private listen(socket: net.Socket) {
    socket.setTimeout(this.opts.idleTimeoutMs);
    socket.on("timeout", () => this.close(this.session.idle()));
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let idx: number;
    while ((idx = this.buffer.indexOf(0x0a)) >= 0) {
      const line = this.buffer.subarray(0, idx).toString("utf8").replace(/\r$/, "");
      this.buffer = this.buffer.subarray(idx + 1);
      const generation = this.generation;
      this.queue = this.queue
        .then(() => (generation === this.generation && !this.ended ? this.session.line(line) : undefined))
        .then(() => this.ctx.state.changed())
        .catch((err: unknown) => {
          console.error(`emulator: ${this.opts.protocol} session failed`, err);
          this.destroy();
        });
    }
    if (this.buffer.length > MAX_LINE_BYTES) this.destroy();
  }

  reply(line: string | Buffer): void {
    if (this.ended || this.socket.destroyed) return;
    this.socket.write(typeof line === "string" ? `${line}\r\n` : Buffer.concat([line, CRLF]));
  }

  close(line?: string): void {
    if (this.ended) return;
    if (line !== undefined) this.reply(line);
    this.ended = true;
    this.socket.end();
    // A client that never closes its side doesn't keep the socket forever.
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  destroy(): void {
    this.ended = true;
    this.socket.destroy();
  }

  startTls(line: string): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners("data");
    raw.removeAllListeners("timeout");
    raw.setTimeout(0);
    raw.pause();
    this.generation += 1;
    this.buffer = Buffer.alloc(0);
    return new Promise<void>((resolve) => {
      raw.write(`${line}\r\n`, () => {
        const secure = this.wrap(raw);
        this.listen(secure);
        resolve();
      });
    });
  }

  async sleep(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.signal });
    } catch {
      // the listener is closing: carry on, the socket is gone anyway
    }
  }

  async networkFault(criteria: FaultCriteria): Promise<boolean> {
    const fault = takeMailNetworkFault(this.ctx.state, criteria);
    if (!fault) return false;
    if (fault.drop) {
      this.destroy();
      return true;
    }
    if (fault.delayMs) await this.sleep(fault.delayMs);
    return this.ended;
  }

  failureChallenge(criteria: FaultCriteria): string | undefined {
    if (!takeChallengeFault(this.ctx.state, criteria)) return undefined;
    return xoauth2ErrorChallenge(criteria.tenant);
  }

  async throttleFault(criteria: FaultCriteria): Promise<boolean> {
    const fault = takeThrottleFault(this.ctx.state, criteria);
    if (!fault) return false;
    if (fault.delayMs) await this.sleep(fault.delayMs);
    return true;
  }
}

/** A tagged or plain command line split into its word and the rest (IMAP passes the tag separately). */
export function splitCommand(line: string): { verb: string; rest: string } {
  const m = /^(\S*)\s?(.*)$/.exec(line);
  return { verb: (m?.[1] ?? "").toUpperCase(), rest: m?.[2] ?? "" };
}
