import { GREETING_TAG, authenticateXoauth2, xoauth2Criteria } from "./mail-auth";
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

export function createPopSession(io: MailIO): MailSession {
  const { state } = io.ctx;
  let mailbox: User | undefined;
  let messages: MailMessage[] = [];
  const deleted = new Set<number>();
  let pendingAuth = false;

  async function authenticate(b64: string) {
    if (b64 === "*") return io.reply("-ERR Authentication canceled.");
    const criteria = xoauth2Criteria(state, "pop", b64);
    if (await io.networkFault(criteria)) return;
    if (await io.throttleFault(criteria)) return io.close("-ERR Server Unavailable. 21");
    const result = await authenticateXoauth2(io.ctx, "pop", b64);
    if (!result.ok) return io.reply(AUTH_FAILED);
    mailbox = result.mailbox;
    // A POP session sees the Inbox as it was at login, oldest first.
    messages = [...state.mailboxOf(mailbox).inbox].sort((a, b) => a.uid - b.uid);
    io.reply("+OK User successfully authenticated.");
  }

  /** 1-based message number → message, unless deleted or out of range. */
  function pick(arg: string | undefined): MailMessage | undefined {
    const n = Number(arg);
    if (!Number.isInteger(n) || n < 1 || n > messages.length || deleted.has(n)) return undefined;
    return messages[n - 1];
  }

  const live = () => messages.map((m, i) => ({ m, n: i + 1 })).filter((x) => !deleted.has(x.n));
  const uidl = (m: MailMessage) => graphId(m.id, "uidl").slice(0, 38).replace(/-/g, "+");

  return {
    greet: () => io.reply(`+OK The Microsoft Exchange POP3 service is ready. [${GREETING_TAG}]`),
    idle: () => "-ERR Connection is closed. 13",
    async line(line) {
      if (pendingAuth) {
        pendingAuth = false;
        return authenticate(line.trim());
      }
      const { verb, rest } = splitCommand(line.trim());
      const args = rest.split(/\s+/).filter(Boolean);

      if (verb === "CAPA") {
        for (const l of ["+OK", "TOP", "UIDL", "SASL XOAUTH2", "USER", "."]) io.reply(l);
        return;
      }
      if (verb === "QUIT") {
        if (mailbox) {
          const box = state.mailboxOf(mailbox);
          const gone = new Set([...deleted].map((n) => messages[n - 1]?.id));
          box.inbox = box.inbox.filter((m) => !gone.has(m.id));
        }
        return io.close("+OK Microsoft Exchange Server POP3 server signing off.");
      }
      if (verb === "NOOP" && mailbox) return io.reply("+OK");

      if (!mailbox) {
        switch (verb) {
          case "AUTH": {
            if (args.length === 0) {
              for (const l of ["+OK", "XOAUTH2", "."]) io.reply(l);
              return;
            }
            if (args[0]!.toUpperCase() !== "XOAUTH2") return io.reply(AUTH_FAILED);
            if (args[1] !== undefined) {
              if (Buffer.byteLength(line) > MAX_COMMAND_LINE) return io.close("-ERR Protocol error. Connection is closed. 10");
              return authenticate(args[1] === "=" ? "" : args[1]);
            }
            pendingAuth = true;
            return io.reply("+ ");
          }
          case "USER":
            return io.reply("+OK");
          case "PASS":
            return io.reply("-ERR Logon failure: unknown user name or bad password.");
          case "STAT":
          case "LIST":
          case "UIDL":
          case "RETR":
          case "TOP":
          case "DELE":
          case "RSET":
          case "NOOP":
            return io.reply("-ERR Command is not valid in this state.");
        }
        return io.reply("-ERR Protocol error. 14");
      }

      switch (verb) {
        case "STAT": {
          const items = live();
          return io.reply(`+OK ${items.length} ${items.reduce((n, x) => n + mimeSize(x.m), 0)}`);
        }
        case "LIST":
        case "UIDL": {
          const value = (m: MailMessage) => (verb === "LIST" ? String(mimeSize(m)) : uidl(m));
          if (args[0] !== undefined) {
            const m = pick(args[0]);
            return io.reply(m ? `+OK ${args[0]} ${value(m)}` : "-ERR The specified message is out of range.");
          }
          io.reply(verb === "LIST" ? `+OK ${live().length} messages` : "+OK");
          for (const x of live()) io.reply(`${x.n} ${value(x.m)}`);
          return io.reply(".");
        }
        case "RETR":
        case "TOP": {
          const m = pick(args[0]);
          if (!m) return io.reply("-ERR The specified message is out of range.");
          let text = renderMime(m);
          if (verb === "TOP") {
            const lines = Number(args[1] ?? "0");
            const [head, body = ""] = text.split("\r\n\r\n");
            text = `${head}\r\n\r\n${body.split("\r\n").slice(0, Number.isInteger(lines) && lines >= 0 ? lines : 0).join("\r\n")}`;
          }
          io.reply(`+OK`);
          io.reply(dotStuff(text.replace(/\r\n$/, "")));
          return io.reply(".");
        }
        case "DELE": {
          if (!pick(args[0])) return io.reply("-ERR The specified message is out of range.");
          deleted.add(Number(args[0]));
          return io.reply("+OK");
        }
        case "RSET":
          deleted.clear();
          return io.reply("+OK");
        case "AUTH":
        case "USER":
        case "PASS":
          return io.reply("-ERR Command is not valid in this state.");
      }
      io.reply("-ERR Protocol error. 14");
    },
  };
}
