import type { AccessClaims } from "./access-token";
import type { FaultCriteria } from "./faults";
import { EXCHANGE_SERVER, authenticateXoauth2, smtpDiagnostic, xoauth2Criteria } from "./mail-auth";
import { splitCommand, type MailIO, type MailSession } from "./mail-server";
import { parseAddressList, parseMime, type MailAddress } from "./mailbox";
import type { User } from "./state";

/**
 * Exchange Online's client submission (smtp.office365.com:587): plain text first with STARTTLS, `AUTH LOGIN
 * XOAUTH2` after it, XOAUTH2 on the AUTH line (as nodemailer sends it) or after `334`, then MAIL/RCPT/DATA into the
 * emulator's outbox. Refusals carry Exchange's codes and `[server timestamp id]` diagnostics.
 */
const MAX_MESSAGE_BYTES = 35 * 1024 * 1024;

function smtpDate(ms: number): string {
  const d = new Date(ms);
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const pathArg = (rest: string, keyword: "FROM" | "TO") => new RegExp(`^${keyword}:\\s*<([^>]*)>`, "i").exec(rest.trim())?.[1];

export function createSmtpSession(io: MailIO): MailSession {
  const { state } = io.ctx;
  const diag = () => smtpDiagnostic(state.now());
  let helo: string | undefined;
  let auth: { mailbox: User; claims: AccessClaims; criteria: FaultCriteria } | undefined;
  let from: string | undefined;
  let rcpts: string[] = [];
  let data: string[] | undefined;
  let dataBytes = 0;
  let pending: "xoauth2" | "login-user" | "login-pass" | undefined;
  let loginUser = "";

  const resetTransaction = () => {
    from = undefined;
    rcpts = [];
    data = undefined;
    dataBytes = 0;
  };

  function ehlo() {
    const lines = [
      `${EXCHANGE_SERVER} Hello [${io.remoteAddress}]`,
      "SIZE 157286400",
      "PIPELINING",
      "DSN",
      "ENHANCEDSTATUSCODES",
      ...(io.secure ? ["AUTH LOGIN XOAUTH2"] : ["STARTTLS"]),
      "8BITMIME",
      "SMTPUTF8",
    ];
    lines.forEach((l, i) => io.reply(`250${i === lines.length - 1 ? " " : "-"}${l}`));
  }

  async function xoauth2(b64: string) {
    if (b64 === "*") return io.reply("501 5.0.0 Authentication aborted");
    const criteria = xoauth2Criteria(state, "smtp", b64);
    if (await io.networkFault(criteria)) return;
    const result = await authenticateXoauth2(io.ctx, "smtp", b64);
    if (!result.ok) {
      if (result.failure === "smtpAuthDisabledForTenant" || result.failure === "smtpAuthDisabledForMailbox") {
        const scope = result.failure === "smtpAuthDisabledForTenant" ? "Tenant" : "Mailbox";
        return io.reply(`535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${scope}. Visit https://aka.ms/smtp_auth_disabled for more information. ${diag()}`);
      }
      return io.reply(`535 5.7.3 Authentication unsuccessful ${diag()}`);
    }
    auth = { mailbox: result.mailbox, claims: result.claims, criteria };
    io.reply("235 2.7.0 Authentication successful");
  }

  /** Basic auth (AUTH LOGIN) never works against the emulator, as with security defaults or Basic auth retired. */
  function loginFailed() {
    const mailbox = state.findMailboxUser(loginUser);
    const disabled = mailbox ? state.smtpAuthDisabledFor(mailbox) : null;
    state.logMailAuth({ protocol: "smtp", user: loginUser, ok: false, reason: "basicAuth" });
    if (disabled) {
      return io.reply(`535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${disabled}. Visit https://aka.ms/smtp_auth_disabled for more information. ${diag()}`);
    }
    io.reply(`535 5.7.3 Authentication unsuccessful ${diag()}`);
  }

  async function finishData(lines: string[], sender: string, recipients: string[]) {
    const session = auth!;
    const text = lines.join("\r\n");
    const { headers, body } = parseMime(text);
    const mailbox = session.mailbox;
    const own = new Set([mailbox.mail.toLowerCase(), mailbox.upn.toLowerCase()]);
    const headerFrom = parseAddressList(headers.get("from") ?? "")[0]?.address;
    const impostor = [sender, headerFrom].find((a) => a !== undefined && a !== "" && !own.has(a.toLowerCase()));
    if (impostor) {
      const who = session.claims.upn ?? session.claims.appid;
      return io.reply(
        `554 5.2.252 SendAsDenied; ${who} not allowed to send as ${impostor}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. ${diag()}`,
      );
    }
    if (await io.throttleFault(session.criteria)) return io.reply(`432 4.3.2 STOREDRV.ClientSubmit; sender thread limit exceeded [Hostname=${EXCHANGE_SERVER}]`);
    const to = parseAddressList(headers.get("to") ?? "");
    const cc = parseAddressList(headers.get("cc") ?? "");
    const listed = new Set([...to, ...cc].map((a) => a.address.toLowerCase()));
    const bcc: MailAddress[] = recipients.filter((r) => !listed.has(r.toLowerCase())).map((address) => ({ name: "", address }));
    const messageId = headers.get("message-id");
    const sent = state.recordSent({
      via: "smtp",
      mailbox,
      sentBy: session.claims.kind === "app" ? session.claims.appid : (session.claims.upn ?? session.claims.oid),
      from: { name: mailbox.displayName, address: mailbox.mail },
      to: to.length || cc.length ? to : recipients.map((address) => ({ name: "", address })),
      cc,
      bcc: to.length || cc.length ? bcc : [],
      subject: headers.get("subject") ?? "",
      body: body.trimEnd(),
      ...(messageId ? { internetMessageId: messageId } : {}),
      // Exchange keeps a copy of SMTP AUTH submissions in Sent Items.
      saveToSentItems: true,
    });
    io.reply(`250 2.0.0 OK ${sent.internetMessageId} [Hostname=${EXCHANGE_SERVER}]`);
  }

  return {
    greet: () => io.reply(`220 ${EXCHANGE_SERVER} Microsoft ESMTP MAIL Service ready at ${smtpDate(state.now())}`),
    idle: () => `451 4.7.0 Timeout waiting for client input [${EXCHANGE_SERVER}]`,
    async line(line) {
      if (data) {
        if (line === ".") {
          const [lines, sender, recipients] = [data, from ?? "", rcpts];
          data = undefined;
          await finishData(lines, sender, recipients);
          return resetTransaction();
        }
        dataBytes += Buffer.byteLength(line) + 2;
        if (dataBytes > MAX_MESSAGE_BYTES) {
          resetTransaction();
          return io.close("552 5.3.4 Message size exceeds fixed maximum message size");
        }
        data.push(line.startsWith(".") ? line.slice(1) : line);
        return;
      }
      if (pending) {
        const step = pending;
        pending = undefined;
        if (step === "xoauth2") return xoauth2(line.trim());
        if (line.trim() === "*") return io.reply("501 5.0.0 Authentication aborted");
        if (step === "login-user") {
          loginUser = Buffer.from(line.trim(), "base64").toString("utf8");
          pending = "login-pass";
          return io.reply("334 UGFzc3dvcmQ6");
        }
        return loginFailed();
      }

      const { verb, rest } = splitCommand(line.trim());
      switch (verb) {
        case "EHLO":
          helo = rest.trim() || "unknown";
          resetTransaction();
          return ehlo();
        case "HELO":
          helo = rest.trim() || "unknown";
          resetTransaction();
          return io.reply(`250 ${EXCHANGE_SERVER} Hello [${io.remoteAddress}]`);
        case "NOOP":
          return io.reply("250 2.0.0 OK");
        case "RSET":
          resetTransaction();
          return io.reply("250 2.0.0 Resetting");
        case "QUIT":
          return io.close("221 2.0.0 Service closing transmission channel");
        case "VRFY":
          return io.reply("252 2.1.5 Cannot VRFY user");
        case "STARTTLS":
          if (!helo) return io.reply("503 5.5.2 Send hello first");
          if (io.secure) return io.reply("503 5.5.1 Bad sequence of commands");
          await io.startTls("220 2.0.0 SMTP server ready");
          helo = undefined;
          return resetTransaction();
        case "AUTH": {
          if (!helo) return io.reply("503 5.5.2 Send hello first");
          if (auth) return io.reply("503 5.5.1 Already authenticated");
          const [mechanism = "", initial] = rest.trim().split(/\s+/);
          const mech = mechanism.toUpperCase();
          if (!io.secure || (mech !== "XOAUTH2" && mech !== "LOGIN")) return io.reply(`504 5.7.4 Unrecognized authentication type ${diag()}`);
          if (mech === "LOGIN") {
            if (initial !== undefined) {
              loginUser = Buffer.from(initial, "base64").toString("utf8");
              pending = "login-pass";
              return io.reply("334 UGFzc3dvcmQ6");
            }
            pending = "login-user";
            return io.reply("334 VXNlcm5hbWU6");
          }
          if (initial !== undefined) return xoauth2(initial === "=" ? "" : initial);
          pending = "xoauth2";
          return io.reply("334 ");
        }
        case "MAIL": {
          if (!helo) return io.reply("503 5.5.2 Send hello first");
          if (!io.secure) return io.reply("530 5.7.0 Must issue a STARTTLS command first");
          if (!auth) return io.reply(`530 5.7.57 Client not authenticated to send mail. ${diag()}`);
          if (from !== undefined) return io.reply("503 5.5.1 Sender already specified");
          const address = pathArg(rest, "FROM");
          if (address === undefined) return io.reply("501 5.5.4 Invalid arguments");
          from = address;
          rcpts = [];
          return io.reply("250 2.1.0 Sender OK");
        }
        case "RCPT": {
          if (from === undefined) return io.reply("503 5.5.1 Need mail command");
          const address = pathArg(rest, "TO");
          if (address === undefined) return io.reply("501 5.5.4 Invalid arguments");
          if (!/^[^@\s]+@[^@\s]+$/.test(address)) return io.reply("501 5.1.3 Invalid address");
          rcpts.push(address);
          return io.reply("250 2.1.5 Recipient OK");
        }
        case "DATA":
          if (from === undefined) return io.reply("503 5.5.1 Need mail command");
          if (rcpts.length === 0) return io.reply("503 5.5.1 Need rcpt command");
          data = [];
          return io.reply("354 Start mail input; end with <CRLF>.<CRLF>");
      }
      io.reply(`500 5.3.3 Unrecognized command '${verb ? verb.toLowerCase() : "unknown"}' ${diag()}`);
    },
  };
}
