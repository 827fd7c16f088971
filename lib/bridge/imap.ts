import type net from "node:net";
import { Session, type BridgeContext, type CutReason } from "./session";
import { readPlain } from "./sasl";
import { imapUpstream } from "./upstream";
import { relayImap } from "./imap-relay";
import { LineConn } from "./wire";

// IMAP: the bridge answers the not-authenticated state itself (CAPABILITY, NOOP, ID, STARTTLS,
// LOGOUT, LOGIN, AUTHENTICATE PLAIN), signs in upstream with XOAUTH2, answers the client's tag
// with OK and relays the rest of the session byte for byte. The client's CAPABILITY after sign-in
// goes to Exchange, so it sees what Exchange offers from then on.
//
// Exchange ends a session when its access token expires; the relay (imap-relay.ts) resumes it
// upstream with a fresh token so the client does not notice.

const cutWords = (reason: CutReason) =>
  reason === "revoked"
    ? "* BYE Mailgrant: this bridge credential was revoked; the session is closed"
    : reason === "stopping"
      ? "* BYE [UNAVAILABLE] Mailgrant: the mail bridge is restarting; sign in again in a moment"
      : "* BYE Mailgrant: the connection was idle too long";

/** Arguments of a command line: atoms, quoted strings and literals (whose bytes are read with a continuation). */
export async function readArguments(conn: LineConn, first: string): Promise<string[]> {
  const args: string[] = [];
  let line = first;
  for (;;) {
    let i = 0;
    let literal: { size: number; nonSync: boolean } | undefined;
    while (i < line.length) {
      if (line[i] === " ") {
        i++;
        continue;
      }
      if (line[i] === '"') {
        let value = "";
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === "\\" && i + 1 < line.length) i++;
          value += line[i];
          i++;
        }
        i++;
        args.push(value);
        continue;
      }
      const m = /^\{(\d+)(\+?)\}$/.exec(line.slice(i));
      if (m) {
        literal = { size: Number(m[1]), nonSync: m[2] === "+" };
        break;
      }
      const end = line.indexOf(" ", i);
      args.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length : end;
    }
    if (!literal) return args;
    if (literal.size > 8192) throw Object.assign(new Error("Literal too long."), { code: "LINE_TOO_LONG" });
    if (!literal.nonSync) conn.line("+ Ready for additional command text.");
    args.push((await conn.readBytes(literal.size)).toString("utf8"));
    line = await conn.readLine();
  }
}

function capabilities(secure: boolean, starttlsPort: boolean): string {
  if (!secure) return `IMAP4rev1 ${starttlsPort ? "STARTTLS " : ""}LOGINDISABLED ID`;
  return "IMAP4rev1 SASL-IR AUTH=PLAIN ID";
}

export async function serveImap(ctx: BridgeContext, socket: net.Socket, opts: { implicitTls: boolean; clientIp?: string | null }): Promise<void> {
  const conn = new LineConn(socket);
  const session = new Session(ctx, "imap", conn, cutWords, opts.clientIp);
  let secure = opts.implicitTls;
  try {
    conn.line(`* OK [CAPABILITY ${capabilities(secure, !opts.implicitTls)}] Mailgrant mail bridge IMAP4 ready.`);
    for (;;) {
      const line = await conn.readLine(64 * 1024);
      const m = /^(\S+) (\S+)(?: (.*))?$/.exec(line);
      if (!m) {
        conn.line("* BAD Command Error. 10");
        continue;
      }
      const [, tag, command, rest = ""] = m as unknown as [string, string, string, string | undefined];
      switch (command.toUpperCase()) {
        case "CAPABILITY":
          conn.line(`* CAPABILITY ${capabilities(secure, !opts.implicitTls)}`);
          conn.line(`${tag} OK CAPABILITY completed.`);
          break;
        case "NOOP":
          conn.line(`${tag} OK NOOP completed.`);
          break;
        case "ID":
          conn.line('* ID ("name" "Mailgrant mail bridge")');
          conn.line(`${tag} OK ID completed.`);
          break;
        case "LOGOUT":
          conn.line("* BYE Mailgrant mail bridge signing off.");
          conn.line(`${tag} OK LOGOUT completed.`);
          conn.socket.end();
          session.close();
          return;
        case "STARTTLS":
          if (secure || opts.implicitTls) {
            conn.line(`${tag} BAD Command received in Invalid state.`);
            break;
          }
          conn.line(`${tag} OK Begin TLS negotiation now.`);
          await conn.upgradeServer(ctx.secureContext, ctx.upstreamTimeoutMs);
          secure = true;
          break;
        case "LOGIN": {
          const args = await readArguments(conn, rest);
          if (!secure) {
            conn.line(`${tag} NO [PRIVACYREQUIRED] LOGIN failed: Mailgrant: sign in after STARTTLS, or use the bridge's IMAP port with TLS (993)`);
            break;
          }
          if (args.length !== 2) {
            conn.line(`${tag} BAD LOGIN takes a username and a password.`);
            break;
          }
          if (await signIn(session, conn, tag, "LOGIN", { username: args[0]!, password: args[1]! })) return;
          break;
        }
        case "AUTHENTICATE": {
          const [mechanism = "", initial] = rest.split(" ");
          if (!secure) {
            conn.line(`${tag} NO [PRIVACYREQUIRED] AUTHENTICATE failed: Mailgrant: sign in after STARTTLS, or use the bridge's IMAP port with TLS (993)`);
            break;
          }
          if (mechanism.toUpperCase() !== "PLAIN") {
            conn.line(`${tag} NO Unsupported authentication mechanism; use AUTHENTICATE PLAIN or LOGIN.`);
            break;
          }
          const credentials = await readPlain(conn, initial, "+ ");
          if (credentials === "aborted") {
            conn.line(`${tag} BAD AUTHENTICATE aborted.`);
            break;
          }
          if (!credentials) {
            conn.line(`${tag} BAD Cannot decode the credentials (base64 of NUL username NUL password).`);
            break;
          }
          if (await signIn(session, conn, tag, "AUTHENTICATE", credentials)) return;
          break;
        }
        case "SELECT":
        case "EXAMINE":
        case "LIST":
        case "LSUB":
        case "STATUS":
        case "FETCH":
        case "SEARCH":
        case "UID":
        case "IDLE":
        case "NAMESPACE":
          conn.line(`${tag} BAD Command received in Invalid state.`);
          break;
        default:
          conn.line(`${tag} BAD Command Error. 10`);
      }
    }
  } catch (e) {
    session.abort(e, (p) => `* BYE [UNAVAILABLE] ${p}`);
  }
}

async function signIn(session: Session, conn: LineConn, tag: string, command: string, credentials: { username: string; password: string }): Promise<boolean> {
  const result = await session.signIn(credentials.username, credentials.password);
  if (!result.ok) {
    conn.line(`${tag} NO [${result.reason === "rate_limited" ? "UNAVAILABLE" : "AUTHENTICATIONFAILED"}] ${command} failed: ${result.hint}`);
    return false;
  }
  session.grant = result.grant;
  const token = await session.token();
  if (!token.ok) {
    conn.line(`${tag} NO [${token.temporary ? "UNAVAILABLE" : "AUTHENTICATIONFAILED"}] ${command} failed: ${token.hint}`);
    return false;
  }
  const at = session.endpoint();
  let up;
  try {
    up = await imapUpstream(at, result.grant.mailbox, token.token, session.ctx.upstreamTimeoutMs);
  } catch (e) {
    conn.line(`${tag} NO [UNAVAILABLE] ${command} failed: ${session.unreachable(at, e)}`);
    return false;
  }
  if (!up.ok) {
    // Exchange's "NO AUTHENTICATE failed." (or its response code) as it came, then the hint.
    const hint = session.refusedUpstream("imap_auth_failed", up.refused);
    const said = up.refused.replace(/^(NO|BAD)\s*/, "");
    conn.line(`${tag} NO ${said.startsWith("[") ? "" : "[AUTHENTICATIONFAILED] "}${said} ${hint}`);
    return false;
  }
  session.signedIn();
  conn.line(`${tag} OK ${command} completed.`);
  relayImap(session, up.conn);
  return true;
}
