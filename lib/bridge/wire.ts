import type net from "node:net";
import tls from "node:tls";

// One side of a bridge session while the bridge itself speaks the protocol (greeting, sign-in,
// STARTTLS): lines in, lines out, bytes counted. Afterwards `detach()` hands the socket and any
// bytes already read on to the relay.

export class Closed extends Error {
  constructor() {
    super("The connection closed.");
  }
}

export class LineConn {
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (l: string) => void; reject: (e: unknown) => void; max: number } | undefined;
  private closed = false;
  bytesIn = 0;
  bytesOut = 0;
  private readonly onData = (chunk: Buffer) => {
    this.bytesIn += chunk.length;
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.flush();
  };
  private readonly onClose = () => {
    this.closed = true;
    this.flush();
  };

  constructor(public socket: net.Socket) {
    this.listen();
  }

  private listen() {
    this.socket.on("data", this.onData);
    this.socket.on("close", this.onClose);
    this.socket.on("end", this.onClose);
    this.socket.on("error", this.onClose);
    this.socket.resume(); // a socket paused after a PROXY header
  }

  private unlisten() {
    this.socket.off("data", this.onData);
    this.socket.off("close", this.onClose);
    this.socket.off("end", this.onClose);
    this.socket.off("error", this.onClose);
  }

  private flush() {
    const w = this.waiting;
    if (!w) return;
    const nl = this.buffer.indexOf("\n");
    if (nl !== -1) {
      this.waiting = undefined;
      const line = this.buffer.subarray(0, nl).toString("utf8").replace(/\r$/, "");
      this.buffer = this.buffer.subarray(nl + 1);
      w.resolve(line);
    } else if (this.buffer.length > w.max) {
      this.waiting = undefined;
      w.reject(Object.assign(new Error("Line too long."), { code: "LINE_TOO_LONG" }));
    } else if (this.closed) {
      this.waiting = undefined;
      w.reject(new Closed());
    }
  }

  /** The next line without its CRLF; rejects with Closed when the peer goes away first. */
  readLine(max = 16 * 1024): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject, max };
      this.flush();
    });
  }

  /** Exactly `n` bytes (an IMAP literal). */
  async readBytes(n: number): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.closed) throw new Closed();
      await new Promise<void>((resolve) => {
        const done = () => {
          this.socket.off("data", done);
          this.socket.off("close", done);
          resolve();
        };
        this.socket.once("data", done);
        this.socket.once("close", done);
      });
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  write(text: string) {
    if (this.socket.destroyed) return;
    const data = Buffer.from(text, "utf8");
    this.bytesOut += data.length;
    this.socket.write(data);
  }

  line(text: string) {
    this.write(`${text}\r\n`);
  }

  /**
   * Server side of STARTTLS. Bytes the client sent after the STARTTLS line are dropped: anything
   * pipelined into the clear part must not be taken as said under TLS (the STARTTLS injection attack).
   */
  async upgradeServer(secureContext: tls.SecureContext, timeoutMs: number): Promise<void> {
    this.unlisten();
    this.buffer = Buffer.alloc(0);
    this.socket = await serverTls(this.socket, secureContext, timeoutMs);
    this.listen();
  }

  /** Client side of STARTTLS (the upstream connection). */
  async upgradeClient(options: tls.ConnectionOptions, timeoutMs: number, onSession?: (session: Buffer) => void): Promise<void> {
    this.unlisten();
    this.buffer = Buffer.alloc(0);
    const secure = tls.connect({ ...options, socket: this.socket });
    if (onSession) secure.on("session", onSession);
    await handshake(secure, timeoutMs);
    this.socket = secure;
    this.listen();
  }

  /** Stops reading lines: the socket and the bytes read but not yet used. */
  detach(): { socket: net.Socket; rest: Buffer } {
    this.unlisten();
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return { socket: this.socket, rest };
  }
}

/** TLS from the server's side on a plain socket (after STARTTLS, or after a PROXY header on an implicit-TLS port). */
export async function serverTls(socket: net.Socket, secureContext: tls.SecureContext, timeoutMs: number): Promise<tls.TLSSocket> {
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
  await handshake(secure, timeoutMs);
  return secure;
}

function handshake(socket: tls.TLSSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const finish = (e?: unknown) => {
      clearTimeout(timer);
      socket.off("secure", ok).off("secureConnect", ok).off("error", finish);
      if (e) reject(e);
      else resolve();
    };
    const ok = () => finish();
    const timer = setTimeout(() => {
      socket.destroy();
      finish(Object.assign(new Error("TLS handshake timed out."), { code: "ETIMEDOUT" }));
    }, timeoutMs);
    // A server-side TLSSocket says "secure", a client one "secureConnect".
    socket.once("secure", ok).once("secureConnect", ok).once("error", finish);
  });
}
