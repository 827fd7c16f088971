import { createHash } from "node:crypto";
import { guid } from "./ids";

/**
 * Exchange Online mailboxes as far as the emulator's Graph, IMAP, POP and SMTP
 * need them: an Inbox with a few generated messages (the count IMAP SELECT and
 * POP STAT report), Sent Items, and one outbox of everything sent through Graph
 * or SMTP for the admin API.
 */
export interface MailAddress {
  name: string;
  address: string;
}

export interface MailMessage {
  /** Graph message id (opaque, `AAMk…`). */
  id: string;
  /** IMAP UID within its folder; POP's UIDL is derived from the id. */
  uid: number;
  internetMessageId: string;
  subject: string;
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  /** ISO timestamp. */
  receivedDateTime: string;
  body: string;
  isRead: boolean;
}

export interface Mailbox {
  userId: string;
  uidValidity: number;
  inbox: MailMessage[];
  sentItems: MailMessage[];
  nextUid: number;
}

/** One message accepted by Graph sendMail or SMTP DATA, as the admin API lists it. */
export interface SentMessage {
  id: string;
  via: "graph" | "smtp";
  /** UPN of the mailbox it was sent from. */
  mailbox: string;
  /** Who sent it: the token's user (UPN), or the app's client id for app-only tokens. */
  sentBy: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  body: string;
  internetMessageId: string;
  sentAt: string;
  /** Emulator mailboxes (UPNs) whose Inbox received a copy. */
  deliveredTo: string[];
}

const SAMPLES: { subject: string; from: MailAddress; body: string }[] = [
  {
    subject: "Welcome to your new mailbox",
    from: { name: "Microsoft 365", address: "no-reply@microsoft.example" },
    body: "Your mailbox is ready. Sign in to Outlook on the web to read and send mail.",
  },
  {
    subject: "Quarterly planning notes",
    from: { name: "Patti Fernandez", address: "patti@fabrikam.example" },
    body: "Hi, attached are the notes from today's planning session. Let me know if I missed anything.",
  },
  {
    subject: "Lunch on Friday?",
    from: { name: "Isaiah Langer", address: "isaiah@northwind.example" },
    body: "Are you free for lunch on Friday? The new place around the corner opens this week.",
  },
  {
    subject: "Invoice INV-1042 is ready",
    from: { name: "Tailspin Billing", address: "billing@tailspin.example" },
    body: "Your invoice INV-1042 for last month is available. Payment is due within 30 days.",
  },
  {
    subject: "Re: Project timeline",
    from: { name: "Johanna Lorenz", address: "johanna@contoso.example" },
    body: "Thanks, the revised timeline works for us. We'll start the review on Monday.",
  },
];

/** Graph ids look like base64 of an Exchange entry id; deterministic so tests and demo links stay stable. */
export function graphId(...parts: string[]): string {
  const digest = createHash("sha256").update(parts.join("|")).digest();
  return `AAMkAG${digest.toString("base64").replace(/\//g, "-").replace(/=+$/, "")}AAA=`;
}

function domainOf(address: string): string {
  return address.slice(address.indexOf("@") + 1) || "emulator.example";
}

export function newInternetMessageId(fromAddress: string): string {
  return `<${guid().replace(/-/g, "").toUpperCase()}@${domainOf(fromAddress)}>`;
}

/** A mailbox with `count` generated Inbox messages, newest first, received over the days before `nowMs`. */
export function generateMailbox(user: { id: string; upn: string; displayName: string; mail: string }, count: number, nowMs: number): Mailbox {
  const uidValidity = (parseInt(createHash("sha256").update(user.id).digest("hex").slice(0, 6), 16) % 900_000) + 100;
  const to = [{ name: user.displayName, address: user.mail }];
  const inbox = Array.from({ length: count }, (_, i): MailMessage => {
    const sample = SAMPLES[i % SAMPLES.length]!;
    const round = Math.floor(i / SAMPLES.length);
    return {
      id: graphId(user.id, "inbox", String(i)),
      uid: count - i,
      internetMessageId: `<${createHash("sha256").update(`${user.id}:${i}`).digest("hex").slice(0, 24).toUpperCase()}@${domainOf(sample.from.address)}>`,
      subject: round === 0 ? sample.subject : `${sample.subject} (${round + 1})`,
      from: sample.from,
      to,
      cc: [],
      receivedDateTime: new Date(nowMs - (i + 1) * 26 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
      body: sample.body,
      // The oldest is read, as in a mailbox someone uses.
      isRead: i === count - 1 && count > 1,
    };
  });
  return { userId: user.id, uidValidity, inbox, sentItems: [], nextUid: count + 1 };
}

/** The Date header of a rendered message (RFC 5322 date-time, UTC). */
export function mimeDate(msg: MailMessage): string {
  return new Date(msg.receivedDateTime).toUTCString().replace("GMT", "+0000");
}

/** RFC 5322 text of a message, CRLF line ends (what POP RETR and IMAP FETCH return and sizes count). */
export function renderMime(msg: MailMessage): string {
  const addr = (a: MailAddress) => (a.name ? `${a.name} <${a.address}>` : a.address);
  const headers = [
    `From: ${addr(msg.from)}`,
    `To: ${msg.to.map(addr).join(", ")}`,
    ...(msg.cc.length ? [`Cc: ${msg.cc.map(addr).join(", ")}`] : []),
    `Subject: ${msg.subject}`,
    `Date: ${mimeDate(msg)}`,
    `Message-ID: ${msg.internetMessageId}`,
    "MIME-Version: 1.0",
    'Content-Type: text/plain; charset="utf-8"',
    "Content-Transfer-Encoding: 8bit",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${msg.body.replace(/\r?\n/g, "\r\n")}\r\n`;
}

export function mimeSize(msg: MailMessage): number {
  return Buffer.byteLength(renderMime(msg));
}

/** Parses `Name <a@b>`, `<a@b>` or `a@b` lists as found in headers and Graph recipients. */
export function parseAddressList(value: string): MailAddress[] {
  return value
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const angle = /^(.*)<([^>]*)>\s*$/.exec(part);
      if (angle) return { name: angle[1]!.trim().replace(/^"|"$/g, ""), address: angle[2]!.trim() };
      return { name: "", address: part };
    });
}

/** Minimal RFC 5322 parse for submitted messages: unfolded headers (lower-case names) and the body. */
export function parseMime(text: string): { headers: Map<string, string>; body: string } {
  const normalized = text.replace(/\r\n/g, "\n");
  const split = normalized.indexOf("\n\n");
  const head = split < 0 ? normalized : normalized.slice(0, split);
  const body = split < 0 ? "" : normalized.slice(split + 2);
  const headers = new Map<string, string>();
  let last = "";
  for (const line of head.split("\n")) {
    if (/^[ \t]/.test(line) && last) {
      headers.set(last, `${headers.get(last) ?? ""} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(last)) headers.set(last, line.slice(colon + 1).trim());
  }
  return { headers, body };
}
