import type { AccessClaims } from "./access-token";
import type { FaultCriteria } from "./faults";
import { ACCESS_TOKEN_EXPIRED, EXCHANGE_SERVER, authenticateXoauth2, sessionExpired, smtpDiagnostic, xoauth2Criteria } from "./mail-auth";
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

/** One client's conversation: HELO, the authenticated mailbox, the mail transaction and a continuation awaited. */
class SmtpSession {
  helo: string | undefined;
  auth: { mailbox: User; claims: AccessClaims; criteria: FaultCriteria } | undefined;
  from: string | undefined;
  rcpts: string[] = [];
  data: string[] | undefined;
  dataBytes = 0;
  pending: "xoauth2" | "challenged" | "login-user" | "login-pass" | undefined;
  /** The final reply owed after an error challenge. */
  challengeRefusal: (() => string) | undefined;
  loginUser = "";

  constructor(readonly io: MailIO) {}

  get state() {
    return this.io.ctx.state;
  }

  diag(): string {
    return smtpDiagnostic(this.state.now());
  }

  resetTransaction(): void {
    this.from = undefined;
    this.rcpts = [];
    this.data = undefined;
    this.dataBytes = 0;
  }

  ehlo(): void {
    const { io } = this;
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

  async xoauth2(b64: string): Promise<void> {
    const { io } = this;
    if (b64 === "*") return io.reply("501 5.0.0 Authentication aborted");
    const criteria = xoauth2Criteria(this.state, "smtp", b64);
    if (await io.networkFault(criteria)) return;
    const result = await authenticateXoauth2(io.ctx, "smtp", b64);
    if (!result.ok) {
      const disabled = result.failure === "smtpAuthDisabledForTenant" ? "Tenant" : result.failure === "smtpAuthDisabledForMailbox" ? "Mailbox" : null;
      const refusal = () =>
        disabled
          ? `535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${disabled}. Visit https://aka.ms/smtp_auth_disabled for more information. ${this.diag()}`
          : `535 5.7.3 Authentication unsuccessful ${this.diag()}`;
      // A challengeOnFailure fault: 334 with the SASL error challenge first, the 535 after the client's answer.
      const challenge = io.failureChallenge(criteria);
      if (!challenge) return io.reply(refusal());
      this.pending = "challenged";
      this.challengeRefusal = refusal;
      return io.reply(`334 ${challenge}`);
    }
    this.auth = { mailbox: result.mailbox, claims: result.claims, criteria };
    io.reply("235 2.7.0 Authentication successful");
  }

  /** Basic auth (AUTH LOGIN) never works against the emulator, as with security defaults or Basic auth retired. */
  loginFailed(): void {
    const { state, io } = this;
    const mailbox = state.findMailboxUser(this.loginUser);
    const disabled = mailbox ? state.smtpAuthDisabledFor(mailbox) : null;
    state.logMailAuth({ protocol: "smtp", user: this.loginUser, ok: false, reason: "basicAuth" });
    if (disabled) {
      return io.reply(`535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the ${disabled}. Visit https://aka.ms/smtp_auth_disabled for more information. ${this.diag()}`);
    }
    io.reply(`535 5.7.3 Authentication unsuccessful ${this.diag()}`);
  }

  /** A line of DATA, or the final dot that submits the message. */
  async dataLine(line: string): Promise<void> {
    if (line === ".") {
      const [lines, sender, recipients] = [this.data!, this.from ?? "", this.rcpts];
      this.data = undefined;
      await this.finishData(lines, sender, recipients);
      return this.resetTransaction();
    }
    this.dataBytes += Buffer.byteLength(line) + 2;
    if (this.dataBytes > MAX_MESSAGE_BYTES) {
      this.resetTransaction();
      return this.io.close("552 5.3.4 Message size exceeds fixed maximum message size");
    }
    this.data!.push(line.startsWith(".") ? line.slice(1) : line);
  }

  /** The line after a 334: the XOAUTH2 payload, or AUTH LOGIN's user name or password. */
  continuation(line: string): void | Promise<void> {
    const step = this.pending;
    this.pending = undefined;
    if (step === "xoauth2") return this.xoauth2(line.trim());
    if (step === "challenged") {
      // RFC 4954 §4: `*` cancels (501); an empty line, or anything else, gets the refusal.
      const refusal = this.challengeRefusal;
      this.challengeRefusal = undefined;
      return this.io.reply(line.trim() === "*" ? "501 5.0.0 Authentication aborted" : (refusal?.() ?? `535 5.7.3 Authentication unsuccessful ${this.diag()}`));
    }
    if (line.trim() === "*") return this.io.reply("501 5.0.0 Authentication aborted");
    if (step === "login-user") {
      this.loginUser = Buffer.from(line.trim(), "base64").toString("utf8");
      this.pending = "login-pass";
      return this.io.reply("334 UGFzc3dvcmQ6");
    }
    this.loginFailed();
  }

  async finishData(lines: string[], sender: string, recipients: string[]): Promise<void> {
    const { io, state } = this;
    const session = this.auth!;
    const text = lines.join("\r\n");
    const { headers, body } = parseMime(text);
    const mailbox = session.mailbox;
    const own = new Set([mailbox.mail.toLowerCase(), mailbox.upn.toLowerCase()]);
    const headerFrom = parseAddressList(headers.get("from") ?? "")[0]?.address;
    const impostor = [sender, headerFrom].find((a) => a !== undefined && a !== "" && !own.has(a.toLowerCase()));
    if (impostor) {
      const who = session.claims.upn ?? session.claims.appid;
      return io.reply(
        `554 5.2.252 SendAsDenied; ${who} not allowed to send as ${impostor}; STOREDRV.Submission.Exception:SendAsDeniedException.MapiExceptionSendAsDenied; Failed to process message due to a permanent exception with message [BeginDiagnosticData]Cannot submit message. ${this.diag()}`,
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
}

type SmtpHandler = (s: SmtpSession, rest: string) => void | Promise<void>;

function auth(s: SmtpSession, rest: string): void | Promise<void> {
  const { io } = s;
  if (!s.helo) return io.reply("503 5.5.2 Send hello first");
  if (s.auth) return io.reply("503 5.5.1 Already authenticated");
  const [mechanism = "", initial] = rest.trim().split(/\s+/);
  const mech = mechanism.toUpperCase();
  if (!io.secure || (mech !== "XOAUTH2" && mech !== "LOGIN")) return io.reply(`504 5.7.4 Unrecognized authentication type ${s.diag()}`);
  if (mech === "LOGIN") {
    if (initial !== undefined) {
      s.loginUser = Buffer.from(initial, "base64").toString("utf8");
      s.pending = "login-pass";
      return io.reply("334 UGFzc3dvcmQ6");
    }
    s.pending = "login-user";
    return io.reply("334 VXNlcm5hbWU6");
  }
  if (initial !== undefined) return s.xoauth2(initial === "=" ? "" : initial);
  s.pending = "xoauth2";
  io.reply("334 ");
}

/** SMTP verbs → handlers; anything else is 500 5.3.3. */
const COMMANDS: Record<string, SmtpHandler> = {
  EHLO: (s, rest) => {
    s.helo = rest.trim() || "unknown";
    s.resetTransaction();
    s.ehlo();
  },
  HELO: (s, rest) => {
    s.helo = rest.trim() || "unknown";
    s.resetTransaction();
    s.io.reply(`250 ${EXCHANGE_SERVER} Hello [${s.io.remoteAddress}]`);
  },
  NOOP: (s) => s.io.reply("250 2.0.0 OK"),
  RSET: (s) => {
    s.resetTransaction();
    s.io.reply("250 2.0.0 Resetting");
  },
  QUIT: (s) => s.io.close("221 2.0.0 Service closing transmission channel"),
  VRFY: (s) => s.io.reply("252 2.1.5 Cannot VRFY user"),
  STARTTLS: async (s) => {
    if (!s.helo) return s.io.reply("503 5.5.2 Send hello first");
    if (s.io.secure) return s.io.reply("503 5.5.1 Bad sequence of commands");
    await s.io.startTls("220 2.0.0 SMTP server ready");
    s.helo = undefined;
    s.resetTransaction();
  },
  AUTH: auth,
  MAIL: (s, rest) => {
    const { io } = s;
    if (!s.helo) return io.reply("503 5.5.2 Send hello first");
    if (!io.secure) return io.reply("530 5.7.0 Must issue a STARTTLS command first");
    if (!s.auth) return io.reply(`530 5.7.57 Client not authenticated to send mail. ${s.diag()}`);
    if (s.from !== undefined) return io.reply("503 5.5.1 Sender already specified");
    const address = pathArg(rest, "FROM");
    if (address === undefined) return io.reply("501 5.5.4 Invalid arguments");
    s.from = address;
    s.rcpts = [];
    io.reply("250 2.1.0 Sender OK");
  },
  RCPT: (s, rest) => {
    const { io } = s;
    if (s.from === undefined) return io.reply("503 5.5.1 Need mail command");
    const address = pathArg(rest, "TO");
    if (address === undefined) return io.reply("501 5.5.4 Invalid arguments");
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) return io.reply("501 5.1.3 Invalid address");
    s.rcpts.push(address);
    io.reply("250 2.1.5 Recipient OK");
  },
  DATA: (s) => {
    if (s.from === undefined) return s.io.reply("503 5.5.1 Need mail command");
    if (s.rcpts.length === 0) return s.io.reply("503 5.5.1 Need rcpt command");
    s.data = [];
    s.io.reply("354 Start mail input; end with <CRLF>.<CRLF>");
  },
};

export function createSmtpSession(io: MailIO): MailSession {
  const s = new SmtpSession(io);
  return {
    greet: () => io.reply(`220 ${EXCHANGE_SERVER} Microsoft ESMTP MAIL Service ready at ${smtpDate(s.state.now())}`),
    idle: () => `451 4.7.0 Timeout waiting for client input [${EXCHANGE_SERVER}]`,
    line(line) {
      if (s.data && line !== ".") return s.dataLine(line);
      // Past the token's expiry the next command (or the end of DATA, the message not taken) ends the session.
      if (sessionExpired(s.auth?.claims, s.state.now())) return io.close(`421 4.7.0 ${ACCESS_TOKEN_EXPIRED} ${s.diag()}`);
      if (s.data) return s.dataLine(line);
      if (s.pending) return s.continuation(line);
      const { verb, rest } = splitCommand(line.trim());
      const handler = COMMANDS[verb];
      if (handler) return handler(s, rest);
      io.reply(`500 5.3.3 Unrecognized command '${verb ? verb.toLowerCase() : "unknown"}' ${s.diag()}`);
    },
  };
}
