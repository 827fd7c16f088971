// Microsoft Graph, as much as a mailbox test needs: `/me`, `/users/{id|upn}`, messages and well-known mail
// folders, and `sendMail`, with Graph's error shape, request ids and the permission checks Graph makes.
// This file authenticates and routes; graph-http.ts answers, graph-mail.ts serves the mail routes.
import type { IncomingHttpHeaders } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { checkAccessToken, hasAny, mayAccessMailbox, peekClaims, type AccessClaims, type TokenFailure } from "./access-token";
import { CLOUDS } from "./clouds";
import { takeEarlyFault, takeGraphFault, type FaultCriteria } from "./faults";
import { guid } from "./ids";
import { resourceById, type Partition } from "./resources";
import type { GraphFault, User } from "./state";
import { splitName } from "./tokens";
import { ACCESS_DENIED, GraphError, NOT_ENABLED, graphBase, segmentNotFound, send, sendError, type GraphRequest, type Ids } from "./graph-http";
import { WELL_KNOWN_FOLDERS, allMessages, folderJson, listMessages, messageJson, parseSelect, resolveFolder, sendMail } from "./graph-mail";

export type { GraphRequest } from "./graph-http";

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

function faultError(g: GraphRequest, fault: GraphFault): GraphError {
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
  const early = takeEarlyFault(state, criteria);
  if (early?.kind === "network" && early.drop) return void g.res.destroy();
  if (early?.delayMs) await sleep(early.delayMs);
  try {
    if (early?.kind === "graph") throw faultError(g, early);
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
