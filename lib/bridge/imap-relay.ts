import type net from "node:net";
import type { Session } from "./session";
import { imapUpstream } from "./upstream";
import type { LineConn } from "./wire";

// The IMAP relay, byte for byte like the others, but reading along at line level so that a
// session outlives its access token. Exchange ends an IMAP session when the token it signed in
// with expires (`* BYE Session invalidated - AccessTokenExpired`, in answer to the next command);
// with Basic auth the same client's session lasted for days, and a client that knows only a
// password does not expect that goodbye. So the bridge keeps it from the client: it signs in
// again upstream with a fresh token, selects the folder the client had selected, and sends again
// the commands Exchange had not answered. The client sees its answers, a little later.
//
// Only what can be replayed exactly is: commands without literals, and IDLE (its "+" already
// reached the client). Anything else — a command with a literal in flight, a failed resume — ends
// the session with Exchange's own BYE, as without the bridge; the client signs in again.

const EXPIRED = /^\* BYE Session invalidated - AccessTokenExpired/i;
const LITERAL = /\{(\d+)\+?\}\r\n$/;

type Pending = { tag: string; verb: string; bytes: Buffer; literal: boolean; done?: boolean };

/** Splits a byte stream into IMAP lines and the literals they announce. */
class Reader {
  private buffer: Buffer = Buffer.alloc(0);
  private literalLeft = 0;
  constructor(private readonly onLine: (line: Buffer) => void, private readonly onLiteral: (bytes: Buffer) => void) {}

  push(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length) {
      if (this.literalLeft > 0) {
        const part = this.buffer.subarray(0, this.literalLeft);
        this.buffer = this.buffer.subarray(part.length);
        this.literalLeft -= part.length;
        this.onLiteral(part);
        continue;
      }
      const nl = this.buffer.indexOf("\n");
      if (nl === -1) return;
      const line = this.buffer.subarray(0, nl + 1);
      this.buffer = this.buffer.subarray(nl + 1);
      const m = LITERAL.exec(line.toString("latin1"));
      if (m) this.literalLeft = Number(m[1]);
      this.onLine(line);
    }
  }

  /** Inside a literal or a line not yet complete. */
  get midway(): boolean {
    return this.literalLeft > 0 || this.buffer.length > 0;
  }
}

export function relayImap(session: Session, first: LineConn): void {
  if (session.ended) return void first.socket.destroy(); // cut (revoked, stopping) while signing in
  const client = session.client.detach();
  let upstream: net.Socket;
  const pending: Pending[] = [];
  let current: Pending | undefined; // a command whose literal is still coming
  let selected: string | undefined; // the SELECT/EXAMINE line in force, without its tag
  let swallowContinuations = 0;
  let resuming = false;

  // What one chunk yields is written at once (one TLS record, not one per line), then flushed.
  let forClient: Buffer[] = [];
  let forUpstream: Buffer[] = [];
  const toClient = (bytes: Buffer) => void forClient.push(bytes);
  const toUpstream = (bytes: Buffer) => void forUpstream.push(bytes);
  const flushClient = () => {
    if (!forClient.length) return;
    const data = forClient.length === 1 ? forClient[0]! : Buffer.concat(forClient);
    forClient = [];
    session.relayOut += data.length;
    if (!client.socket.write(data)) {
      upstream.pause();
      client.socket.once("drain", () => upstream.resume());
    }
  };
  const flushUpstream = () => {
    if (!forUpstream.length) return;
    const data = forUpstream.length === 1 ? forUpstream[0]! : Buffer.concat(forUpstream);
    forUpstream = [];
    if (!upstream.write(data)) {
      client.socket.pause();
      upstream.once("drain", () => client.socket.resume());
    }
  };

  const fromClient = new Reader(
    (line) => {
      const text = line.toString("utf8");
      if (current) {
        current.bytes = Buffer.concat([current.bytes, line]);
        if (!LITERAL.test(text)) current = undefined;
      } else if (/^DONE\r?\n$/i.test(text) && pending.at(-1)?.verb === "IDLE") {
        pending.at(-1)!.done = true;
      } else {
        const [tag = "", verb = ""] = text.split(" ", 3);
        const p: Pending = { tag, verb: verb.replace(/\r?\n$/, "").toUpperCase(), bytes: line, literal: LITERAL.test(text) };
        if (p.verb === "UID") p.verb = `UID ${(text.split(" ")[2] ?? "").toUpperCase()}`;
        pending.push(p);
        if (p.literal) current = p;
      }
      toUpstream(line);
    },
    (bytes) => {
      if (current) current.bytes = Buffer.concat([current.bytes, bytes]);
      toUpstream(bytes);
    },
  );

  const upstreamReader = () => new Reader(
    (line) => {
      const text = line.toString("utf8");
      if (EXPIRED.test(text) && !resuming && canResume()) {
        resuming = true;
        void resume();
        return;
      }
      if (resuming) return; // the old connection's last words
      if (text.startsWith("+") && swallowContinuations > 0) {
        swallowContinuations -= 1;
        return;
      }
      const tagged = /^(\S+) (OK|NO|BAD)\b/i.exec(text);
      if (tagged && tagged[1] !== "*" && tagged[1] !== "+") {
        const i = pending.findIndex((p) => p.tag === tagged[1]);
        if (i !== -1) {
          const [p] = pending.splice(i, 1);
          if (p!.verb === "SELECT" || p!.verb === "EXAMINE") selected = tagged[2]!.toUpperCase() === "OK" ? p!.bytes.toString("utf8").slice(p!.tag.length + 1) : undefined;
          if ((p!.verb === "CLOSE" || p!.verb === "UNSELECT") && tagged[2]!.toUpperCase() === "OK") selected = undefined;
        }
      }
      toClient(line);
    },
    (bytes) => {
      if (!resuming) toClient(bytes);
    },
  );
  let fromUpstream = upstreamReader();

  const canResume = () => !current && !fromClient.midway && pending.every((p) => !p.literal);

  const onUpstreamData = (chunk: Buffer) => {
    fromUpstream.push(chunk);
    flushClient();
  };
  const onUpstreamGone = () => {
    if (!resuming) session.close();
  };
  const attach = (socket: net.Socket, rest: Buffer) => {
    upstream = socket;
    session.upstream = socket;
    fromUpstream = upstreamReader(); // nothing of the previous connection's stream carries over
    socket.setTimeout(0);
    socket.on("data", onUpstreamData);
    socket.on("end", onUpstreamGone);
    socket.on("close", onUpstreamGone);
    socket.on("error", onUpstreamGone);
    if (rest.length) onUpstreamData(rest);
  };
  const detachUpstream = () => {
    upstream.off("data", onUpstreamData).off("end", onUpstreamGone).off("close", onUpstreamGone).off("error", onUpstreamGone);
    upstream.on("error", () => {});
    upstream.destroy();
  };

  /** Signs in again with a fresh token, reselects, replays what Exchange had not answered; else Exchange's BYE. */
  async function resume() {
    client.socket.pause();
    detachUpstream();
    const giveUp = () => {
      const bye = Buffer.from("* BYE Session invalidated - AccessTokenExpired\r\n");
      session.relayOut += bye.length;
      client.socket.end(bye);
      session.close();
    };
    const token = await session.token({ ...(session.tokenUsed ? { notThisOne: session.tokenUsed } : {}) });
    if (!token.ok) return giveUp();
    const up = await imapUpstream(session.endpoint(), session.grant!.mailbox, token.token, session.ctx.upstreamTimeoutMs).catch(() => null);
    if (!up?.ok) {
      session.outcome = up ? "refused_upstream" : "error";
      session.code = "imap_resume_failed";
      if (up) session.reply = up.refused;
      return giveUp();
    }
    if (selected) {
      up.conn.line(`MGBS ${selected.replace(/\r?\n$/, "")}`);
      for (;;) {
        const line = await up.conn.readLine().catch(() => null);
        if (line === null) return giveUp();
        if (line.startsWith("MGBS ") && !/^MGBS OK/i.test(line)) up.conn.socket.destroy();
        if (/^\* \d+ EXISTS$/i.test(line)) {
          toClient(Buffer.from(`${line}\r\n`)); // the client may hear of new mail at any time
          flushClient();
        }
        if (line.startsWith("MGBS ")) {
          if (!/^MGBS OK/i.test(line)) return giveUp();
          break;
        }
      }
    }
    const { socket, rest } = up.conn.detach();
    if (session.ended) return void socket.destroy();
    resuming = false;
    attach(socket, rest);
    for (const p of pending) {
      if (p.verb === "IDLE") {
        swallowContinuations += 1; // the client already has its "+ idling"
        toUpstream(p.bytes);
        if (p.done) toUpstream(Buffer.from("DONE\r\n"));
      } else toUpstream(p.bytes);
    }
    flushUpstream();
    client.socket.resume();
  }

  const c = client.socket;
  c.on("data", (chunk: Buffer) => {
    session.relayIn += chunk.length;
    fromClient.push(chunk);
    flushUpstream();
  });
  c.on("end", () => upstream.end());
  c.on("close", () => session.close());
  c.on("error", () => session.close());
  const f = first.detach();
  attach(f.socket, f.rest);
  if (client.rest.length) {
    session.relayIn += client.rest.length;
    fromClient.push(client.rest);
    flushUpstream();
  }
}
