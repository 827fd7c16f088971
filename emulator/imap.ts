import { GREETING_TAG, authenticateXoauth2, xoauth2Criteria } from "./mail-auth";
import type { MailIO, MailSession } from "./mail-server";
import type { MailMessage } from "./mailbox";
import type { User } from "./state";

/**
 * Exchange Online's IMAP4 front end (outlook.office365.com:993) for OAuth clients: TLS from the first byte,
 * `AUTH=XOAUTH2` only (LOGIN disabled), AUTHENTICATE with or without an initial response, then enough of the
 * authenticated state to select the Inbox and read its count. Replies use Exchange's texts.
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
const NOT_IMPLEMENTED = new Set(["FETCH", "SEARCH", "STORE", "COPY", "MOVE", "EXPUNGE", "APPEND", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "CHECK", "UID", "ENABLE", "GETQUOTAROOT"]);

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

export function createImapSession(io: MailIO): MailSession {
  const { state } = io.ctx;
  let mailbox: User | undefined;
  let selected: string | undefined;
  /** A throttle fault: AUTHENTICATE succeeded, but Exchange's backend is "not connected". */
  let notConnected = false;
  let pending: { kind: "authenticate" | "idle"; tag: string } | undefined;

  const messagesOf = (folderName: string): MailMessage[] => {
    const folder = findFolder(folderName);
    if (!mailbox || !folder?.store) return [];
    return [...state.mailboxOf(mailbox)[folder.store]].sort((a, b) => a.uid - b.uid);
  };

  async function authenticate(tag: string, b64: string) {
    if (b64 === "*") return io.reply(`${tag} BAD AUTHENTICATE aborted.`);
    const criteria = xoauth2Criteria(state, "imap", b64);
    if (await io.networkFault(criteria)) return;
    const throttled = await io.throttleFault(criteria);
    const result = await authenticateXoauth2(io.ctx, "imap", b64);
    if (!result.ok) return io.reply(`${tag} NO AUTHENTICATE failed.`);
    mailbox = result.mailbox;
    notConnected = throttled;
    io.reply(`${tag} OK AUTHENTICATE completed.`);
  }

  function select(tag: string, verb: string, name: string | undefined) {
    const folder = name === undefined ? undefined : findFolder(name);
    if (!folder) {
      selected = undefined;
      return io.reply(`${tag} NO ${verb === "EXAMINE" ? "EXAMINE" : "SELECT"} failed: the requested folder does not exist.`);
    }
    const box = mailbox ? state.mailboxOf(mailbox) : undefined;
    const messages = messagesOf(folder.name);
    const firstUnseen = messages.findIndex((m) => !m.isRead);
    selected = folder.name;
    io.reply(`* ${messages.length} EXISTS`);
    io.reply("* 0 RECENT");
    io.reply(`* FLAGS ${FLAGS}`);
    io.reply(`* OK [PERMANENTFLAGS ${FLAGS}] Permanent flags`);
    if (firstUnseen >= 0) io.reply(`* OK [UNSEEN ${firstUnseen + 1}] Is the first unseen message`);
    io.reply(`* OK [UIDVALIDITY ${box?.uidValidity ?? 1}] UIDVALIDITY value`);
    io.reply(`* OK [UIDNEXT ${box?.nextUid ?? 1}] The next unique identifier value`);
    io.reply(verb === "EXAMINE" ? `${tag} OK [READ-ONLY] EXAMINE completed.` : `${tag} OK [READ-WRITE] SELECT completed.`);
  }

  function list(tag: string, verb: string, args: string[]) {
    const [reference = "", pattern = ""] = args;
    if (pattern === "") {
      io.reply(`* ${verb} (\\Noselect \\HasChildren) "/" ""`);
    } else {
      const re = globToRegExp(reference + pattern);
      for (const f of FOLDERS.filter((x) => re.test(x.name))) io.reply(`* ${verb} (${f.attributes}) "/" ${quote(f.name)}`);
    }
    io.reply(`${tag} OK ${verb} completed.`);
  }

  function status(tag: string, args: string[]) {
    const [name, items = ""] = args;
    const folder = name === undefined ? undefined : findFolder(name);
    if (!folder) return io.reply(`${tag} NO STATUS failed: the requested folder does not exist.`);
    const box = mailbox ? state.mailboxOf(mailbox) : undefined;
    const messages = messagesOf(folder.name);
    const values: Record<string, number> = {
      MESSAGES: messages.length,
      RECENT: 0,
      UIDNEXT: box?.nextUid ?? 1,
      UIDVALIDITY: box?.uidValidity ?? 1,
      UNSEEN: messages.filter((m) => !m.isRead).length,
    };
    const wanted = items.replace(/[()]/g, "").split(/\s+/).filter(Boolean).map((s) => s.toUpperCase());
    const parts = wanted.filter((w) => w in values).map((w) => `${w} ${values[w]}`);
    io.reply(`* STATUS ${quote(folder.name)} (${parts.join(" ")})`);
    io.reply(`${tag} OK STATUS completed.`);
  }

  return {
    greet: () => io.reply(`* OK The Microsoft Exchange IMAP4 service is ready. [${GREETING_TAG}]`),
    idle: () => "* BYE Connection is closed. 13",
    async line(line) {
      if (pending?.kind === "authenticate") {
        const { tag } = pending;
        pending = undefined;
        return authenticate(tag, line.trim());
      }
      if (pending?.kind === "idle") {
        if (line.trim().toUpperCase() === "DONE") io.reply(`${pending.tag} OK IDLE completed.`);
        pending = undefined;
        return;
      }
      const m = /^(\S+)\s+(\S+)\s?(.*)$/.exec(line);
      if (!m) return io.reply(`${line.split(" ")[0] || "*"} BAD Command Error. 10`);
      const tag = m[1]!;
      const verb = m[2]!.toUpperCase();
      const rest = m[3] ?? "";
      // Literals ({n}) are not needed by OAuth clients for Exchange's folder names.
      if (/\{\d+\+?\}$/.test(rest)) return io.reply(`${tag} BAD Command Argument Error. 11`);
      const args = imapArgs(rest);

      switch (verb) {
        case "CAPABILITY":
          io.reply(`* CAPABILITY ${mailbox ? CAPABILITY_AFTER : CAPABILITY_BEFORE}`);
          return io.reply(`${tag} OK CAPABILITY completed.`);
        case "NOOP":
          return io.reply(`${tag} OK NOOP completed.`);
        case "ID":
          io.reply('* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")');
          return io.reply(`${tag} OK ID completed.`);
        case "LOGOUT":
          io.reply("* BYE Microsoft Exchange Server IMAP4 server signing off.");
          return io.close(`${tag} OK LOGOUT completed.`);
        case "STARTTLS":
          return io.reply(`${tag} BAD Command received in Invalid state.`);
      }

      if (!mailbox) {
        if (verb === "LOGIN") return io.reply(`${tag} NO LOGIN failed.`);
        if (verb === "AUTHENTICATE") {
          const mechanism = (args[0] ?? "").toUpperCase();
          if (mechanism !== "XOAUTH2") return io.reply(`${tag} NO AUTHENTICATE failed.`);
          if (args[1] !== undefined) return authenticate(tag, args[1] === "=" ? "" : args[1]);
          pending = { kind: "authenticate", tag };
          return io.reply("+ ");
        }
        if (["SELECT", "EXAMINE", "LIST", "LSUB", "STATUS", "NAMESPACE", "IDLE", "CLOSE", "UNSELECT"].includes(verb) || NOT_IMPLEMENTED.has(verb)) {
          return io.reply(`${tag} BAD Command received in Invalid state.`);
        }
        return io.reply(`${tag} BAD Command Error. 10`);
      }

      if (verb === "LOGIN" || verb === "AUTHENTICATE") return io.reply(`${tag} BAD Command received in Invalid state.`);
      if (notConnected && verb !== "NAMESPACE") return io.reply(`${tag} BAD User is authenticated but not connected.`);
      switch (verb) {
        case "SELECT":
        case "EXAMINE":
          return select(tag, verb, args[0]);
        case "LIST":
        case "LSUB":
          return list(tag, verb, args);
        case "STATUS":
          return status(tag, args);
        case "NAMESPACE":
          io.reply('* NAMESPACE (("" "/")) NIL NIL');
          return io.reply(`${tag} OK NAMESPACE completed.`);
        case "IDLE":
          pending = { kind: "idle", tag };
          return io.reply("+ IDLE accepted, awaiting DONE command.");
        case "CLOSE":
        case "UNSELECT":
          if (!selected) return io.reply(`${tag} BAD Command received in Invalid state.`);
          selected = undefined;
          return io.reply(`${tag} OK ${verb} completed.`);
      }
      if (NOT_IMPLEMENTED.has(verb)) return io.reply(`${tag} NO [CANNOT] The Mailgrant emulator does not implement ${verb}.`);
      io.reply(`${tag} BAD Command Error. 10`);
    },
  };
}
