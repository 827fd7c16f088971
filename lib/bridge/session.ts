import type net from "node:net";
import type tls from "node:tls";
import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { HostMap, MailEndpoint } from "@/lib/microsoft/endpoints";
import { mailEndpoints } from "@/lib/microsoft/endpoints";
import type { MailHostSettings } from "@/lib/connections/connection-test";
import { getAccessToken } from "@/lib/connections/tokens";
import { diagnose } from "@/lib/diagnosis/catalog";
import { networkFailure, systemErrorCode } from "@/lib/microsoft/probes/probe-result";
import { mailboxUrl } from "@/lib/alerts/payloads";
import { logger } from "@/lib/logger";
import { normalizeIp } from "@/lib/client-ip";
import type { BridgeProtocol } from "./protocols";
import type { VerifiedCache } from "./password";
import { bridgeSignIn, type BridgeGrant, type BridgeSessionRecord, type SignInCredential, type SignInFailures, type SignInResult } from "./sign-in";
import type { RecentReads } from "./recent-reads";
import type { SessionRows } from "./session-rows";
import type { TokenResult } from "@/lib/connections/tokens";
import { Closed, type LineConn } from "./wire";

// What every bridge session shares: the bridge's dependencies, the session's grant once signed in,
// its byte counts and outcome, the token and hint rules, the byte-for-byte relay, and the one
// timeline record written when both sides have closed.

export type BridgeContext = {
  db: Db;
  keyring: Keyring;
  hostMap?: HostMap;
  mailHost?: MailHostSettings;
  portalUrl: string;
  secureContext: tls.SecureContext;
  cache: VerifiedCache;
  /** This bridge's count of failed sign-ins (per username, per address). */
  failures: SignInFailures;
  /** The name the bridge greets with. */
  hostname: string;
  /** A client quiet this long is disconnected (an IMAP IDLE must be re-issued within it, RFC 9051: 29 minutes). */
  idleTimeoutMs: number;
  /** How long an upstream connect, handshake or sign-in may take. */
  upstreamTimeoutMs: number;
  sessions: Set<Session>;
  /** Credentials and tokens read in the last few seconds (the revocation poll interval). */
  recent: { credentials: RecentReads<SignInCredential | null>; tokens: RecentReads<TokenResult> };
  /** The timeline rows, written in batches. */
  rows: SessionRows;
};

export type CutReason = "revoked" | "stopping" | "idle";

export class Session {
  grant: BridgeGrant | undefined;
  readonly startedAt = new Date();
  outcome: BridgeSessionRecord["outcome"] = "ok";
  code: string | undefined;
  reply: string | undefined;
  upstream: net.Socket | undefined;
  /** Bytes relayed after sign-in (the bridge's own lines before it are counted by the client's LineConn). */
  relayIn = 0;
  relayOut = 0;
  /** The access token the upstream session signed in with. */
  tokenUsed: string | undefined;
  ended = false;
  readonly finished: Promise<void>;
  readonly clientIp: string | null;
  private resolveFinished!: () => void;

  constructor(
    readonly ctx: BridgeContext,
    readonly protocol: BridgeProtocol,
    readonly client: LineConn,
    /** The protocol's words for a cut session, written to the client before it is closed. */
    private readonly cutWords: (reason: CutReason) => string,
    /** The client's address when a load balancer's PROXY header named it. */
    clientIp?: string | null,
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
    this.clientIp = clientIp !== undefined ? clientIp : normalizeIp(client.socket.remoteAddress);
    ctx.sessions.add(this);
    client.socket.setTimeout(ctx.idleTimeoutMs, () => this.cut("idle"));
  }


  signIn(username: string, password: string): Promise<SignInResult> {
    return bridgeSignIn({ db: this.ctx.db, portalUrl: this.ctx.portalUrl, cache: this.ctx.cache, failures: this.ctx.failures, recent: this.ctx.recent.credentials }, { username, password, protocol: this.protocol, ip: this.clientIp });
  }

  endpoint(): MailEndpoint {
    return mailEndpoints(this.grant!.cloud, this.ctx.mailHost)[this.protocol];
  }

  mailboxPage(): string {
    return mailboxUrl(this.ctx.portalUrl, this.grant!.orgSlug, this.grant!.connectionId);
  }

  /** A token for the grant, or what to tell the client: `temporary` failures get the protocol's try-again reply. */
  async token(opts: { notThisOne?: string } = {}): Promise<{ ok: true; token: string } | { ok: false; temporary: boolean; hint: string }> {
    const g = this.grant!;
    const deps = { db: this.ctx.db, keyring: this.ctx.keyring, ...(this.ctx.hostMap ? { hostMap: this.ctx.hostMap } : {}) };
    const { tokens, credentials } = this.ctx.recent;
    let r = await tokens.get(`${g.orgId}:${g.connectionId}`, () => getAccessToken(deps, g.orgId, g.connectionId, "outlook"), () => [g.connectionId]);
    // Exchange said this token expired while the portal's clock still trusts it: a fresh one, whatever the cache says.
    if (r.ok && r.value.token === opts.notThisOne) {
      tokens.forget([g.connectionId]);
      r = await getAccessToken(deps, g.orgId, g.connectionId, "outlook", { force: true });
    }
    // No token: the connection's status may have changed (re-consent), which the next sign-in reads afresh.
    if (!r.ok) credentials.forget([g.connectionId]);
    if (r.ok) {
      this.tokenUsed = r.value.token;
      return { ok: true, token: r.value.token };
    }
    this.outcome = "token_failed";
    this.code = r.failure.code;
    if (r.classification === "transient") return { ok: false, temporary: true, hint: `Mailgrant: Microsoft did not hand out a token just now (${r.failure.code}); try again in a minute` };
    if (r.classification === "needs_reconsent") return { ok: false, temporary: false, hint: `Mailgrant: this mailbox needs re-consent, see ${this.mailboxPage()}` };
    return { ok: false, temporary: false, hint: `Mailgrant: Microsoft refused the mailbox's grant (${r.failure.code}): ${diagnose(r.failure.code).fix.replaceAll("<mailbox>", g.mailbox)}` };
  }

  /** Upstream said no to the XOAUTH2 sign-in: what the mailbox's admin does about it. */
  refusedUpstream(diagnosis: string, reply: string): string {
    this.outcome = "refused_upstream";
    this.code = diagnosis;
    this.reply = reply;
    if (diagnosis === "smtp_auth_disabled") {
      return `Mailgrant: SMTP AUTH is off for ${this.grant!.mailbox} in Exchange Online; an Exchange admin turns it on with Set-CASMailbox -Identity ${this.grant!.mailbox} -SmtpClientAuthenticationDisabled $false (tenant-wide: Set-TransportConfig -SmtpClientAuthenticationDisabled $false)`;
    }
    const m = this.grant!.mailbox;
    if (diagnosis === "imap_auth_failed" || diagnosis === "pop_auth_failed") {
      const setting = diagnosis === "imap_auth_failed" ? "ImapEnabled" : "PopEnabled";
      return `Mailgrant: Exchange refused the mailbox's grant for ${m}: ${setting.replace("Enabled", "")} may be off for it (Set-CASMailbox -Identity ${m} -${setting} $true), or a shared mailbox's delegate lacks Full Access; Test now on ${this.mailboxPage()} shows the cause`;
    }
    return `Mailgrant: Microsoft refused the sign-in with the mailbox's grant; Test now on ${this.mailboxPage()} shows the cause and the fix`;
  }

  /** Upstream could not be reached or spoke nonsense. */
  unreachable(at: MailEndpoint, e: unknown): string {
    this.outcome = "error";
    // The timeline gets the diagnosis code (server_unreachable, tls_failed, …), the client Node's own.
    this.code = networkFailure({ protocol: this.protocol, ...at }, e)?.code ?? "connection_lost";
    return `Mailgrant: could not sign in at ${at.host}:${at.port} (${systemErrorCode(e) ?? this.code}); try again later`;
  }

  /** A refused attempt earlier in the session no longer describes it. */
  signedIn(): void {
    this.outcome = "ok";
    this.code = undefined;
    this.reply = undefined;
  }

  /** Relays both ways, unchanged, until either side closes. */
  relay(upstream: LineConn): void {
    if (this.ended) return void upstream.socket.destroy(); // cut (revoked, stopping) while signing in
    const c = this.client.detach();
    const u = upstream.detach();
    this.upstream = u.socket;
    const pipe = (from: net.Socket, to: net.Socket, count: (n: number) => void) => {
      from.on("data", (chunk: Buffer) => {
        count(chunk.length);
        if (!to.write(chunk)) {
          from.pause();
          to.once("drain", () => from.resume());
        }
      });
      from.on("end", () => to.end());
      from.on("close", () => this.close());
      from.on("error", () => this.close());
    };
    pipe(c.socket, u.socket, (n) => (this.relayIn += n));
    pipe(u.socket, c.socket, (n) => (this.relayOut += n));
    u.socket.setTimeout(0);
    if (c.rest.length) {
      this.relayIn += c.rest.length;
      u.socket.write(c.rest);
    }
    if (u.rest.length) {
      this.relayOut += u.rest.length;
      c.socket.write(u.rest);
    }
  }

  /**
   * The session's own loop stopped: the client went away (Closed), sent a line too long, or
   * something failed here (a database error): the client is told in the protocol's words, the
   * failure logged, the session closed.
   */
  abort(e: unknown, words: (problem: string) => string): void {
    if (!(e instanceof Closed) && !this.ended) {
      const tooLong = (e as { code?: string } | null)?.code === "LINE_TOO_LONG";
      if (!tooLong) logger.error({ err: e, ...this.logFields() }, "mail bridge session failed");
      if (this.grant) {
        this.outcome = "error";
        this.code ??= tooLong ? "line_too_long" : "bridge_error";
      }
      this.client.write(`${words(tooLong ? "Mailgrant: line too long" : "Mailgrant: the mail bridge failed; try again in a minute")}\r\n`);
    }
    this.close();
  }

  /** Who and what a log line is about: never the password or the token. */
  private logFields() {
    const g = this.grant;
    return { protocol: this.protocol, clientIp: this.clientIp, ...(g ? { orgId: g.orgId, connectionId: g.connectionId, mailbox: g.mailbox } : {}) };
  }

  /** Writes the protocol's last words and closes both sides. */
  cut(reason: CutReason): void {
    if (this.ended) return;
    if (reason === "revoked") {
      this.outcome = "revoked";
      this.code = "bridge_revoked";
    }
    const words = Buffer.from(`${this.cutWords(reason)}\r\n`);
    this.relayOut += words.length;
    this.client.socket.end(words);
    this.upstream?.destroy();
    setTimeout(() => this.close(), 1000).unref();
  }

  /** Ends the session (idempotent): both sockets destroyed, the timeline record written once. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    // Ended, not destroyed: what was written to the client last (Exchange's goodbye) is still sent.
    const client = this.client.socket;
    client.end();
    setTimeout(() => client.destroy(), 2000).unref();
    this.upstream?.destroy();
    this.ctx.sessions.delete(this);
    const grant = this.grant;
    if (!grant) return this.resolveFinished();
    const record: BridgeSessionRecord = {
      protocol: this.protocol,
      clientIp: this.clientIp,
      startedAt: this.startedAt,
      endedAt: new Date(),
      bytesFromClient: this.client.bytesIn + this.relayIn,
      bytesToClient: this.client.bytesOut + this.relayOut,
      outcome: this.outcome,
      ...(this.code ? { code: this.code } : {}),
      ...(this.reply ? { reply: this.reply } : {}),
    };
    this.ctx.rows.add(grant, record)
      .catch((e: unknown) => logger.error({ err: e, ...this.logFields() }, "could not record a mail bridge session on the mailbox's timeline"))
      .finally(() => this.resolveFinished());
  }
}
