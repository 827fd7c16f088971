import type net from "node:net";
import { parseSmtpReply, smtpReplyCode } from "@/lib/microsoft/probes/smtp-reply";
import { Session, type BridgeContext, type CutReason } from "./session";
import { smtpUpstream } from "./upstream";
import { relaySmtp } from "./smtp-relay";
import { LineConn } from "./wire";
import { askSasl, b64, readPlain, type Credentials } from "./sasl";

// SMTP submission. The bridge speaks SMTP itself up to AUTH (greeting, EHLO, STARTTLS, AUTH
// PLAIN/LOGIN), signs in upstream with XOAUTH2, answers 235, and from then on relays the session
// byte for byte: MAIL, RCPT, DATA and their replies are Exchange's own.
//
// Relay rather than accept-and-resubmit: Exchange's answers to the envelope and the message
// (SendAsDenied, size limits, recipient throttling, the queued message id) reach the client at
// the step they belong to, in Exchange's words, and the bridge never holds a message it has
// accepted but not yet handed on: no spool, no bounces of its own, nothing lost when a bridge
// process stops. The one cost, that the bridge's EHLO must promise only what Exchange Online
// offers, is met by advertising a subset of Exchange Online's extensions (no CHUNKING/BINARYMIME).
// The relay (smtp-relay.ts) also signs in again when Exchange ends a pooled session whose token expired.

const EXTENSIONS = ["SIZE 35882577", "PIPELINING", "DSN", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8"];

const cutWords = (reason: CutReason) =>
  reason === "revoked"
    ? "421 4.7.0 Mailgrant: this bridge credential was revoked; the session is closed"
    : reason === "stopping"
      ? "421 4.3.2 Mailgrant: the mail bridge is restarting; try again in a moment"
      : "421 4.4.2 Mailgrant: timeout waiting for client input";

/** One reply, possibly of several lines: "535-5.7.139 …" then "535 5.7.8 …". */
function multiline(code: string, lines: string[]): string {
  return lines.map((l, i) => `${code}${i === lines.length - 1 ? " " : "-"}${l}`).join("\r\n");
}

export async function serveSmtp(ctx: BridgeContext, socket: net.Socket, opts: { implicitTls: boolean; clientIp?: string | null }): Promise<void> {
  const conn = new LineConn(socket);
  const session = new Session(ctx, "smtp", conn, cutWords, opts.clientIp);
  let secure = opts.implicitTls;
  let ehloName = "bridge-client";
  const reply = (l: string) => conn.line(l);
  try {
    reply(`220 ${ctx.hostname} Mailgrant mail bridge ESMTP ready`);
    for (;;) {
      const line = await conn.readLine(64 * 1024);
      const [verb = "", ...rest] = line.split(" ");
      const arg = rest.join(" ").trim();
      switch (verb.toUpperCase()) {
        case "EHLO":
        case "HELO": {
          // Passed on to Exchange in the bridge's own EHLO: a domain or address literal, nothing else.
          const name = arg.split(" ")[0] ?? "";
          if (/^[A-Za-z0-9.:[\]-]{1,255}$/.test(name)) ehloName = name;
          if (verb.toUpperCase() === "HELO") {
            reply(`250 ${ctx.hostname} Hello [${session.clientIp ?? ""}]`);
            break;
          }
          const lines = [`${ctx.hostname} Hello [${session.clientIp ?? ""}]`, ...EXTENSIONS, secure ? "AUTH PLAIN LOGIN" : "STARTTLS"];
          reply(lines.map((l, i) => `250${i === lines.length - 1 ? " " : "-"}${l}`).join("\r\n"));
          break;
        }
        case "STARTTLS":
          if (secure) {
            reply("503 5.5.1 TLS already active");
            break;
          }
          reply("220 2.0.0 SMTP server ready");
          await conn.upgradeServer(ctx.secureContext, ctx.upstreamTimeoutMs);
          secure = true;
          break;
        case "AUTH": {
          if (!secure) {
            reply("530 5.7.0 Must issue a STARTTLS command first");
            break;
          }
          const credentials = await readAuth(conn, arg);
          if (credentials === "unknown") {
            reply("504 5.7.4 Unrecognized authentication type");
            break;
          }
          if (credentials === "aborted") {
            reply("501 5.0.0 Authentication aborted");
            break;
          }
          if (!credentials) {
            reply("501 5.5.2 Cannot decode the credentials (base64 of NUL username NUL password)");
            break;
          }
          if (await signIn(session, conn, credentials, ehloName)) return;
          break;
        }
        case "MAIL":
        case "RCPT":
        case "DATA":
          reply(secure ? "530 5.7.57 Client not authenticated to send mail; sign in with AUTH PLAIN or AUTH LOGIN first" : "530 5.7.0 Must issue a STARTTLS command first");
          break;
        case "NOOP":
        case "RSET":
          reply("250 2.0.0 OK");
          break;
        case "QUIT":
          reply("221 2.0.0 Service closing transmission channel");
          conn.socket.end();
          session.close();
          return;
        default:
          reply(`500 5.3.3 Unrecognized command '${verb.slice(0, 20)}'`);
      }
    }
  } catch (e) {
    session.abort(e, (p) => `421 4.3.0 ${p}`);
  }
}

/** AUTH PLAIN [ir] or AUTH LOGIN [ir], reading the 334 continuations. */
async function readAuth(conn: LineConn, arg: string): Promise<Credentials | null | "unknown" | "aborted"> {
  const [mechanism = "", initial] = arg.split(" ");
  const ask = (prompt: string) => askSasl(conn, `334 ${prompt}`);
  switch (mechanism.toUpperCase()) {
    case "PLAIN":
      return readPlain(conn, initial, "334 ");
    case "LOGIN": {
      const user = initial ?? (await ask("VXNlcm5hbWU6"));
      if (user === null) return "aborted";
      const pass = await ask("UGFzc3dvcmQ6");
      if (pass === null) return "aborted";
      const username = b64(user);
      const password = b64(pass);
      return username && password ? { username, password } : null;
    }
    default:
      return "unknown";
  }
}

/** True when the session was handed to the relay. */
async function signIn(session: Session, conn: LineConn, credentials: { username: string; password: string }, ehloName: string): Promise<boolean> {
  const result = await session.signIn(credentials.username, credentials.password);
  if (!result.ok) {
    conn.line(result.reason === "rate_limited" ? `454 4.7.0 ${result.hint}` : `535 5.7.8 ${result.hint}`);
    return false;
  }
  session.grant = result.grant;
  const token = await session.token();
  if (!token.ok) {
    conn.line(token.temporary ? `451 4.7.0 ${token.hint}` : `535 5.7.8 ${token.hint}`);
    return false;
  }
  const at = session.endpoint();
  let up;
  try {
    up = await smtpUpstream(at, result.grant.mailbox, token.token, ehloName, session.ctx.upstreamTimeoutMs);
  } catch (e) {
    conn.line(`451 4.4.0 ${session.unreachable(at, e)}`);
    return false;
  }
  if (!up.ok) {
    // Exchange's refusal as it came (code, enhanced code, text), then the bridge's hint in a last line of the same reply.
    const parsed = parseSmtpReply(up.refused);
    const code = parsed ? String(parsed.basic) : "535";
    const hint = session.refusedUpstream(parsed ? smtpReplyCode(parsed) : "smtp_rejected", parsed?.line ?? up.refused);
    const upstreamLines = up.refused.split("\r\n").map((l) => l.replace(/^\d{3}[ -]/, ""));
    conn.line(multiline(code, [...upstreamLines, `${parsed?.enhanced ?? "5.7.8"} ${hint}`]));
    return false;
  }
  session.signedIn();
  conn.line("235 2.7.0 Authentication successful");
  relaySmtp(session, up.conn, ehloName);
  return true;
}
