import { randomBytes } from "node:crypto";
import { checkAccessToken, hasAny, mayAccessMailbox, peekClaims, type AccessClaims, type TokenFailure } from "./access-token";
import type { EmulatorContext } from "./context";
import type { FaultCriteria } from "./faults";
import { partitionOf, resourceById } from "./resources";
import type { EmulatorState, MailProtocol, Tenant, User } from "./state";

/** The Exchange Online front-end the emulator pretends to be (it appears in greetings and SMTP diagnostics). */
export const EXCHANGE_SERVER = "EMU01PR01CA0001.namprd01.prod.outlook.com";

/** Exchange's IMAP/POP greetings end with the server name in base64 of UTF-16LE, in brackets. */
export const GREETING_TAG = Buffer.from(EXCHANGE_SERVER.toUpperCase(), "utf16le").toString("base64");

/** SMTP diagnostics, as in `535 5.7.3 Authentication unsuccessful [MN2PR05CA0004.namprd05.prod.outlook.com 2023-09-12T20:59:57.214Z 08DBB276B7E699C4]`. */
export function smtpDiagnostic(nowMs: number): string {
  return `[${EXCHANGE_SERVER} ${new Date(nowMs).toISOString()} ${randomBytes(8).toString("hex").toUpperCase()}]`;
}

/** The delegated scope and the application permission each protocol needs in an Outlook-audience token. */
export const PROTOCOL_PERMISSIONS: Record<MailProtocol, { delegated: string[]; app: string[] }> = {
  imap: { delegated: ["IMAP.AccessAsUser.All"], app: ["IMAP.AccessAsApp"] },
  pop: { delegated: ["POP.AccessAsUser.All"], app: ["POP.AccessAsApp"] },
  smtp: { delegated: ["SMTP.Send"], app: ["SMTP.SendAsApp"] },
};

/** `base64("user=" + mailbox + "\x01auth=Bearer " + token + "\x01\x01")`; undefined when it isn't that. */
export function decodeXoauth2(b64: string): { user: string; token: string } | undefined {
  const trimmed = b64.trim();
  if (!trimmed || !/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) return undefined;
  const text = Buffer.from(trimmed, "base64").toString("utf8");
  const fields = text.split("\x01");
  const user = /^user=(.+)$/.exec(fields[0] ?? "")?.[1];
  const token = /^auth=Bearer\s+(\S+)$/i.exec(fields[1] ?? "")?.[1];
  if (!user || !token || fields[2] !== "" || fields[3] !== "") return undefined;
  return { user: user.trim(), token };
}

export type MailAuthFailure = "malformed" | TokenFailure | "tenant" | "scope" | "mailbox" | "exchange" | "smtpAuthDisabledForTenant" | "smtpAuthDisabledForMailbox";
export type MailAuthResult = { ok: true; mailbox: User; claims: AccessClaims } | { ok: false; failure: MailAuthFailure; user?: string };

/**
 * What Exchange checks before it says OK to XOAUTH2: an Outlook-audience token of the tenant's cloud (signature,
 * audience, lifetime on the emulator clock), the protocol's scope (or app permission), a `user=` mailbox the token
 * may open (its own, or a shared mailbox it is a delegate of; any mailbox of the tenant app-only), and Exchange
 * Online in that tenant; for SMTP, that SMTP AUTH is on for the mailbox. Every other refusal looks the same on the
 * wire; the reason goes to the emulator's mail log (GET /_emulator/mail-log).
 */
export async function authenticateXoauth2(ctx: EmulatorContext, protocol: MailProtocol, b64: string): Promise<MailAuthResult> {
  const result = await check(ctx, protocol, b64);
  const user = result.ok ? result.mailbox.upn : result.user;
  ctx.state.logMailAuth({ protocol, ...(user ? { user } : {}), ok: result.ok, ...(result.ok ? {} : { reason: result.failure }) });
  return result;
}

async function check(ctx: EmulatorContext, protocol: MailProtocol, b64: string): Promise<MailAuthResult> {
  const { state } = ctx;
  const parsed = decodeXoauth2(b64);
  if (!parsed) return { ok: false, failure: "malformed" };
  const fail = (failure: MailAuthFailure): MailAuthResult => ({ ok: false, failure, user: parsed.user });
  const tid = peekClaims(parsed.token).tid;
  const tenant = tid ? state.tenants.get(tid) : undefined;
  if (!tenant) {
    // Say why as precisely as we can in the log: not a token of ours at all, or one for a tenant we don't have.
    const check = await checkAccessToken(ctx.key, parsed.token, [], state.now());
    return fail(!check.ok && (check.failure === "malformed" || check.failure === "signature") ? check.failure : "tenant");
  }
  const audiences = resourceById("outlook").uris[partitionOf(tenant)];
  const token = await checkAccessToken(ctx.key, parsed.token, audiences, state.now());
  if (!token.ok) return fail(token.failure);
  const { claims } = token;
  const wanted = PROTOCOL_PERMISSIONS[protocol];
  if (!(claims.kind === "app" ? hasAny(claims.roles, wanted.app) : hasAny(claims.scopes, wanted.delegated))) return fail("scope");
  const mailbox = state.findMailboxUser(parsed.user);
  if (!mailbox || !mayAccessMailbox(state, claims, mailbox)) return fail("mailbox");
  if (!tenant.exchangeOnline) return fail("exchange");
  // SMTP AUTH switched off answers 5.7.139 (not 5.7.3) once the token itself is good.
  const disabled = protocol === "smtp" ? state.smtpAuthDisabledFor(mailbox) : null;
  if (disabled) return fail(disabled === "Tenant" ? "smtpAuthDisabledForTenant" : "smtpAuthDisabledForMailbox");
  return { ok: true, mailbox, claims };
}

/**
 * The SASL error challenge of XOAUTH2 (Google's spec; OAUTHBEARER's error message, RFC 7628 §3.2.2): base64 of
 * `{"status":"401","schemes":"bearer","scope":"<the tenant's Outlook resource>/.default"}`.
 */
export function xoauth2ErrorChallenge(tenant: Tenant | undefined): string {
  const resource = tenant ? resourceById("outlook").uris[partitionOf(tenant)][0] : undefined;
  const json = JSON.stringify({ status: "401", schemes: "bearer", scope: `${resource ?? "https://outlook.office.com"}/.default` });
  return Buffer.from(json).toString("base64");
}

/** Fault matching for a mail AUTH: the `user=` mailbox, and the app and tenant read from the raw token. */
export function mailCriteria(state: EmulatorState, protocol: MailProtocol, who: { user?: string; token?: string } = {}): FaultCriteria {
  const peek = peekClaims(who.token);
  const tenant = peek.tid ? state.tenants.get(peek.tid) : undefined;
  const mailbox = who.user ? state.findMailboxUser(who.user) : undefined;
  const upn = mailbox?.upn ?? who.user;
  return {
    endpoint: protocol,
    tenantSegment: peek.tid ?? "",
    ...(tenant ? { tenant } : {}),
    ...(peek.appid ? { clientId: peek.appid } : {}),
    ...(upn ? { upn } : {}),
  };
}

/** Criteria from an XOAUTH2 payload without validating it. */
export function xoauth2Criteria(state: EmulatorState, protocol: MailProtocol, b64: string): FaultCriteria {
  const parsed = decodeXoauth2(b64);
  return mailCriteria(state, protocol, parsed ?? {});
}

/**
 * Exchange Online ends a mail session once the access token it signed in with expires: the next command is answered
 * with this (IMAP `* BYE …`, POP `-ERR …`, SMTP `421 4.7.0 …`) and the connection is closed.
 */
export const ACCESS_TOKEN_EXPIRED = "Session invalidated - AccessTokenExpired";

/** Whether a session signed in with `claims` has outlived its token (`exp`, no skew) on the emulator clock. */
export function sessionExpired(claims: AccessClaims | undefined, nowMs: number): boolean {
  return claims !== undefined && nowMs >= claims.exp * 1000;
}
