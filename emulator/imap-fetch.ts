import type { MailIO } from "./mail-server";
import type { MailMessage } from "./mailbox";
import { bodyStructure, envelope, headerFields, internalDate, literal, rendered } from "./imap-message";

/**
 * FETCH, STORE and SEARCH (and their UID forms) on the selected folder, as Exchange Online answers them for mail
 * readers: sequence sets, the RFC 3501 data items and macros, BODY[…] sections with partials, and \Seen as the only
 * stored flag (it is Graph's isRead).
 */
export interface SelectedFolder {
  io: MailIO;
  /** The folder's messages in sequence order (ascending UID). */
  messages: MailMessage[];
  readOnly: boolean;
}

export const ARGUMENT_ERROR = "BAD Command Argument Error. 11";

type Range = { lo: number; hi: number };

/** `1:*`, `1,3:5`, `*` → ranges; `*` is the highest number in use. Undefined when malformed or (sequence numbers) out of range. */
export function parseSequenceSet(set: string | undefined, max: number, uid: boolean): Range[] | undefined {
  if (!set) return undefined;
  const ranges: Range[] = [];
  for (const element of set.split(",")) {
    const m = /^(\d+|\*)(?::(\d+|\*))?$/.exec(element);
    if (!m) return undefined;
    const value = (v: string) => (v === "*" ? max : Number(v));
    const a = value(m[1]!);
    const b = m[2] === undefined ? a : value(m[2]);
    const explicit = [m[1], m[2]].filter((v): v is string => v !== undefined && v !== "*").map(Number);
    if (explicit.some((n) => n === 0 || !Number.isSafeInteger(n))) return undefined;
    // A message number past the end is an error unless a `*` in the same range brings it back (RFC 3501 §6.4.8 for UIDs).
    if (!uid && !element.includes("*") && explicit.some((n) => n > max)) return undefined;
    ranges.push({ lo: Math.min(a, b), hi: Math.max(a, b) });
  }
  return ranges;
}

/** The messages a set names, with their sequence numbers. */
function pick(folder: SelectedFolder, set: string | undefined, uid: boolean): { seq: number; m: MailMessage }[] | undefined {
  const { messages } = folder;
  const max = uid ? (messages.at(-1)?.uid ?? 0) : messages.length;
  const ranges = parseSequenceSet(set, max, uid);
  if (!ranges) return undefined;
  const inSet = (n: number) => ranges.some((r) => n >= r.lo && n <= r.hi);
  return messages.map((m, i) => ({ seq: i + 1, m })).filter(({ seq, m }) => inSet(uid ? m.uid : seq));
}

type Simple = "UID" | "FLAGS" | "INTERNALDATE" | "RFC822.SIZE" | "ENVELOPE" | "BODY" | "BODYSTRUCTURE" | "RFC822" | "RFC822.HEADER" | "RFC822.TEXT";
const SIMPLE = new Set<string>(["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY", "BODYSTRUCTURE", "RFC822", "RFC822.HEADER", "RFC822.TEXT"]);
const MACROS: Record<string, Simple[]> = {
  ALL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"],
  FAST: ["FLAGS", "INTERNALDATE", "RFC822.SIZE"],
  FULL: ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE", "BODY"],
};

type Section = { part: "" | "HEADER" | "TEXT" | "FIELDS" | "FIELDS.NOT" | "1"; fields: string[] };
type Item = { kind: Simple } | { kind: "section"; peek: boolean; section: Section; partial?: { start: number; count?: number } };

function parseSection(spec: string): Section | undefined {
  const s = spec.trim().toUpperCase();
  if (s === "" || s === "HEADER" || s === "TEXT" || s === "1") return { part: s, fields: [] };
  const m = /^HEADER\.FIELDS(\.NOT)?\s*\(([^()]*)\)$/.exec(s);
  if (!m) return undefined;
  const fields = m[2]!.split(/\s+/).filter(Boolean).map((f) => f.replace(/^"|"$/g, ""));
  return fields.length ? { part: m[1] ? "FIELDS.NOT" : "FIELDS", fields } : undefined;
}

/** The data items of a FETCH: a macro, one item, or a parenthesized list. */
export function parseFetchItems(text: string): Item[] | undefined {
  let s = text.trim();
  const macro = MACROS[s.toUpperCase()];
  if (macro) return macro.map((kind) => ({ kind }));
  const listed = s.startsWith("(") && s.endsWith(")");
  if (listed) s = s.slice(1, -1);
  const items: Item[] = [];
  const re = /\s*([A-Za-z0-9.]+)(?:\[([^\]]*)\])?(?:<(\d+)(?:\.(\d+))?>)?\s*/y;
  while (re.lastIndex < s.length) {
    const at = re.lastIndex;
    const m = re.exec(s);
    if (!m || re.lastIndex === at) return undefined;
    const name = m[1]!.toUpperCase();
    if (m[2] === undefined) {
      if (!SIMPLE.has(name) || m[3] !== undefined) return undefined;
      items.push({ kind: name as Simple });
      continue;
    }
    if (name !== "BODY" && name !== "BODY.PEEK") return undefined;
    const section = parseSection(m[2]);
    if (!section) return undefined;
    const partial = m[3] === undefined ? undefined : { start: Number(m[3]), ...(m[4] === undefined ? {} : { count: Number(m[4]) }) };
    if (partial?.count === 0) return undefined;
    items.push({ kind: "section", peek: name === "BODY.PEEK", section, ...(partial ? { partial } : {}) });
  }
  return items.length ? items : undefined;
}

const flagList = (m: MailMessage) => (m.isRead ? "(\\Seen)" : "()");

function sectionBytes(m: MailMessage, section: Section): Buffer {
  const r = rendered(m);
  if (section.part === "") return r.raw;
  if (section.part === "HEADER") return r.header;
  if (section.part === "TEXT" || section.part === "1") return r.text;
  return headerFields(r.header, section.fields, section.part === "FIELDS.NOT");
}

function sectionName(section: Section): string {
  if (section.part === "FIELDS" || section.part === "FIELDS.NOT") return `HEADER.${section.part} (${section.fields.join(" ")})`;
  return section.part;
}

/** One data item of a FETCH response: its name, a space, its value. */
function fetchItem(m: MailMessage, item: Item): Buffer {
  const named = (name: string, value: Buffer | string) => Buffer.concat([Buffer.from(`${name} `), typeof value === "string" ? Buffer.from(value) : value]);
  switch (item.kind) {
    case "UID":
      return named("UID", String(m.uid));
    case "FLAGS":
      return named("FLAGS", flagList(m));
    case "INTERNALDATE":
      return named("INTERNALDATE", internalDate(m));
    case "RFC822.SIZE":
      return named("RFC822.SIZE", String(rendered(m).raw.length));
    case "ENVELOPE":
      return named("ENVELOPE", envelope(m));
    case "BODY":
      return named("BODY", bodyStructure(m, false));
    case "BODYSTRUCTURE":
      return named("BODYSTRUCTURE", bodyStructure(m, true));
    case "RFC822":
      return named("RFC822", literal(rendered(m).raw));
    case "RFC822.HEADER":
      return named("RFC822.HEADER", literal(rendered(m).header));
    case "RFC822.TEXT":
      return named("RFC822.TEXT", literal(rendered(m).text));
    case "section": {
      let bytes = sectionBytes(m, item.section);
      let name = `BODY[${sectionName(item.section)}]`;
      if (item.partial) {
        const { start, count } = item.partial;
        bytes = bytes.subarray(Math.min(start, bytes.length), count === undefined ? undefined : Math.min(start + count, bytes.length));
        name += `<${start}>`;
      }
      return named(name, literal(bytes));
    }
  }
}

/** Whether fetching the item sets \Seen (RFC 3501 §6.4.5: BODY[…] without .PEEK, RFC822, RFC822.TEXT). */
const setsSeen = (item: Item) => (item.kind === "section" ? !item.peek : item.kind === "RFC822" || item.kind === "RFC822.TEXT");

function fetchResponse(seq: number, parts: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from(`* ${seq} FETCH (`), ...parts.flatMap((p, i) => (i ? [Buffer.from(" "), p] : [p])), Buffer.from(")")]);
}

export function fetch(folder: SelectedFolder, tag: string, args: string, uid: boolean): void {
  const m = /^(\S+)\s+(.+)$/.exec(args.trim());
  const picked = m ? pick(folder, m[1], uid) : undefined;
  const parsed = m ? parseFetchItems(m[2]!) : undefined;
  if (!picked || !parsed) return folder.io.reply(`${tag} ${ARGUMENT_ERROR}`);
  const items: Item[] = [...parsed];
  // UID FETCH always answers the UID (RFC 3501 §6.4.8).
  if (uid && !items.some((i) => i.kind === "UID")) items.unshift({ kind: "UID" });
  const marks = !folder.readOnly && items.some(setsSeen);
  for (const { seq, m: msg } of picked) {
    const wasRead = msg.isRead;
    if (marks) msg.isRead = true;
    const parts = items.map((item) => fetchItem(msg, item));
    // A flag changed by the fetch is reported in the same response.
    if (marks && !wasRead && !items.some((i) => i.kind === "FLAGS")) parts.push(Buffer.from(`FLAGS ${flagList(msg)}`));
    folder.io.reply(fetchResponse(seq, parts));
  }
  folder.io.reply(`${tag} OK FETCH completed.`);
}

/** STORE set (+|-)FLAGS[.SILENT] (flags): \Seen is kept (it is isRead); other flags are accepted and not stored. */
export function store(folder: SelectedFolder, tag: string, args: string, uid: boolean): void {
  const m = /^(\S+)\s+([+-]?)FLAGS(\.SILENT)?\s+(.*)$/i.exec(args.trim());
  const picked = m ? pick(folder, m[1], uid) : undefined;
  if (!m || !picked) return folder.io.reply(`${tag} ${ARGUMENT_ERROR}`);
  if (folder.readOnly) return folder.io.reply(`${tag} NO [READ-ONLY] STORE failed.`);
  const flags = m[4]!.replace(/^\(|\)$/g, "").split(/\s+/).filter(Boolean);
  const seen = flags.some((f) => f.toLowerCase() === "\\seen");
  for (const { seq, m: msg } of picked) {
    if (m[2] === "+") msg.isRead ||= seen;
    else if (m[2] === "-") msg.isRead &&= !seen;
    else msg.isRead = seen;
    if (!m[3]) folder.io.reply(`* ${seq} FETCH (FLAGS ${flagList(msg)}${uid ? ` UID ${msg.uid}` : ""})`);
  }
  folder.io.reply(`${tag} OK STORE completed.`);
}

/** SEARCH with ALL, SEEN, UNSEEN, UID <set> and <set> keys (all must match); others answer NO [CANNOT]. */
export function search(folder: SelectedFolder, tag: string, args: string, uid: boolean): void {
  let words = args.trim().split(/\s+/).filter(Boolean);
  if (words[0]?.toUpperCase() === "CHARSET") {
    if (!/^(US-ASCII|UTF-8)$/i.test(words[1] ?? "")) return folder.io.reply(`${tag} NO [BADCHARSET (US-ASCII UTF-8)] SEARCH failed.`);
    words = words.slice(2);
  }
  if (words.length === 0) return folder.io.reply(`${tag} ${ARGUMENT_ERROR}`);
  let hits = folder.messages.map((m, i) => ({ seq: i + 1, m }));
  for (let i = 0; i < words.length; i += 1) {
    const key = words[i]!.toUpperCase();
    if (key === "ALL") continue;
    if (key === "SEEN" || key === "UNSEEN") {
      hits = hits.filter((h) => h.m.isRead === (key === "SEEN"));
      continue;
    }
    const byUid = key === "UID";
    const set = byUid ? words[++i] : words[i];
    if (!byUid && !/^[\d*:,]+$/.test(key)) return folder.io.reply(`${tag} NO [CANNOT] The Mailgrant emulator does not implement SEARCH ${key}.`);
    const wanted = pick(folder, set, byUid);
    if (!wanted) return folder.io.reply(`${tag} ${ARGUMENT_ERROR}`);
    const keep = new Set(wanted.map((w) => w.seq));
    hits = hits.filter((h) => keep.has(h.seq));
  }
  folder.io.reply(["* SEARCH", ...hits.map((h) => String(uid ? h.m.uid : h.seq))].join(" "));
  folder.io.reply(`${tag} OK SEARCH completed.`);
}
