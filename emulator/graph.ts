import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { checkAccessToken, hasAny, mayAccessMailbox, peekClaims, type AccessClaims, type TokenFailure } from "./access-token";
import { CLOUDS } from "./clouds";
import type { EmulatorContext } from "./context";
import { takeGraphFault, takeNetworkFault, type FaultCriteria } from "./faults";
import { guid } from "./ids";
import { graphId, parseAddressList, parseMime, type MailAddress, type MailMessage } from "./mailbox";
import { resourceById, type Partition } from "./resources";
import type { Fault, User } from "./state";
import { splitName } from "./tokens";

/**
 * Microsoft Graph, as much as a mailbox test needs: `/me`, `/users/{id|upn}`, messages and well-known mail
 * folders, and `sendMail`, with Graph's error shape, request ids and the permission checks Graph makes.
 */
export interface GraphRequest {
  ctx: EmulatorContext;
  /** The Graph host the request was addressed to (`graph.microsoft.com`, `graph.microsoft.us`, …). */
  host: string;
  /** `v1.0` or `beta`. */
  version: string;
  method: string;
  /** Path segments after the version, URL-decoded. */
  path: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  res: ServerResponse;
}

const GRAPH_PARTITIONS: Record<string, Partition> = {
  "graph.microsoft.com": "global",
  "graph.microsoft.us": "gcchigh",
  "dod-graph.microsoft.us": "dod",
  "microsoftgraph.chinacloudapi.cn": "china",
};

const LOGIN_HOSTS: Record<Partition, string> = {
  global: CLOUDS.global.loginHost,
  gcchigh: CLOUDS.usgov.loginHost,
  dod: CLOUDS.usgov.loginHost,
  china: CLOUDS.china.loginHost,
};

const GRAPH_APP_ID = resourceById("graph").appId;

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Ids {
  requestId: string;
  clientRequestId: string;
}

const ACCESS_DENIED = () => new GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
const NOT_ENABLED = () => new GraphError(404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise.");
const segmentNotFound = (segment: string) => new GraphError(400, "BadRequest", `Resource not found for the segment '${segment}'.`);

/** Graph's innerError date: ISO seconds without a zone. */
const graphDate = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "");

function responseHeaders(ids: Ids): Record<string, string> {
  return {
    "request-id": ids.requestId,
    "client-request-id": ids.clientRequestId,
    "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "1", ScaleUnit: "000", RoleInstance: "EMULATOR01" } }),
    "cache-control": "no-cache",
  };
}

function send(g: GraphRequest, ids: Ids, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const all = { ...responseHeaders(ids), ...headers };
  if (body === undefined) {
    g.res.writeHead(status, { ...all, "content-length": "0" });
    return void g.res.end();
  }
  const text = JSON.stringify(body);
  g.res.writeHead(status, {
    "content-type": "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
    "odata-version": "4.0",
    ...all,
  });
  g.res.end(text);
}

function sendError(g: GraphRequest, ids: Ids, e: GraphError): void {
  send(
    g,
    ids,
    e.status,
    { error: { code: e.code, message: e.message, innerError: { date: graphDate(g.ctx.state.now()), "request-id": ids.requestId, "client-request-id": ids.clientRequestId } } },
    e.headers,
  );
}

function partitionOfHost(host: string): Partition {
  return GRAPH_PARTITIONS[host.toLowerCase()] ?? "global";
}

/** `WWW-Authenticate` on Graph's 401s; `claims` turns it into a CAE claims challenge. */
function bearerChallenge(host: string, claims?: string): string {
  const authorizationUri = `https://${LOGIN_HOSTS[partitionOfHost(host)]}/common/oauth2/authorize`;
  return claims === undefined
    ? `Bearer realm="", authorization_uri="${authorizationUri}", client_id="${GRAPH_APP_ID}"`
    : `Bearer realm="", authorization_uri="${authorizationUri}", error="insufficient_claims", claims="${claims}"`;
}

const TOKEN_MESSAGES: Record<TokenFailure, string> = {
  missing: "Access token is empty.",
  malformed: "CompactToken parsing failed with error code: 80049217",
  signature: "Access token validation failure.",
  audience: "Access token validation failure. Invalid audience.",
  expired: "Access token has expired or is not yet valid.",
  notYetValid: "Access token has expired or is not yet valid.",
};

const FAULT_ANSWERS: Record<number, [string, string]> = {
  401: ["InvalidAuthenticationToken", "Access token has expired or is not yet valid."],
  403: ["ErrorAccessDenied", "Access is denied. Check credentials and try again."],
  429: ["ApplicationThrottled", "Application is over its MailboxConcurrency limit."],
  500: ["ErrorInternalServerError", "An internal server error occurred. The operation failed."],
  502: ["UnknownError", ""],
  503: ["serviceNotAvailable", "The service is temporarily unavailable. Please retry the request after a delay, which may be specified in a Retry-After header."],
  504: ["UnknownError", ""],
};

function faultError(g: GraphRequest, fault: Fault): GraphError {
  if (fault.claimsChallenge) {
    const nbf = String(Math.floor(g.ctx.state.now() / 1000));
    const claims = Buffer.from(JSON.stringify({ access_token: { nbf: { essential: true, value: nbf } } })).toString("base64");
    return new GraphError(
      401,
      "InvalidAuthenticationToken",
      "Continuous access evaluation resulted in challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp",
      { "www-authenticate": bearerChallenge(g.host, claims) },
    );
  }
  const status = fault.status ?? 503;
  const [code, message] = FAULT_ANSWERS[status] ?? ["UnknownError", ""];
  const retryAfter = fault.retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  return new GraphError(status, code, message, {
    ...(retryAfter !== undefined ? { "retry-after": String(retryAfter) } : {}),
    ...(status === 401 ? { "www-authenticate": bearerChallenge(g.host) } : {}),
  });
}

type Target = { kind: "me" } | { kind: "user"; ref: string };

/** `mailFolders('Inbox')` and `users('x')` are the same as `mailFolders/Inbox` and `users/x`. */
function normalizePath(path: string[]): string[] {
  return path.flatMap((seg) => {
    const m = /^([A-Za-z]+)\('([^']*)'\)$/.exec(seg);
    return m ? [m[1]!, m[2]!] : [seg];
  });
}

function parseTarget(path: string[]): { target: Target; rest: string[] } | undefined {
  const [first = "", second, ...rest] = path;
  if (first.toLowerCase() === "me") return { target: { kind: "me" }, rest: second === undefined ? [] : [second, ...rest] };
  if (first.toLowerCase() === "users" && second) return { target: { kind: "user", ref: second }, rest };
  return undefined;
}

function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")?.[1];
}

export async function handleGraph(g: GraphRequest): Promise<void> {
  const { state } = g.ctx;
  const clientRequestId = g.headers["client-request-id"];
  const ids: Ids = { requestId: guid(), clientRequestId: typeof clientRequestId === "string" && clientRequestId ? clientRequestId : guid() };
  const path = normalizePath(g.path);
  const parsed = parseTarget(path);
  const token = bearerToken(g.headers);

  // Faults match before validation, on what the request names: app and tenant from the raw token, the mailbox from the path.
  const peek = peekClaims(token);
  const mailboxGuess = parsed?.target.kind === "me" ? (peek.oid ? state.users.get(peek.oid) : undefined) : parsed ? state.findUser(parsed.target.ref) : undefined;
  const tenant = peek.tid ? state.tenants.get(peek.tid) : undefined;
  const criteria: FaultCriteria = {
    endpoint: "graph",
    tenantSegment: peek.tid ?? "",
    ...(tenant ? { tenant } : {}),
    ...(peek.appid ? { clientId: peek.appid } : {}),
    ...(mailboxGuess ? { upn: mailboxGuess.upn } : {}),
  };
  const network = takeNetworkFault(state, criteria);
  if (network?.drop) return void g.res.destroy();
  if (network?.delayMs) await sleep(network.delayMs);
  try {
    if (network && (network.status !== undefined || network.claimsChallenge)) throw faultError(g, network);
    const check = await checkAccessToken(g.ctx.key, token, [`https://${g.host.toLowerCase()}`], state.now());
    if (!check.ok) {
      const message = check.failure === "malformed" && !token?.includes(".")
        ? "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format. (JWS): 'EncodedHeader.EndcodedPayload.EncodedSignature'. (JWE): 'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext.EncodedAuthenticationTag'."
        : TOKEN_MESSAGES[check.failure];
      throw new GraphError(401, "InvalidAuthenticationToken", message, { "www-authenticate": bearerChallenge(g.host) });
    }
    const claims = check.claims;
    if (!state.tenants.has(claims.tid) || (claims.kind === "user" && !state.users.has(claims.oid))) {
      throw new GraphError(401, "InvalidAuthenticationToken", TOKEN_MESSAGES.signature, { "www-authenticate": bearerChallenge(g.host) });
    }
    const fault = takeGraphFault(state, criteria);
    if (fault) throw faultError(g, fault);
    if (!parsed) throw segmentNotFound(path[0] ?? "");
    await route(g, ids, claims, parsed.target, parsed.rest);
  } catch (err) {
    if (!(err instanceof GraphError)) throw err;
    sendError(g, ids, err);
  }
}

const PROFILE_SELF = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All", "Directory.AccessAsUser.All"];
const PROFILE_OTHERS = PROFILE_SELF.filter((s) => s.endsWith(".All"));
const PROFILE_APP = ["User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
const READ_OWN = ["Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite", "Mail.ReadBasic.Shared", "Mail.Read.Shared", "Mail.ReadWrite.Shared"];
const READ_OTHERS = ["Mail.ReadBasic.Shared", "Mail.Read.Shared", "Mail.ReadWrite.Shared"];
const READ_APP = ["Mail.ReadBasic.All", "Mail.ReadBasic", "Mail.Read", "Mail.ReadWrite"];
const SEND_OWN = ["Mail.Send", "Mail.Send.Shared"];
const SEND_OTHERS = ["Mail.Send.Shared"];
const SEND_APP = ["Mail.Send"];

async function route(g: GraphRequest, ids: Ids, claims: AccessClaims, target: Target, rest: string[]): Promise<void> {
  const { state } = g.ctx;
  if (target.kind === "me" && claims.kind === "app") throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
  const user = target.kind === "me" ? state.users.get(claims.oid) : state.findUser(target.ref);
  const visible = user && user.tenantId === claims.tid ? user : undefined;
  const ref = target.kind === "me" ? claims.oid : target.ref;
  const [a = "", b, c, ...more] = rest;
  const seg = a.toLowerCase();
  const method = g.method;
  const allow = (m: string) => {
    if (method !== m) throw new GraphError(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
  };

  if (rest.length === 0) {
    allow("GET");
    if (!visible) throw new GraphError(404, "Request_ResourceNotFound", `Resource '${ref}' does not exist or one of its queried reference-property objects are not present.`);
    const own = claims.kind === "user" && visible.id === claims.oid;
    const ok = claims.kind === "app" ? hasAny(claims.roles, PROFILE_APP) : hasAny(claims.scopes, own ? PROFILE_SELF : PROFILE_OTHERS);
    if (!ok) throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
    return send(g, ids, 200, profileJson(g, visible));
  }

  if (!visible) throw new GraphError(404, "ErrorInvalidUser", `The requested user '${ref}' is invalid.`);
  if (seg === "sendmail" && b === undefined) {
    allow("POST");
    mailAccess(g, claims, visible, "send");
    return sendMail(g, ids, claims, visible);
  }
  if (seg === "messages" && c === undefined) {
    allow("GET");
    const basic = mailAccess(g, claims, visible, "read");
    if (b === undefined) return listMessages(g, ids, visible, "all", rest, basic);
    const msg = allMessages(g, visible).find((m) => m.message.id === b);
    if (!msg) throw new GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.");
    const select = parseSelect(g.query);
    return send(g, ids, 200, { "@odata.context": `${graphBase(g)}/$metadata#users('${visible.id}')/messages/$entity`, ...messageJson(msg.message, msg.folder, visible, select, basic) });
  }
  if (seg === "mailfolders") {
    allow("GET");
    const basic = mailAccess(g, claims, visible, "read");
    if (b === undefined) {
      return send(g, ids, 200, {
        "@odata.context": `${graphBase(g)}/$metadata#users('${visible.id}')/mailFolders`,
        value: Object.keys(WELL_KNOWN_FOLDERS).map((f) => folderJson(g, visible, f)),
      });
    }
    const folder = resolveFolder(visible, b);
    if (!folder) throw new GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.");
    if (c === undefined) return send(g, ids, 200, { "@odata.context": `${graphBase(g)}/$metadata#users('${visible.id}')/mailFolders/$entity`, ...folderJson(g, visible, folder) });
    if (c.toLowerCase() === "messages" && more.length === 0) return listMessages(g, ids, visible, folder, rest, basic);
    throw segmentNotFound(c);
  }
  throw segmentNotFound(a);
}

/**
 * Graph's checks for a mail call, in its order: the permission in the token (403), the mailbox (404 without
 * Exchange Online), then whether the caller may open this mailbox (403). Returns whether only Mail.ReadBasic*
 * was granted (no body).
 */
function mailAccess(g: GraphRequest, claims: AccessClaims, mailbox: User, op: "read" | "send"): boolean {
  const own = claims.kind === "user" && mailbox.id === claims.oid;
  const granted = claims.kind === "app" ? claims.roles : claims.scopes;
  const wanted = claims.kind === "app" ? (op === "read" ? READ_APP : SEND_APP) : op === "read" ? (own ? READ_OWN : READ_OTHERS) : own ? SEND_OWN : SEND_OTHERS;
  if (!hasAny(granted, wanted)) throw ACCESS_DENIED();
  if (!g.ctx.state.tenants.get(mailbox.tenantId)?.exchangeOnline) throw NOT_ENABLED();
  if (!mayAccessMailbox(g.ctx.state, claims, mailbox)) throw ACCESS_DENIED();
  return op === "read" && !hasAny(granted, wanted.filter((w) => !w.startsWith("Mail.ReadBasic")));
}

function graphBase(g: GraphRequest): string {
  return `${g.ctx.httpsOrigin}/${g.host}/${g.version}`;
}

function profileJson(g: GraphRequest, user: User): Record<string, unknown> {
  const { given_name, family_name } = splitName(user.displayName);
  return {
    "@odata.context": `${graphBase(g)}/$metadata#users/$entity`,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.kind === "shared" ? null : given_name,
    jobTitle: null,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: user.kind === "shared" ? null : "en-US",
    surname: user.kind === "shared" ? null : family_name || null,
    userPrincipalName: user.upn,
    id: user.id,
  };
}

const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: "Inbox",
  sentitems: "Sent Items",
  drafts: "Drafts",
  deleteditems: "Deleted Items",
  junkemail: "Junk Email",
  archive: "Archive",
  outbox: "Outbox",
};

const folderId = (user: User, name: string) => graphId(user.id, "folder", name);

function resolveFolder(user: User, ref: string): string | undefined {
  const key = ref.toLowerCase();
  if (WELL_KNOWN_FOLDERS[key]) return key;
  return Object.keys(WELL_KNOWN_FOLDERS).find((name) => folderId(user, name) === ref);
}

function folderMessages(g: GraphRequest, user: User, folder: string): MailMessage[] {
  const box = g.ctx.state.mailboxOf(user);
  if (folder === "inbox") return box.inbox;
  if (folder === "sentitems") return box.sentItems;
  return [];
}

function allMessages(g: GraphRequest, user: User): { message: MailMessage; folder: string }[] {
  return ["inbox", "sentitems"].flatMap((folder) => folderMessages(g, user, folder).map((message) => ({ message, folder })));
}

function folderJson(g: GraphRequest, user: User, folder: string): Record<string, unknown> {
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

const MESSAGE_PROPERTIES = [
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
const BODY_PROPERTIES = new Set(["body", "bodyPreview", "uniqueBody"]);

function parseSelect(query: URLSearchParams): string[] | undefined {
  const raw = query.get("$select");
  if (raw === null || raw.trim() === "") return undefined;
  return raw.split(",").map((p) => {
    const name = p.trim();
    const canonical = MESSAGE_PROPERTIES.find((m) => m.toLowerCase() === name.toLowerCase());
    if (!canonical) throw new GraphError(400, "RequestBroker--ParseUri", `Could not find a property named '${name}' on type 'microsoft.graph.message'.`);
    return canonical;
  });
}

function intOption(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new GraphError(400, "BadRequest", `Invalid value '${raw}' for query option '${name}'.`);
  return n;
}

const recipient = (a: MailAddress) => ({ emailAddress: { name: a.name || a.address, address: a.address } });

function messageJson(msg: MailMessage, folder: string, user: User, select: string[] | undefined, basic: boolean): Record<string, unknown> {
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

function listMessages(g: GraphRequest, ids: Ids, user: User, folder: string, rest: string[], basic: boolean): void {
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

interface Draft {
  subject: string;
  body: string;
  to: MailAddress[];
  cc: MailAddress[];
  bcc: MailAddress[];
  from?: string;
  saveToSentItems: boolean;
}

function draftFromJson(text: string): Draft {
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
function draftFromMime(text: string): Draft {
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

const VALID_ADDRESS = /^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$/;

function sendMail(g: GraphRequest, ids: Ids, claims: AccessClaims, mailbox: User): void {
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
