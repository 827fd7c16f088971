import type { AccessClaims } from "./access-token";
import { ACCESS_TOKEN_EXPIRED, GREETING_TAG, authenticateXoauth2, sessionExpired, xoauth2Criteria } from "./mail-auth";
import type { FaultCriteria } from "./faults";
import { splitCommand, type MailIO, type MailSession } from "./mail-server";
import { graphId, mimeSize, renderMime, type MailMessage } from "./mailbox";
import type { User } from "./state";

/**
 * Exchange Online's POP3 front end (outlook.office365.com:995) for OAuth clients: TLS from the first byte,
 * `SASL XOAUTH2` only, `AUTH XOAUTH2` then the payload after `+ `, then the Inbox oldest first.
 */
const AUTH_FAILED = "-ERR Authentication failure: unknown user name or bad password.";
/** RFC 5034: a client must not send an initial response longer than this; Exchange drops such lines. */
const MAX_COMMAND_LINE = 255;

const dotStuff = (text: string) =>
  text
    .split("\r\n")
    .map((l) => (l.startsWith(".") ? `.${l}` : l))
    .join("\r\n");

type PopHandler = (s: PopSession, args: string[], line: string, verb: string) => void | Promise<void>;

/** One client's conversation: the mailbox once signed in, its Inbox as of login, and the messages marked deleted. */
class PopSession {
  mailbox: User | undefined;
  /** The token the session signed in with: when it expires, so does the session. */
  claims: AccessClaims | undefined;
  messages: MailMessage[] = [];
  readonly deleted = new Set<number>();
  pendingAuth = false;
  /** An error challenge was sent; the next line is the client's answer to it. */
  challenged = false;

  constructor(readonly io: MailIO) {}

  async authenticate(b64: string) {
    const { io } = this;
    const { state } = io.ctx;
    if (b64 === "*") return io.reply("-ERR Authentication canceled.");
    const criteria = xoauth2Criteria(state, "pop", b64);
    if (await io.networkFault(criteria)) return;
    if (await io.throttleFault(criteria)) return io.close("-ERR Server Unavailable. 21");
    const result = await authenticateXoauth2(io.ctx, "pop", b64);
    if (!result.ok) return this.refuse(criteria);
    this.mailbox = result.mailbox;
    this.claims = result.claims;
    // A POP session sees the Inbox as it was at login, oldest first.
    this.messages = [...state.mailboxOf(this.mailbox).inbox].sort((a, b) => a.uid - b.uid);
    io.reply("+OK User successfully authenticated.");
  }

  /** The failure, or (a challengeOnFailure fault) first the SASL error challenge, the failure after the client's answer. */
  refuse(criteria: FaultCriteria) {
    const challenge = this.io.failureChallenge(criteria);
    if (!challenge) return this.io.reply(AUTH_FAILED);
    this.challenged = true;
    this.io.reply(`+ ${challenge}`);
  }

  /** The client's answer to an error challenge: empty (RFC 7628's %x01 for OAUTHBEARER), `*`, or anything else, all end in failure. */
  afterChallenge(line: string) {
    this.challenged = false;
    this.io.reply(line.trim() === "*" ? "-ERR Authentication canceled." : AUTH_FAILED);
  }

  /** 1-based message number → message, unless deleted or out of range. */
  pick(arg: string | undefined): MailMessage | undefined {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1 || n > this.messages.length || this.deleted.has(n)) return undefined;
    return this.messages[n - 1];
  }

  live() {
    return this.messages.map((m, i) => ({ m, n: i + 1 })).filter((x) => !this.deleted.has(x.n));
  }
}

const uidl = (m: MailMessage) => graphId(m.id, "uidl").slice(0, 38).replace(/-/g, "+");
const replyAll = (s: PopSession, lines: string[]) => lines.forEach((l) => s.io.reply(l));
const invalidState: PopHandler = (s) => s.io.reply("-ERR Command is not valid in this state.");
const OUT_OF_RANGE = "-ERR The specified message is out of range.";

/** Commands valid in every state. */
const ANY_STATE: Record<string, PopHandler> = {
  CAPA: (s) => replyAll(s, ["+OK", "TOP", "UIDL", "SASL XOAUTH2", "USER", "."]),
  QUIT: (s) => {
    if (s.mailbox) {
      const box = s.io.ctx.state.mailboxOf(s.mailbox);
      const gone = new Set([...s.deleted].map((n) => s.messages[n - 1]?.id));
      box.inbox = box.inbox.filter((m) => !gone.has(m.id));
    }
    s.io.close("+OK Microsoft Exchange Server POP3 server signing off.");
  },
};

/** The AUTHORIZATION state. */
const AUTHORIZATION: Record<string, PopHandler> = {
  AUTH: (s, args, line) => {
    if (args.length === 0) return replyAll(s, ["+OK", "XOAUTH2", "."]);
    if (args[0]!.toUpperCase() !== "XOAUTH2") return s.io.reply(AUTH_FAILED);
    if (args[1] !== undefined) {
      if (Buffer.byteLength(line) > MAX_COMMAND_LINE) return s.io.close("-ERR Protocol error. Connection is closed. 10");
      return s.authenticate(args[1] === "=" ? "" : args[1]);
    }
    s.pendingAuth = true;
    s.io.reply("+ ");
  },
  USER: (s) => s.io.reply("+OK"),
  PASS: (s) => s.io.reply("-ERR Logon failure: unknown user name or bad password."),
};

function listOrUidl(s: PopSession, args: string[], _line: string, verb: string) {
  const value = (m: MailMessage) => (verb === "LIST" ? String(mimeSize(m)) : uidl(m));
  if (args[0] !== undefined) {
    const m = s.pick(args[0]);
    return s.io.reply(m ? `+OK ${args[0]} ${value(m)}` : OUT_OF_RANGE);
  }
  s.io.reply(verb === "LIST" ? `+OK ${s.live().length} messages` : "+OK");
  for (const x of s.live()) s.io.reply(`${x.n} ${value(x.m)}`);
  s.io.reply(".");
}

function retrOrTop(s: PopSession, args: string[], _line: string, verb: string) {
  const m = s.pick(args[0]);
  if (!m) return s.io.reply(OUT_OF_RANGE);
  let text = renderMime(m);
  if (verb === "TOP") {
    const lines = Number(args[1] ?? "0");
    const [head, body = ""] = text.split("\r\n\r\n");
    text = `${head}\r\n\r\n${body.split("\r\n").slice(0, Number.isInteger(lines) && lines >= 0 ? lines : 0).join("\r\n")}`;
  }
  s.io.reply(`+OK`);
  s.io.reply(dotStuff(text.replace(/\r\n$/, "")));
  s.io.reply(".");
}

/** The TRANSACTION state (before login: "not valid in this state"). */
const TRANSACTION: Record<string, PopHandler> = {
  STAT: (s) => {
    const items = s.live();
    s.io.reply(`+OK ${items.length} ${items.reduce((n, x) => n + mimeSize(x.m), 0)}`);
  },
  LIST: listOrUidl,
  UIDL: listOrUidl,
  RETR: retrOrTop,
  TOP: retrOrTop,
  DELE: (s, args) => {
    if (!s.pick(args[0])) return s.io.reply(OUT_OF_RANGE);
    s.deleted.add(Number(args[0]));
    s.io.reply("+OK");
  },
  RSET: (s) => {
    s.deleted.clear();
    s.io.reply("+OK");
  },
  NOOP: (s) => s.io.reply("+OK"),
};

export function createPopSession(io: MailIO): MailSession {
  const s = new PopSession(io);
  return {
    greet: () => io.reply(`+OK The Microsoft Exchange POP3 service is ready. [${GREETING_TAG}]`),
    idle: () => "-ERR Connection is closed. 13",
    line(line) {
      if (s.challenged) return s.afterChallenge(line);
      if (s.pendingAuth) {
        s.pendingAuth = false;
        return s.authenticate(line.trim());
      }
      // Past the token's expiry the next command ends the session (deletions are not applied, as without QUIT).
      if (sessionExpired(s.claims, io.ctx.state.now())) return io.close(`-ERR ${ACCESS_TOKEN_EXPIRED}`);
      const { verb, rest } = splitCommand(line.trim());
      const args = rest.split(/\s+/).filter(Boolean);
      const handler = ANY_STATE[verb] ?? (s.mailbox ? TRANSACTION : AUTHORIZATION)[verb];
      if (handler) return handler(s, args, line, verb);
      if ((s.mailbox ? AUTHORIZATION : TRANSACTION)[verb]) return invalidState(s, args, line, verb);
      io.reply("-ERR Protocol error. 14");
    },
  };
}
