import { mimeDate, renderMime, type MailAddress, type MailMessage } from "./mailbox";

/**
 * A stored message as IMAP FETCH shows it: the raw RFC 5322 bytes rendered once (the same text POP RETR sends, so
 * RFC822.SIZE, BODY[] and BODYSTRUCTURE agree), its header and text parts, ENVELOPE and BODYSTRUCTURE.
 */
export interface RenderedMessage {
  raw: Buffer;
  /** Header lines with the blank line that ends them (what BODY[HEADER] returns). */
  header: Buffer;
  text: Buffer;
}

// Message content never changes once stored (only isRead does), so the rendering is kept per message object.
const cache = new WeakMap<MailMessage, RenderedMessage>();

export function rendered(msg: MailMessage): RenderedMessage {
  let r = cache.get(msg);
  if (!r) {
    const raw = Buffer.from(renderMime(msg), "utf8");
    const split = raw.indexOf("\r\n\r\n");
    const headerEnd = split < 0 ? raw.length : split + 4;
    r = { raw, header: raw.subarray(0, headerEnd), text: raw.subarray(headerEnd) };
    cache.set(msg, r);
  }
  return r;
}

/** An IMAP string: quoted when it is printable ASCII, else a literal `{n}\r\n…` (8-bit text, CR, LF). */
export function imapString(value: string | Buffer): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (typeof value === "string" && /^[\x20-\x7e]*$/.test(value)) return Buffer.from(`"${value.replace(/(["\\])/g, "\\$1")}"`);
  return literal(bytes);
}

export function literal(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

export const nstring = (value: string | undefined): Buffer => (value === undefined || value === "" ? Buffer.from("NIL") : imapString(value));

const join = (parts: Buffer[], sep = " ") => Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from(sep), p])));
const list = (parts: Buffer[]) => Buffer.concat([Buffer.from("("), join(parts), Buffer.from(")")]);

function addressList(addresses: MailAddress[]): Buffer {
  if (addresses.length === 0) return Buffer.from("NIL");
  return Buffer.concat([
    Buffer.from("("),
    ...addresses.map((a) => {
      const at = a.address.lastIndexOf("@");
      const [mailbox, host] = at < 0 ? [a.address, undefined] : [a.address.slice(0, at), a.address.slice(at + 1)];
      return list([nstring(a.name), Buffer.from("NIL"), nstring(mailbox), nstring(host)]);
    }),
    Buffer.from(")"),
  ]);
}

/** RFC 3501 ENVELOPE: date, subject, from, sender, reply-to, to, cc, bcc, in-reply-to, message-id (sender and reply-to default to from). */
export function envelope(msg: MailMessage): Buffer {
  const from = addressList([msg.from]);
  return list([
    nstring(mimeDate(msg)),
    nstring(msg.subject),
    from,
    from,
    from,
    addressList(msg.to),
    addressList(msg.cc),
    Buffer.from("NIL"),
    Buffer.from("NIL"),
    nstring(msg.internetMessageId),
  ]);
}

/** The single text/plain part renderMime produces; BODYSTRUCTURE adds the (empty) extension data. */
export function bodyStructure(msg: MailMessage, extended: boolean): Buffer {
  const { text } = rendered(msg);
  const lines = text.toString("latin1").split("\r\n").length - 1;
  const base = `"TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" ${text.length} ${lines}`;
  return Buffer.from(`(${base}${extended ? " NIL NIL NIL NIL" : ""})`);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** INTERNALDATE: `"02-Dec-2026 13:55:16 +0000"` (date-day-fixed, two digits). */
export function internalDate(msg: MailMessage): string {
  const d = new Date(msg.receivedDateTime);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

/** The header lines (folded continuations kept with their field) whose names are (or, with `not`, aren't) in `names`, and the blank line. */
export function headerFields(header: Buffer, names: string[], not: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const lines = header.toString("utf8").replace(/\r\n\r\n$/, "").split("\r\n");
  const kept: string[] = [];
  let keep = false;
  for (const line of lines) {
    if (!/^[ \t]/.test(line)) keep = wanted.has(line.slice(0, line.indexOf(":")).trim().toLowerCase()) !== not;
    if (keep) kept.push(`${line}\r\n`);
  }
  return Buffer.from(`${kept.join("")}\r\n`, "utf8");
}
