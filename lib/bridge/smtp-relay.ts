import type net from "node:net";
import type { Session } from "./session";
import { smtpUpstream } from "./upstream";
import type { LineConn } from "./wire";

// The SMTP relay, byte for byte, reading along at line level so a pooled connection (an app that
// keeps its SMTP session open between messages) outlives its access token. Exchange ends the
// session when the token expires (`421 4.7.0 Session invalidated - AccessTokenExpired`, in answer
// to the next command); if that command and any pipelined after it are envelope commands (no
// message content sent yet), the bridge signs in again upstream with a fresh token and sends them
// again, and the client gets Exchange's answers to them. A 421 during or after the message content
// passes through: the client must not believe a message was taken twice or not at all.

const EXPIRED = /^421 4\.7\.0 Session invalidated - AccessTokenExpired/i;

export function relaySmtp(session: Session, first: LineConn, ehloName: string): void {
  const client = session.client.detach();
  let upstream: net.Socket;
  let outstanding: Buffer[] = []; // command lines sent, not yet answered
  let inData = false; // after a 354: the client's bytes are message content up to <CRLF>.<CRLF>
  let contentSent = false; // content of the current transaction has gone upstream
  let clientBuf = "";
  let upBuf: Buffer = Buffer.alloc(0);
  let resuming = false;
  // Commands pipelined in the same chunk as the end of a message are not told apart from it: from
  // then on the bridge cannot know what is unanswered, and a 421 passes through.
  let unsure = false;

  const write = (to: net.Socket, from: net.Socket, data: Buffer) => {
    if (!to.write(data)) {
      from.pause();
      to.once("drain", () => from.resume());
    }
  };

  const onClientData = (chunk: Buffer) => {
    session.relayIn += chunk.length;
    if (inData) {
      contentSent = true;
      // The end of the content may span chunks: keep the last bytes to find it.
      const seen = clientBuf + chunk.toString("latin1");
      clientBuf = seen.slice(-5);
      if (clientBuf.endsWith("\r\n.\r\n")) {
        inData = false;
        clientBuf = "";
      } else if (seen.includes("\r\n.\r\n")) {
        inData = false;
        unsure = true;
        clientBuf = "";
      }
      return write(upstream, client.socket, chunk);
    }
    clientBuf += chunk.toString("latin1");
    let nl: number;
    while ((nl = clientBuf.indexOf("\n")) !== -1) {
      outstanding.push(Buffer.from(clientBuf.slice(0, nl + 1), "latin1"));
      clientBuf = clientBuf.slice(nl + 1);
    }
    write(upstream, client.socket, chunk);
  };

  const onUpstreamData = (chunk: Buffer) => {
    upBuf = upBuf.length ? Buffer.concat([upBuf, chunk]) : chunk;
    let out: Buffer[] = [];
    let nl: number;
    while ((nl = upBuf.indexOf("\n")) !== -1) {
      const line = upBuf.subarray(0, nl + 1);
      upBuf = upBuf.subarray(nl + 1);
      const text = line.toString("latin1");
      if (/^\d{3} /.test(text)) {
        // The last line of a reply: one command answered.
        if (EXPIRED.test(text) && !resuming && !unsure && !inData && !contentSent && outstanding.length > 0) {
          resuming = true;
          flush(out);
          out = [];
          void resume();
          return;
        }
        outstanding.shift();
        if (text.startsWith("354")) {
          inData = true;
          clientBuf = "\r\n"; // the content's first line may be the final "."
        }
        if (/^[245]\d\d /.test(text) && !inData) contentSent = false; // a transaction (or command) is over
      }
      out.push(line);
    }
    flush(out);
  };
  const flush = (out: Buffer[]) => {
    if (!out.length) return;
    const data = out.length === 1 ? out[0]! : Buffer.concat(out);
    session.relayOut += data.length;
    write(client.socket, upstream, data);
  };

  const onUpstreamGone = () => {
    if (!resuming) session.close();
  };
  const attach = (socket: net.Socket, rest: Buffer) => {
    upstream = socket;
    session.upstream = socket;
    upBuf = Buffer.alloc(0);
    socket.setTimeout(0);
    socket.on("data", onUpstreamData).on("end", onUpstreamGone).on("close", onUpstreamGone).on("error", onUpstreamGone);
    if (rest.length) onUpstreamData(rest);
  };

  async function resume() {
    client.socket.pause();
    upstream.off("data", onUpstreamData).off("end", onUpstreamGone).off("close", onUpstreamGone).off("error", onUpstreamGone);
    upstream.on("error", () => {});
    upstream.destroy();
    const replay = outstanding;
    const giveUp = () => {
      const words = Buffer.from("421 4.7.0 Session invalidated - AccessTokenExpired\r\n");
      session.relayOut += words.length;
      client.socket.end(words);
      session.close();
    };
    const token = await session.token({ ...(session.tokenUsed ? { notThisOne: session.tokenUsed } : {}) });
    if (!token.ok) return giveUp();
    const up = await smtpUpstream(session.endpoint(), session.grant!.mailbox, token.token, ehloName, session.ctx.upstreamTimeoutMs).catch(() => null);
    if (!up?.ok) return giveUp();
    const { socket, rest } = up.conn.detach();
    if (session.ended) return void socket.destroy();
    resuming = false;
    outstanding = [];
    attach(socket, rest);
    for (const line of replay) {
      outstanding.push(line);
      socket.write(line);
    }
    client.socket.resume();
  }

  client.socket.on("data", onClientData);
  client.socket.on("end", () => upstream.end());
  client.socket.on("close", () => session.close());
  client.socket.on("error", () => session.close());
  const f = first.detach();
  attach(f.socket, f.rest);
  if (client.rest.length) onClientData(client.rest);
}
