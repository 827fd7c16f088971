import type { AccessClaims } from "./access-token";
import { ARGUMENT_ERROR, fetch, search, store, type SelectedFolder } from "./imap-fetch";
import { ACCESS_TOKEN_EXPIRED, GREETING_TAG, authenticateXoauth2, sessionExpired, xoauth2Criteria } from "./mail-auth";
import type { MailIO, MailSession } from "./mail-server";
import type { MailMessage } from "./mailbox";
import type { User } from "./state";

/**
 * Exchange Online's IMAP4 front end (outlook.office365.com:993) for OAuth clients: TLS from the first byte,
 * `AUTH=XOAUTH2` only (LOGIN disabled), AUTHENTICATE with or without an initial response, then enough of the
 * authenticated state to select a folder and read its mail (FETCH, SEARCH, STORE in imap-fetch.ts). Replies use
 * Exchange's texts.
 */
const CAPABILITY_BEFORE = "IMAP4 IMAP4rev1 AUTH=XOAUTH2 SASL-IR ID UNSELECT CHILDREN IDLE NAMESPACE LOGINDISABLED";
const CAPABILITY_AFTER = "IMAP4 IMAP4rev1 AUTH=XOAUTH2 SASL-IR ID UNSELECT CHILDREN IDLE NAMESPACE";
const FLAGS = "(\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)";

/** Exchange's folders as IMAP shows them: name, LIST attributes, and which stored folder backs them. */
const FOLDERS: { name: string; attributes: string; store?: "inbox" | "sentItems" }[] = [
  { name: "Archive", attributes: "\\HasNoChildren \\Archive" },
  { name: "Deleted Items", attributes: "\\HasNoChildren \\Trash" },
  { name: "Drafts", attributes: "\\HasNoChildren \\Drafts" },
  { name: "INBOX", attributes: "\\Marked \\HasNoChildren", store: "inbox" },
  { name: "Junk Email", attributes: "\\HasNoChildren \\Junk" },
  { name: "Outbox", attributes: "\\HasNoChildren" },
  { name: "Sent Items", attributes: "\\HasNoChildren \\Sent", store: "sentItems" },
];

/** IMAP commands Exchange knows that the emulator doesn't answer (they get an honest NO, not "Command Error"). */
const NOT_IMPLEMENTED = new Set(["COPY", "MOVE", "EXPUNGE", "APPEND", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "CHECK", "ENABLE", "GETQUOTAROOT"]);

function findFolder(name: string) {
  const key = name.toLowerCase();
  return FOLDERS.find((f) => f.name.toLowerCase() === key);
}

const quote = (name: string) => (/[\s"\\()]/.test(name) || name === "" ? `"${name.replace(/(["\\])/g, "\\$1")}"` : name);

/** Splits IMAP arguments: atoms, "quoted strings" (unescaped) and (parenthesized lists) kept whole. */
export function imapArgs(rest: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < rest.length) {
    const ch = rest[i];
    if (ch === " ") {
      i += 1;
    } else if (ch === '"') {
      let value = "";
      i += 1;
      while (i < rest.length && rest[i] !== '"') {
        if (rest[i] === "\\") i += 1;
        value += rest[i] ?? "";
        i += 1;
      }
      i += 1;
      out.push(value);
    } else if (ch === "(") {
      let depth = 0;
      let j = i;
      for (; j < rest.length; j += 1) {
        if (rest[j] === "(") depth += 1;
        if (rest[j] === ")" && --depth === 0) break;
      }
      out.push(rest.slice(i, j + 1));
      i = j + 1;
    } else {
      let j = i;
      while (j < rest.length && rest[j] !== " ") j += 1;
      out.push(rest.slice(i, j));
      i = j;
    }
  }
  return out;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/%/g, "[^/]*");
  return new RegExp(`^${body}$`, "i");
}

interface ImapCommand {
  tag: string;
  verb: string;
  args: string[];
  /** The arguments as sent (FETCH items and sets need more than imapArgs' split). */
  rest: string;
}
type ImapHandler = (s: ImapSession, c: ImapCommand) => void | Promise<void>;

/** One client's conversation: who is signed in, what is selected, and a continuation being awaited. */
class ImapSession {
  mailbox: User | undefined;
  /** The token the session signed in with: when it expires, so does the session. */
  claims: AccessClaims | undefined;
  selected: string | undefined;
  /** The message count the client was last told (`* n EXISTS`) for the selected folder. */
  exists = 0;
  readOnly = false;
  /** A throttle fault: AUTHENTICATE succeeded, but Exchange's backend is "not connected". */
  notConnected = false;
  pending: { kind: "authenticate" | "idle" | "challenged"; tag: string } | undefined;

  constructor(readonly io: MailIO) {}

  get state() {
    return this.io.ctx.state;
  }

  messagesOf(folderName: string): MailMessage[] {
    const folder = findFolder(folderName);
    if (!this.mailbox || !folder?.store) return [];
    return [...this.state.mailboxOf(this.mailbox)[folder.store]].sort((a, b) => a.uid - b.uid);
  }

  async authenticate(tag: string, b64: string) {
    const { io, state } = this;
    if (b64 === "*") return io.reply(`${tag} BAD AUTHENTICATE aborted.`);
    const criteria = xoauth2Criteria(state, "imap", b64);
    if (await io.networkFault(criteria)) return;
    const throttled = await io.throttleFault(criteria);
    const result = await authenticateXoauth2(io.ctx, "imap", b64);
    if (!result.ok) {
      // A challengeOnFailure fault: the SASL error challenge first, NO after the client's (empty) answer.
      const challenge = io.failureChallenge(criteria);
      if (!challenge) return io.reply(`${tag} NO AUTHENTICATE failed.`);
      this.pending = { kind: "challenged", tag };
      return io.reply(`+ ${challenge}`);
    }
    this.mailbox = result.mailbox;
    this.claims = result.claims;
    this.notConnected = throttled;
    io.reply(`${tag} OK AUTHENTICATE completed.`);
  }
}

const ok = (s: ImapSession, { tag, verb }: ImapCommand) => s.io.reply(`${tag} OK ${verb} completed.`);

/** Commands valid in every state. */
const ANY_STATE: Record<string, ImapHandler> = {
  CAPABILITY: (s, c) => {
    s.io.reply(`* CAPABILITY ${s.mailbox ? CAPABILITY_AFTER : CAPABILITY_BEFORE}`);
    ok(s, c);
  },
  NOOP: ok,
  ID: (s, c) => {
    s.io.reply('* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")');
    ok(s, c);
  },
  LOGOUT: (s, { tag }) => {
    s.io.reply("* BYE Microsoft Exchange Server IMAP4 server signing off.");
    s.io.close(`${tag} OK LOGOUT completed.`);
  },
  STARTTLS: (s, { tag }) => s.io.reply(`${tag} BAD Command received in Invalid state.`),
};

/** Commands of the not-authenticated state (elsewhere: "Invalid state"). */
const NOT_AUTHENTICATED: Record<string, ImapHandler> = {
  LOGIN: (s, { tag }) => s.io.reply(`${tag} NO LOGIN failed.`),
  AUTHENTICATE: (s, { tag, args }) => {
    const mechanism = (args[0] ?? "").toUpperCase();
    if (mechanism !== "XOAUTH2") return s.io.reply(`${tag} NO AUTHENTICATE failed.`);
    if (args[1] !== undefined) return s.authenticate(tag, args[1] === "=" ? "" : args[1]);
    s.pending = { kind: "authenticate", tag };
    s.io.reply("+ ");
  },
};

function select(s: ImapSession, { tag, verb, args }: ImapCommand) {
  const { io, state } = s;
  const name = args[0];
  const folder = name === undefined ? undefined : findFolder(name);
  if (!folder) {
    s.selected = undefined;
    return io.reply(`${tag} NO ${verb === "EXAMINE" ? "EXAMINE" : "SELECT"} failed: the requested folder does not exist.`);
  }
  const box = s.mailbox ? state.mailboxOf(s.mailbox) : undefined;
  const messages = s.messagesOf(folder.name);
  const firstUnseen = messages.findIndex((m) => !m.isRead);
  s.selected = folder.name;
  s.exists = messages.length;
  s.readOnly = verb === "EXAMINE";
  io.reply(`* ${messages.length} EXISTS`);
  io.reply("* 0 RECENT");
  io.reply(`* FLAGS ${FLAGS}`);
  io.reply(`* OK [PERMANENTFLAGS ${FLAGS}] Permanent flags`);
  if (firstUnseen >= 0) io.reply(`* OK [UNSEEN ${firstUnseen + 1}] Is the first unseen message`);
  io.reply(`* OK [UIDVALIDITY ${box?.uidValidity ?? 1}] UIDVALIDITY value`);
  io.reply(`* OK [UIDNEXT ${box?.nextUid ?? 1}] The next unique identifier value`);
  io.reply(verb === "EXAMINE" ? `${tag} OK [READ-ONLY] EXAMINE completed.` : `${tag} OK [READ-WRITE] SELECT completed.`);
}

function list(s: ImapSession, c: ImapCommand) {
  const [reference = "", pattern = ""] = c.args;
  if (pattern === "") {
    s.io.reply(`* ${c.verb} (\\Noselect \\HasChildren) "/" ""`);
  } else {
    const re = globToRegExp(reference + pattern);
    for (const f of FOLDERS.filter((x) => re.test(x.name))) s.io.reply(`* ${c.verb} (${f.attributes}) "/" ${quote(f.name)}`);
  }
  ok(s, c);
}

function status(s: ImapSession, c: ImapCommand) {
  const [name, items = ""] = c.args;
  const folder = name === undefined ? undefined : findFolder(name);
  if (!folder) return s.io.reply(`${c.tag} NO STATUS failed: the requested folder does not exist.`);
  const box = s.mailbox ? s.state.mailboxOf(s.mailbox) : undefined;
  const messages = s.messagesOf(folder.name);
  const values: Record<string, number> = {
    MESSAGES: messages.length,
    RECENT: 0,
    UIDNEXT: box?.nextUid ?? 1,
    UIDVALIDITY: box?.uidValidity ?? 1,
    UNSEEN: messages.filter((m) => !m.isRead).length,
  };
  const wanted = items.replace(/[()]/g, "").split(/\s+/).filter(Boolean).map((w) => w.toUpperCase());
  const parts = wanted.filter((w) => w in values).map((w) => `${w} ${values[w]}`);
  s.io.reply(`* STATUS ${quote(folder.name)} (${parts.join(" ")})`);
  ok(s, c);
}

function unselect(s: ImapSession, c: ImapCommand) {
  if (!s.selected) return s.io.reply(`${c.tag} BAD Command received in Invalid state.`);
  s.selected = undefined;
  ok(s, c);
}

/** FETCH, STORE, SEARCH on the selected folder (without one: "Invalid state"). */
const SELECTED: Record<string, (f: SelectedFolder, tag: string, args: string, uid: boolean) => void> = { FETCH: fetch, STORE: store, SEARCH: search };

function selectedFolder(s: ImapSession): SelectedFolder | undefined {
  return s.selected ? { io: s.io, messages: s.messagesOf(s.selected), readOnly: s.readOnly } : undefined;
}

function selectedCommand(s: ImapSession, { tag, verb, rest }: ImapCommand) {
  const folder = selectedFolder(s);
  if (!folder) return s.io.reply(`${tag} BAD Command received in Invalid state.`);
  SELECTED[verb]!(folder, tag, rest, false);
}

/** `UID FETCH|STORE|SEARCH …` (UID COPY, MOVE, EXPUNGE: not implemented). */
function uidCommand(s: ImapSession, { tag, rest }: ImapCommand) {
  const m = /^(\S+)\s*(.*)$/.exec(rest);
  const sub = (m?.[1] ?? "").toUpperCase();
  const handler = SELECTED[sub];
  if (!handler) {
    if (["COPY", "MOVE", "EXPUNGE"].includes(sub)) return s.io.reply(`${tag} NO [CANNOT] The Mailgrant emulator does not implement UID ${sub}.`);
    return s.io.reply(`${tag} ${ARGUMENT_ERROR}`);
  }
  const folder = selectedFolder(s);
  if (!folder) return s.io.reply(`${tag} BAD Command received in Invalid state.`);
  handler(folder, tag, m?.[2] ?? "", true);
}

/** Commands of the authenticated state (before it: "Invalid state"). */
const AUTHENTICATED: Record<string, ImapHandler> = {
  SELECT: select,
  EXAMINE: select,
  LIST: list,
  LSUB: list,
  STATUS: status,
  NAMESPACE: (s, c) => {
    s.io.reply('* NAMESPACE (("" "/")) NIL NIL');
    ok(s, c);
  },
  IDLE: (s, { tag }) => {
    s.pending = { kind: "idle", tag };
    s.io.reply("+ IDLE accepted, awaiting DONE command.");
    announceNewMail(s);
  },
  CLOSE: unselect,
  UNSELECT: unselect,
  FETCH: selectedCommand,
  STORE: selectedCommand,
  SEARCH: selectedCommand,
  UID: uidCommand,
};

/**
 * Mail delivered to the selected folder since the client last heard (an SMTP or Graph send) is announced with
 * `* n EXISTS` before the next command's answer, so sequence numbers and `*` stay what the client thinks they are.
 * Messages only ever arrive with higher UIDs; a POP DELE from another session is not announced as EXPUNGE.
 */
function announceNewMail(s: ImapSession) {
  if (!s.selected) return;
  const count = s.messagesOf(s.selected).length;
  if (count > s.exists) s.io.reply(`* ${count} EXISTS`);
  s.exists = count;
}

/** What follows a `+` continuation: the AUTHENTICATE payload, the answer to an error challenge, or IDLE's DONE. */
function continuation(s: ImapSession, line: string): void | Promise<void> {
  const pending = s.pending!;
  if (pending.kind === "idle" && expire(s)) return;
  s.pending = undefined;
  if (pending.kind === "authenticate") return s.authenticate(pending.tag, line.trim());
  // The answer to an error challenge: `*` cancels (RFC 3501 §6.2.2); empty, or anything else, ends in NO.
  if (pending.kind === "challenged") return s.io.reply(line.trim() === "*" ? `${pending.tag} BAD AUTHENTICATE aborted.` : `${pending.tag} NO AUTHENTICATE failed.`);
  if (line.trim().toUpperCase() === "DONE") s.io.reply(`${pending.tag} OK IDLE completed.`);
}

function dispatch(s: ImapSession, c: ImapCommand): void | Promise<void> {
  const { tag, verb } = c;
  if (!["SELECT", "EXAMINE", "IDLE", "LOGOUT"].includes(verb)) announceNewMail(s);
  const any = ANY_STATE[verb];
  if (any) return any(s, c);
  if (!s.mailbox) {
    const handler = NOT_AUTHENTICATED[verb];
    if (handler) return handler(s, c);
    if (AUTHENTICATED[verb] || NOT_IMPLEMENTED.has(verb)) return s.io.reply(`${tag} BAD Command received in Invalid state.`);
    return s.io.reply(`${tag} BAD Command Error. 10`);
  }
  if (NOT_AUTHENTICATED[verb]) return s.io.reply(`${tag} BAD Command received in Invalid state.`);
  if (s.notConnected && verb !== "NAMESPACE") return s.io.reply(`${tag} BAD User is authenticated but not connected.`);
  const handler = AUTHENTICATED[verb];
  if (handler) return handler(s, c);
  if (NOT_IMPLEMENTED.has(verb)) return s.io.reply(`${tag} NO [CANNOT] The Mailgrant emulator does not implement ${verb}.`);
  s.io.reply(`${tag} BAD Command Error. 10`);
}

/** A session past its token's expiry ends at its next command, as Exchange Online does. */
function expire(s: ImapSession): boolean {
  if (!sessionExpired(s.claims, s.state.now())) return false;
  s.io.close(`* BYE ${ACCESS_TOKEN_EXPIRED}`);
  return true;
}

export function createImapSession(io: MailIO): MailSession {
  const s = new ImapSession(io);
  return {
    greet: () => io.reply(`* OK The Microsoft Exchange IMAP4 service is ready. [${GREETING_TAG}]`),
    idle: () => "* BYE Connection is closed. 13",
    line(line) {
      if (s.pending) return continuation(s, line);
      const m = /^(\S+)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m) return io.reply(`${line.split(" ")[0] || "*"} BAD Command Error. 10`);
      const tag = m[1]!;
      const rest = m[3] ?? "";
      if (expire(s)) return;
      // Literals ({n}) are not needed by OAuth clients for Exchange's folder names.
      if (/\{\d+\+?\}$/.test(rest)) return io.reply(`${tag} BAD Command Argument Error. 11`);
      return dispatch(s, { tag, verb: m[2]!.toUpperCase(), args: imapArgs(rest), rest });
    },
  };
}
