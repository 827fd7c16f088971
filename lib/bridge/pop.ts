import type net from "node:net";
import { Session, type BridgeContext, type CutReason } from "./session";
import { readPlain } from "./sasl";
import { popUpstream } from "./upstream";
import { LineConn } from "./wire";

// POP3 over TLS: the bridge answers the authorization state (CAPA, USER/PASS, AUTH PLAIN, QUIT),
// signs in upstream with XOAUTH2, answers +OK and relays the transaction state byte for byte.

const cutWords = (reason: CutReason) =>
  reason === "revoked"
    ? "-ERR [AUTH] Mailgrant: this bridge credential was revoked; the session is closed"
    : reason === "stopping"
      ? "-ERR [SYS/TEMP] Mailgrant: the mail bridge is restarting; sign in again in a moment"
      : "-ERR Mailgrant: the connection was idle too long";

export async function servePop(ctx: BridgeContext, socket: net.Socket, opts: { clientIp?: string | null } = {}): Promise<void> {
  const conn = new LineConn(socket);
  const session = new Session(ctx, "pop", conn, cutWords, opts.clientIp);
  let user: string | undefined;
  try {
    conn.line("+OK Mailgrant mail bridge POP3 ready.");
    for (;;) {
      const line = await conn.readLine(8 * 1024);
      const [verb = "", ...rest] = line.split(" ");
      const arg = rest.join(" ");
      switch (verb.toUpperCase()) {
        case "CAPA":
          conn.line("+OK\r\nUSER\r\nSASL PLAIN\r\nTOP\r\nUIDL\r\n.");
          break;
        case "USER":
          user = arg.trim();
          conn.line(user ? "+OK" : "-ERR USER takes a username.");
          break;
        case "PASS":
          if (!user) {
            conn.line("-ERR Command is not valid in this state; send USER first.");
            break;
          }
          // The password is the rest of the line: it may contain spaces.
          if (await signIn(session, conn, { username: user, password: arg })) return;
          user = undefined;
          break;
        case "AUTH": {
          const [mechanism, initial] = arg.split(" ");
          if (!mechanism) {
            conn.line("+OK\r\nPLAIN\r\n.");
            break;
          }
          if (mechanism.toUpperCase() !== "PLAIN") {
            conn.line("-ERR Unrecognized authentication type; use AUTH PLAIN or USER/PASS.");
            break;
          }
          const credentials = await readPlain(conn, initial, "+ ");
          if (credentials === "aborted") {
            conn.line("-ERR Authentication aborted.");
            break;
          }
          if (!credentials) {
            conn.line("-ERR Cannot decode the credentials (base64 of NUL username NUL password).");
            break;
          }
          if (await signIn(session, conn, credentials)) return;
          break;
        }
        case "QUIT":
          conn.line("+OK Mailgrant mail bridge signing off.");
          conn.socket.end();
          session.close();
          return;
        default:
          conn.line("-ERR Command is not valid in this state.");
      }
    }
  } catch (e) {
    session.abort(e, (p) => `-ERR [SYS/TEMP] ${p}`);
  }
}

async function signIn(session: Session, conn: LineConn, credentials: { username: string; password: string }): Promise<boolean> {
  const result = await session.signIn(credentials.username, credentials.password);
  if (!result.ok) {
    conn.line(`-ERR [${result.reason === "rate_limited" ? "SYS/TEMP" : "AUTH"}] ${result.hint}`);
    return false;
  }
  session.grant = result.grant;
  const token = await session.token();
  if (!token.ok) {
    conn.line(`-ERR [${token.temporary ? "SYS/TEMP" : "AUTH"}] ${token.hint}`);
    return false;
  }
  const at = session.endpoint();
  let up;
  try {
    up = await popUpstream(at, result.grant.mailbox, token.token, session.ctx.upstreamTimeoutMs);
  } catch (e) {
    conn.line(`-ERR [SYS/TEMP] ${session.unreachable(at, e)}`);
    return false;
  }
  if (!up.ok) {
    const hint = session.refusedUpstream("pop_auth_failed", up.refused);
    conn.line(`${up.refused.startsWith("-ERR") ? up.refused : `-ERR ${up.refused}`} ${hint}`);
    return false;
  }
  session.signedIn();
  conn.line("+OK User successfully authenticated.");
  session.relay(up.conn);
  return true;
}
