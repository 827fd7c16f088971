import tls from "node:tls";
import { failed, networkFailure, unexpected, where, xoauth2, type ProbeEndpoint, type ProbeFailure, type ProbeResult } from "./probe-result";
import { sni } from "./probe-result";

// POP3 over TLS: AUTH XOAUTH2, then STAT and QUIT (reference §5.1, §5.2). POP replies are +OK or
// -ERR plus, on some servers, an RFC 2449/3206 response code in brackets ([AUTH], [SYS/TEMP],
// [IN-USE], [LOGIN-DELAY]); failures are decided on those and on the stage of the conversation.

export type PopProbeInput = { host: string; port: number; user: string; accessToken: string; timeoutMs: number; ca?: string; signal?: AbortSignal };
export type PopDetails = { messages: number; octets: number };

type Stage = "greeting" | "auth" | "stat";

/** A -ERR (or unexpected) reply at a stage of the conversation. */
export class PopReplyError extends Error {
  constructor(readonly stage: Stage, readonly reply: string) {
    super(reply);
  }
}

/** Lines from a socket, one `next()` at a time; a closed or failed socket rejects the waiting read. */
class Lines {
  private buffer = "";
  private queue: string[] = [];
  private waiting: { resolve: (l: string) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;

  constructor(socket: tls.TLSSocket) {
    socket.on("data", (chunk: Buffer) => {
      this.buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = this.buffer.indexOf("\r\n")) !== -1) {
        this.queue.push(this.buffer.slice(0, nl));
        this.buffer = this.buffer.slice(nl + 2);
      }
      this.flush();
    });
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(Object.assign(new Error("The server closed the connection."), { code: "ECONNRESET" })));
  }

  private fail(e: unknown) {
    this.failure ??= e;
    this.flush();
  }

  private flush() {
    if (!this.waiting) return;
    const w = this.waiting;
    if (this.queue.length) {
      this.waiting = undefined;
      w.resolve(this.queue.shift()!);
    } else if (this.failure !== undefined) {
      this.waiting = undefined;
      w.reject(this.failure);
    }
  }

  next(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }
}

export async function probePop(input: PopProbeInput): Promise<ProbeResult<PopDetails>> {
  const at: ProbeEndpoint = { protocol: "pop", host: input.host, port: input.port };
  const socket = tls.connect({ host: input.host, port: input.port, ...sni(input.host), ...(input.ca ? { ca: input.ca } : {}) });
  socket.setTimeout(input.timeoutMs, () => socket.destroy(Object.assign(new Error("No answer in time."), { code: "ETIMEDOUT" })));
  const onAbort = () => socket.destroy(Object.assign(new Error("Aborted."), { code: "ETIMEDOUT" }));
  input.signal?.addEventListener("abort", onAbort, { once: true });
  const lines = new Lines(socket);
  const send = (line: string) => socket.write(`${line}\r\n`);
  const expectOk = async (stage: Stage) => {
    const line = await lines.next();
    if (!line.startsWith("+OK")) throw new PopReplyError(stage, line);
    return line;
  };
  try {
    await expectOk("greeting");
    send("AUTH XOAUTH2");
    const go = await lines.next();
    if (!go.startsWith("+")) throw new PopReplyError("auth", go);
    // The payload goes on its own line after "+ ": a token never fits POP3's 255-octet command
    // line (RFC 5034), and Exchange closes the connection when it is sent inline.
    send(xoauth2(input.user, input.accessToken));
    let answer = await lines.next();
    if (answer.startsWith("+ ") || answer === "+") {
      // A refused token explained in a base64 JSON continuation: answer with an empty line, the
      // server then sends its -ERR (reference §5.1).
      const explained = Buffer.from(answer.slice(2).trim(), "base64").toString("utf8");
      send("");
      answer = `${await lines.next()}${explained ? ` (server said ${explained})` : ""}`;
    }
    if (!answer.startsWith("+OK")) throw new PopReplyError("auth", answer);
    send("STAT");
    const stat = await expectOk("stat");
    const [messages = 0, octets = 0] = stat.replace(/^\+OK\s*/, "").split(/\s+/).map(Number);
    send("QUIT");
    await lines.next().catch(() => "");
    return { ok: true, at, details: { messages, octets }, summary: `Signed in to ${input.host}:${input.port}; ${messages} message(s).` };
  } catch (e) {
    return classifyPopError(at, e);
  } finally {
    input.signal?.removeEventListener("abort", onAbort);
    socket.destroy();
  }
}

/** The RFC 2449 response code of a -ERR reply ("-ERR [SYS/TEMP] …" → "SYS/TEMP"). */
export const popResponseCode = (reply: string): string | undefined => /^-ERR \[([A-Z0-9/-]+)\]/i.exec(reply)?.[1]?.toUpperCase();

const BUSY = new Set(["SYS/TEMP", "IN-USE", "LOGIN-DELAY"]);

export function classifyPopError(at: ProbeEndpoint, e: unknown): ProbeFailure {
  if (!(e instanceof PopReplyError)) return networkFailure(at, e) ?? unexpected(at, e);
  const reply = e.reply;
  const code = popResponseCode(reply);
  const extra = { reply };
  if (code && BUSY.has(code)) return failed(at, "pop_unavailable", `${where(at)} is busy: ${reply}`, extra);
  if (e.stage === "greeting") return failed(at, "pop_unavailable", `${where(at)} did not greet with +OK: ${reply}`, extra);
  if (e.stage === "auth" || code === "AUTH") return failed(at, "pop_auth_failed", `${where(at)} refused the XOAUTH2 sign-in: ${reply}`, extra);
  return failed(at, "pop_error", `${where(at)} answered: ${reply}`, extra);
}
