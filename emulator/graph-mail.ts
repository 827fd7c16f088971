// Graph's mail routes: well-known folders, messages (with $select/$top/$skip), and sendMail.
import type { AccessClaims } from "./access-token";
import { graphId, parseAddressList, parseMime, type MailAddress, type MailMessage } from "./mailbox";
import type { User } from "./state";
import { GraphError, graphBase, send, type GraphRequest, type Ids } from "./graph-http";

export const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: "Inbox",
  sentitems: "Sent Items",
  drafts: "Drafts",
  deleteditems: "Deleted Items",
  junkemail: "Junk Email",
  archive: "Archive",
  outbox: "Outbox",
};

export const folderId = (user: User, name: string) => graphId(user.id, "folder", name);

export function resolveFolder(user: User, ref: string): string | undefined {
  const key = ref.toLowerCase();
  if (WELL_KNOWN_FOLDERS[key]) return key;
  return Object.keys(WELL_KNOWN_FOLDERS).find((name) => folderId(user, name) === ref);
}

export function folderMessages(g: GraphRequest, user: User, folder: string): MailMessage[] {
  const box = g.ctx.state.mailboxOf(user);
  if (folder === "inbox") return box.inbox;
  if (folder === "sentitems") return box.sentItems;
  return [];
}

export function allMessages(g: GraphRequest, user: User): { message: MailMessage; folder: string }[] {
  return ["inbox", "sentitems"].flatMap((folder) => folderMessages(g, user, folder).map((message) => ({ message, folder })));
}

export function folderJson(g: GraphRequest, user: User, folder: string): Record<string, unknown> {
  const messages = folderMessages(g, user, folder);
  return {
    id: folderId(user, folder),
    displayName: WELL_KNOWN_FOLDERS[folder],
    parentFolderId: folderId(user, "msgfolderroot"),
    childFolderCount: 0,
    unreadItemCount: messages.filter((m) => !m.isRead).length,
    totalItemCount: messages.length,
    sizeInBytes: messages.reduce((n, m) => n + Buffer.byteLength(m.body) + 1024, 0),
    isHidden: false,
  };
}

export const MESSAGE_PROPERTIES = [
  "id",
  "createdDateTime",
  "lastModifiedDateTime",
  "changeKey",
  "categories",
  "receivedDateTime",
  "sentDateTime",
  "hasAttachments",
  "internetMessageId",
  "subject",
  "bodyPreview",
  "importance",
  "parentFolderId",
  "conversationId",
  "conversationIndex",
  "isDeliveryReceiptRequested",
  "isReadReceiptRequested",
  "isRead",
  "isDraft",
  "webLink",
  "inferenceClassification",
  "body",
  "uniqueBody",
  "sender",
  "from",
  "toRecipients",
  "ccRecipients",
  "bccRecipients",
  "replyTo",
  "flag",
];
export const BODY_PROPERTIES = new Set(["body", "bodyPreview", "uniqueBody"]);

export function parseSelect(query: URLSearchParams): string[] | undefined {
  const raw = query.get("$select");
  if (raw === null || raw.trim() === "") return undefined;
  return raw.split(",").map((p) => {
    const name = p.trim();
    const canonical = MESSAGE_PROPERTIES.find((m) => m.toLowerCase() === name.toLowerCase());
    if (!canonical) throw new GraphError(400, "RequestBroker--ParseUri", `Could not find a property named '${name}' on type 'microsoft.graph.message'.`);
    return canonical;
  });
}

export function intOption(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new GraphError(400, "BadRequest", `Invalid value '${raw}' for query option '${name}'.`);
  return n;
}

export const recipient = (a: MailAddress) => ({ emailAddress: { name: a.name || a.address, address: a.address } });

export function messageJson(msg: MailMessage, folder: string, user: User, select: string[] | undefined, basic: boolean): Record<string, unknown> {
  const changeKey = graphId(msg.id, "changeKey").slice(6, 34);
  const full: Record<string, unknown> = {
    id: msg.id,
    createdDateTime: msg.receivedDateTime,
    lastModifiedDateTime: msg.receivedDateTime,
    changeKey,
    categories: [],
    receivedDateTime: msg.receivedDateTime,
    sentDateTime: msg.receivedDateTime,
    hasAttachments: false,
    internetMessageId: msg.internetMessageId,
    subject: msg.subject,
    bodyPreview: msg.body.slice(0, 255),
    importance: "normal",
    parentFolderId: folderId(user, folder),
    conversationId: graphId(msg.subject.replace(/^(re|fw|fwd):\s*/i, ""), "conversation").slice(0, 60),
    conversationIndex: Buffer.from(msg.id.slice(6, 28)).toString("base64"),
    isDeliveryReceiptRequested: false,
    isReadReceiptRequested: false,
    isRead: msg.isRead,
    isDraft: false,
    webLink: `https://outlook.office365.com/owa/?ItemID=${encodeURIComponent(msg.id)}&exvsurl=1&viewmodel=ReadMessageItem`,
    inferenceClassification: "focused",
    body: { contentType: "text", content: msg.body },
    uniqueBody: { contentType: "text", content: msg.body },
    sender: recipient(msg.from),
    from: recipient(msg.from),
    toRecipients: msg.to.map(recipient),
    ccRecipients: msg.cc.map(recipient),
    bccRecipients: [],
    replyTo: [],
    flag: { flagStatus: "notFlagged" },
  };
  const keys = (select ? ["id", ...select] : MESSAGE_PROPERTIES).filter((k) => !(basic && BODY_PROPERTIES.has(k)));
  return { "@odata.etag": `W/"${changeKey}"`, ...Object.fromEntries([...new Set(keys)].map((k) => [k, full[k]])) };
}

export function listMessages(g: GraphRequest, ids: Ids, user: User, folder: string, rest: string[], basic: boolean): void {
  const select = parseSelect(g.query);
  const top = intOption(g.query, "$top", 10, 1, 1000);
  const skip = intOption(g.query, "$skip", 0, 0, 1_000_000);
  const ascending = /^\s*receivedDateTime\s+asc\s*$/i.test(g.query.get("$orderby") ?? "");
  const items = (folder === "all" ? allMessages(g, user) : folderMessages(g, user, folder).map((message) => ({ message, folder })))
    .slice()
    .sort((x, y) => (ascending ? 1 : -1) * x.message.receivedDateTime.localeCompare(y.message.receivedDateTime));
  const page = items.slice(skip, skip + top);
  const selectSuffix = select ? `(${select.join(",")})` : "";
  const context = folder === "all" ? `users('${user.id}')/messages${selectSuffix}` : `users('${user.id}')/mailFolders('${folder}')/messages${selectSuffix}`;
  const body: Record<string, unknown> = {
    "@odata.context": `${graphBase(g)}/$metadata#${context}`,
    value: page.map((x) => messageJson(x.message, x.folder, user, select, basic)),
  };
  if (skip + top < items.length) {
    const next = new URLSearchParams();
    next.set("$top", String(top));
    if (select) next.set("$select", select.join(","));
    if (g.query.get("$orderby")) next.set("$orderby", g.query.get("$orderby")!);
    next.set("$skip", String(skip + top));
    const prefix = g.path[0]?.toLowerCase() === "me" ? "me" : `users/${encodeURIComponent(g.path[1] ?? user.id)}`;
    const tail = folder === "all" ? "messages" : `mailFolders/${rest[1] ?? folder}/messages`;
    body["@odata.nextLink"] = `${graphBase(g)}/${prefix}/${tail}?${next.toString().replace(/%24/g, "$").replace(/%2C/g, ",")}`;
  }
  send(g, ids, 200, body);
}

export interface Draft {
  subject: string;
  body: string;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  from?: string;
  saveToSentItems: boolean;
}

export function draftFromJson(text: string): Draft {
  if (!text.trim()) throw new GraphError(400, "BadRequest", "Empty Payload. JSON content expected.");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new GraphError(400, "UnableToDeserializePostBody", "were unable to deserialize ");
  }
  const root = (parsed && typeof parsed === "object" ? parsed : {}) as Record<string, unknown>;
  const message = root.message as Record<string, unknown> | undefined;
  if (!message || typeof message !== "object") throw new GraphError(400, "ErrorInvalidParameter", "The value of the parameter 'Message' is empty.");
  const list = (v: unknown): MailAddress[] =>
    Array.isArray(v)
      ? v.map((r) => {
          const e = ((r as Record<string, unknown>)?.emailAddress ?? {}) as Record<string, unknown>;
          return { name: typeof e.name === "string" ? e.name : "", address: typeof e.address === "string" ? e.address : "" };
        })
      : [];
  const body = (message.body ?? {}) as Record<string, unknown>;
  const fromAddress = ((message.from as Record<string, unknown> | undefined)?.emailAddress as Record<string, unknown> | undefined)?.address;
  return {
    subject: typeof message.subject === "string" ? message.subject : "",
    body: typeof body.content === "string" ? body.content : "",
    to: list(message.toRecipients),
    cc: list(message.ccRecipients),
    bcc: list(message.bccRecipients),
    ...(typeof fromAddress === "string" ? { from: fromAddress } : {}),
    saveToSentItems: root.saveToSentItems !== false && root.saveToSentItems !== "false",
  };
}

/** sendMail also takes a base64 MIME message with `Content-Type: text/plain`. */
export function draftFromMime(text: string): Draft {
  const b64 = text.replace(/\s+/g, "");
  if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new GraphError(400, "ErrorMimeContentInvalidBase64String", "Invalid base64 string for MIME content.");
  }
  const { headers, body } = parseMime(Buffer.from(b64, "base64").toString("utf8"));
  const from = headers.get("from");
  return {
    subject: headers.get("subject") ?? "",
    body,
    to: parseAddressList(headers.get("to") ?? ""),
    cc: parseAddressList(headers.get("cc") ?? ""),
    bcc: parseAddressList(headers.get("bcc") ?? ""),
    ...(from ? { from: parseAddressList(from)[0]?.address ?? from } : {}),
    saveToSentItems: true,
  };
}

export const VALID_ADDRESS = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

export function sendMail(g: GraphRequest, ids: Ids, claims: AccessClaims, mailbox: User): void {
  const contentType = String(g.headers["content-type"] ?? "").toLowerCase();
  const draft = contentType.startsWith("text/plain") ? draftFromMime(g.body) : draftFromJson(g.body);
  const recipients = [...draft.to, ...draft.cc, ...draft.bcc];
  if (recipients.length === 0) {
    throw new GraphError(400, "ErrorInvalidRecipients", "At least one recipient isn't valid., A message can't be sent because it contains no recipients.");
  }
  const bad = recipients.find((r) => !VALID_ADDRESS.test(r.address));
  if (bad) {
    throw new GraphError(
      400,
      "ErrorInvalidRecipients",
      `At least one recipient isn't valid., Recipient '${bad.address}' isn't resolved. All recipients must be resolved before a message can be submitted.`,
    );
  }
  const own = [mailbox.mail.toLowerCase(), mailbox.upn.toLowerCase()];
  if (draft.from && !own.includes(draft.from.toLowerCase())) {
    throw new GraphError(
      403,
      "ErrorSendAsDenied",
      "The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.",
    );
  }
  g.ctx.state.recordSent({
    via: "graph",
    mailbox,
    sentBy: claims.kind === "app" ? claims.appid : (claims.upn ?? claims.oid),
    from: { name: mailbox.displayName, address: mailbox.mail },
    to: draft.to,
    cc: draft.cc,
    bcc: draft.bcc,
    subject: draft.subject,
    body: draft.body,
    saveToSentItems: draft.saveToSentItems,
  });
  send(g, ids, 202, undefined);
}
