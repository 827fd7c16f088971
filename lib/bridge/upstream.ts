import net from "node:net";
import tls from "node:tls";
import type { MailEndpoint } from "@/lib/microsoft/endpoints";
import { sni, xoauth2 } from "@/lib/microsoft/probes/probe-result";
import { LineConn } from "./wire";

// The bridge's side towards Exchange Online: connect to the integration's cloud mail host and sign
// in with XOAUTH2 as the mailbox (for a shared mailbox the shared address, with the delegate's
// token), as lib/microsoft/probes do. The result is a signed-in connection ready to relay, or
// Exchange's refusal as it was sent.

export type Upstream = { ok: true; conn: LineConn } | { ok: false; refused: string };

// The last TLS session (ticket) Exchange gave per host and port: the next upstream connection
// resumes it, which spares both sides the full handshake (the certificate chain is not sent and
// verified again; the host name is still checked). What https.Agent does for its sockets.
const tlsSessions = new Map<string, Buffer>();
const sessionKey = (at: MailEndpoint) => `${at.host}:${at.port}`;
const rememberSession = (at: MailEndpoint) => (session: Buffer) => void tlsSessions.set(sessionKey(at), session);

// One client context for every upstream connection: tls.connect would otherwise build one (and
// load the trusted roots into it) per connection.
let clientContext: tls.SecureContext | undefined;

const tlsOptions = (at: MailEndpoint): tls.ConnectionOptions => {
  const session = tlsSessions.get(sessionKey(at));
  return { host: at.host, port: at.port, ...sni(at.host), secureContext: (clientContext ??= tls.createSecureContext()), ...(session ? { session } : {}) };
};

/** A TLS connection upstream, resuming the last session with that host and keeping the next. */
function connectTls(at: MailEndpoint): tls.TLSSocket {
  const socket = tls.connect(tlsOptions(at)).setNoDelay(true);
  socket.on("session", rememberSession(at));
  return socket;
}

/** The sign-in with a deadline; on any failure (timeout, error, nonsense) the upstream socket is closed. */
function deadline<T>(ms: number, socket: () => net.Socket | undefined, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("No answer in time."), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([work, late])
    .catch((e: unknown) => {
      socket()?.destroy();
      throw e;
    })
    .finally(() => clearTimeout(timer));
}

function connected(socket: net.Socket, event: "connect" | "secureConnect"): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once(event, () => {
      socket.off("error", reject);
      resolve();
    });
    socket.once("error", reject);
  });
}

/** A multi-line SMTP reply ("250-…" lines, then "250 …"), joined by CRLF. */
export async function smtpReply(conn: LineConn): Promise<string> {
  const lines: string[] = [];
  for (;;) {
    const line = await conn.readLine();
    lines.push(line);
    if (!/^\d{3}-/.test(line)) return lines.join("\r\n");
  }
}

/** SMTP submission: EHLO, STARTTLS, EHLO, AUTH XOAUTH2 (587, as Exchange documents for clients). */
export async function smtpUpstream(at: MailEndpoint, user: string, token: string, ehloName: string, timeoutMs: number): Promise<Upstream> {
  let conn: LineConn | undefined;
  return deadline(timeoutMs, () => conn?.socket, (async (): Promise<Upstream> => {
    // No Nagle delay on relayed lines (see bridge.ts); STARTTLS's TLS runs over this same socket.
    const socket = net.connect({ host: at.host, port: at.port, noDelay: true });
    conn = new LineConn(socket);
    await connected(socket, "connect");
    const expect = async (code: string) => {
      const reply = await smtpReply(conn!);
      if (!reply.startsWith(code)) throw Object.assign(new Error(`Unexpected reply: ${reply}`), { code: "EPROTOCOL", reply });
      return reply;
    };
    await expect("220");
    conn.line(`EHLO ${ehloName}`);
    await expect("250");
    conn.line("STARTTLS");
    await expect("220");
    await conn.upgradeClient(tlsOptions(at), timeoutMs, rememberSession(at));
    conn.line(`EHLO ${ehloName}`);
    await expect("250");
    conn.line(`AUTH XOAUTH2 ${xoauth2(user, token)}`);
    let answer = await smtpReply(conn);
    // A refused token may be explained in a 334 base64 JSON challenge first; the empty line gets the 535.
    if (answer.startsWith("334")) {
      conn.line("");
      answer = await smtpReply(conn);
    }
    if (answer.startsWith("235")) return { ok: true, conn };
    conn.socket.destroy();
    return { ok: false, refused: answer };
  })());
}

/** A TLS connection to the mail host, without Nagle's delay on relayed lines (see bridge.ts). */
const tlsConn = (at: MailEndpoint) => new LineConn(connectTls(at));

/** Waits for the handshake and the server's greeting, which must start with `ok`. */
async function greeted(conn: LineConn, ok: string): Promise<void> {
  await connected(conn.socket, "secureConnect");
  const greeting = await conn.readLine();
  if (!greeting.startsWith(ok)) throw Object.assign(new Error(`Unexpected greeting: ${greeting}`), { code: "EPROTOCOL" });
}

/** IMAP over TLS: AUTHENTICATE XOAUTH2 with an initial response (Exchange offers SASL-IR). */
export async function imapUpstream(at: MailEndpoint, user: string, token: string, timeoutMs: number): Promise<Upstream> {
  let conn: LineConn | undefined;
  return deadline(timeoutMs, () => conn?.socket, (async (): Promise<Upstream> => {
    conn = tlsConn(at);
    await greeted(conn, "* OK");
    conn.line(`MGB1 AUTHENTICATE XOAUTH2 ${xoauth2(user, token)}`);
    for (;;) {
      const line = await conn.readLine();
      if (line.startsWith("+")) {
        conn.line(""); // the error continuation: the empty line gets the tagged NO
        continue;
      }
      if (!line.startsWith("MGB1 ")) continue; // untagged CAPABILITY and the like: the client asks again
      if (line.startsWith("MGB1 OK")) return { ok: true, conn };
      conn.socket.destroy();
      return { ok: false, refused: line.slice(5) };
    }
  })());
}

/** POP3 over TLS: AUTH XOAUTH2, the payload after "+ " (a token never fits POP3's command line). */
export async function popUpstream(at: MailEndpoint, user: string, token: string, timeoutMs: number): Promise<Upstream> {
  let conn: LineConn | undefined;
  return deadline(timeoutMs, () => conn?.socket, (async (): Promise<Upstream> => {
    conn = tlsConn(at);
    await greeted(conn, "+OK");
    conn.line("AUTH XOAUTH2");
    const go = await conn.readLine();
    if (!go.startsWith("+")) {
      conn.socket.destroy();
      return { ok: false, refused: go };
    }
    conn.line(xoauth2(user, token));
    let answer = await conn.readLine();
    if (answer.startsWith("+ ") || answer === "+") {
      conn.line("");
      answer = await conn.readLine();
    }
    if (answer.startsWith("+OK")) return { ok: true, conn };
    conn.socket.destroy();
    return { ok: false, refused: answer };
  })());
}
