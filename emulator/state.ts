import { certificateFromPem, type AppCertificate } from "./certificates";
import type { Cloud, Subcloud } from "./clouds";
import { guid, newSecretValue } from "./ids";
import { generateMailbox, type Mailbox, type SentMessage } from "./mailbox";
import { deliver, type SendInput } from "./deliver";
import { SeedError, type Seed } from "./seed";
import { ConflictError, ValidationError } from "./model";
import { ConsentIndex, RingBuffer } from "./collections";
import type { Tenant, UserConsentSetting, UserKind, User, AppSecret, App, PendingConsent, AuthCode, RefreshToken, Fault, MailAuthLogEntry, TenantRef } from "./model";

export * from "./model";

/** Where Entra says a tenant lives when nobody said otherwise (discovery's `tenant_region_scope`). */
const DEFAULT_REGION_SCOPE: Record<Cloud, string> = { global: "NA", usgov: "USGov", china: "AS" };

const ALIASES = new Set(["common", "organizations", "consumers"]);

/** Messages kept in the admin outbox (Graph sendMail and SMTP), newest kept. */
export const OUTBOX_CAPACITY = 1000;
/** IMAP/POP/SMTP authentications kept in the mail log, newest kept. */
export const MAIL_LOG_CAPACITY = 500;
/** Refresh tokens that cannot be redeemed any more (revoked, or idle past the 90 days) are forgotten this much later. */
export const REFRESH_TOKEN_RETENTION_MS = 7 * 86_400_000;
/** Refresh tokens unused this long answer AADSTS700082. */
export const REFRESH_INACTIVITY_MS = 90 * 86_400_000;
const SWEEP_INTERVAL_MS = 60_000;

export class EmulatorState {
  tenants = new Map<string, Tenant>();
  users = new Map<string, User>();
  apps = new Map<string, App>();
  codes = new Map<string, AuthCode>();
  refreshTokens = new Map<string, RefreshToken>();
  consents = new ConsentIndex();
  pendingConsents = new Map<string, PendingConsent>();
  faults: Fault[] = [];
  /** Exchange mailboxes by user object id (every user and shared mailbox has one). */
  mailboxes = new Map<string, Mailbox>();
  /** Everything sent through Graph sendMail or SMTP, oldest first (the last OUTBOX_CAPACITY). */
  outbox = new RingBuffer<SentMessage>(OUTBOX_CAPACITY);
  /** The last IMAP/POP/SMTP authentications with the reason for each refusal (the wire only says "failed"). */
  mailAuthLog = new RingBuffer<MailAuthLogEntry>(MAIL_LOG_CAPACITY);
  // Lookup indexes (lower-cased keys), kept in step by addTenant/addUser: UPNs, mail addresses, domains never change.
  private usersByUpn = new Map<string, User>();
  private usersByMail = new Map<string, User>();
  private usersByTenant = new Map<string, User[]>();
  private tenantsByDomain = new Map<string, Tenant>();
  private lastSweepAt = 0;
  /** Browser sessions (cookie value → user ids) so prompt=none can succeed after a sign-in. */
  sessions = new Map<string, Set<string>>();
  /** Tests move time forward instead of sleeping (code expiry, refresh inactivity). */
  clockOffsetMs = 0;
  /** Told after anything that may have changed the state (a non-GET request, a mail command): the state file saver. */
  onChange: (() => void) | undefined;

  changed(): void {
    this.onChange?.();
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
    this.sweep(true);
  }

  /** Stores a refresh token (the token endpoint and bulk grants both mint through here). */
  addRefreshToken(rt: Omit<RefreshToken, "revoked" | "issuedAt" | "lastUsedAt">): RefreshToken {
    const now = this.now();
    const rec: RefreshToken = { ...rt, issuedAt: now, lastUsedAt: now, revoked: false };
    this.refreshTokens.set(rec.token, rec);
    this.sweep();
    return rec;
  }

  /** Marks a refresh token revoked (the next refresh answers 50173); returns whether it was live. */
  revokeRefreshToken(rt: RefreshToken): boolean {
    if (rt.revoked) return false;
    rt.revoked = true;
    rt.revokedAt = this.now();
    return true;
  }

  /**
   * Forgets what can never be redeemed again: refresh tokens revoked or idle past the inactivity limit for longer
   * than REFRESH_TOKEN_RETENTION_MS (until then they still answer 50173 / 700082), expired codes and consent
   * screens. Runs at most once a minute of emulator time, and whenever the clock is moved.
   */
  sweep(force = false): { refreshTokens: number; codes: number } {
    const now = this.now();
    if (!force && now - this.lastSweepAt < SWEEP_INTERVAL_MS) return { refreshTokens: 0, codes: 0 };
    this.lastSweepAt = now;
    let refreshTokens = 0;
    let codes = 0;
    for (const [token, rt] of this.refreshTokens) {
      const deadSince = rt.revoked ? (rt.revokedAt ?? rt.issuedAt) : rt.lastUsedAt + REFRESH_INACTIVITY_MS;
      if (now - deadSince > REFRESH_TOKEN_RETENTION_MS) {
        this.refreshTokens.delete(token);
        refreshTokens += 1;
      }
    }
    for (const [code, rec] of this.codes) {
      if (now - rec.expiresAt > 3_600_000) {
        this.codes.delete(code);
        codes += 1;
      }
    }
    for (const [id, pending] of this.pendingConsents) if (now > pending.expiresAt) this.pendingConsents.delete(id);
    return { refreshTokens, codes };
  }

  load(seed: Seed): void {
    this.tenants.clear();
    this.users.clear();
    this.apps.clear();
    this.codes.clear();
    this.refreshTokens.clear();
    this.consents.clear();
    this.pendingConsents.clear();
    this.sessions.clear();
    this.faults = [];
    this.mailboxes.clear();
    this.outbox.clear();
    this.mailAuthLog.clear();
    this.usersByUpn.clear();
    this.usersByMail.clear();
    this.usersByTenant.clear();
    this.tenantsByDomain.clear();
    this.clockOffsetMs = 0;
    this.lastSweepAt = 0;
    try {
      seed.tenants.forEach((t) => {
        const tenant = this.addTenant(t);
        // People first, so a shared mailbox may name delegates listed after it.
        t.users.filter((u) => u.kind !== "shared").forEach((u) => this.addUser(tenant, u));
        t.users.filter((u) => u.kind === "shared").forEach((u) => this.addUser(tenant, u));
      });
    } catch (err) {
      throw new SeedError(`invalid seed: tenants: ${(err as Error).message}`);
    }
    seed.apps.forEach((a, i) => {
      const home = this.findTenant(a.homeTenant);
      if (!home) throw new SeedError(`invalid seed: apps[${i}].homeTenant: no tenant "${a.homeTenant}" in the seed`);
      try {
        this.addApp(home, a);
      } catch (err) {
        throw new SeedError(`invalid seed: apps[${i}]: ${(err as Error).message}`);
      }
    });
  }

  addTenant(input: {
    displayName: string;
    domains: string[];
    cloud?: Cloud;
    subcloud?: Subcloud | undefined;
    gcc?: boolean | undefined;
    regionScope?: string | undefined;
    exchangeOnline?: boolean;
    userConsent?: UserConsentSetting;
    smtpAuthDisabled?: boolean;
    id?: string;
  }): Tenant {
    const id = (input.id ?? guid()).toLowerCase();
    if (this.tenants.has(id)) throw new ConflictError(`tenant ${id} already exists`);
    const domains = input.domains.map((d) => d.toLowerCase());
    const taken = domains.find((d) => this.findTenant(d));
    if (taken) throw new ConflictError(`domain ${taken} is already verified by another tenant`);
    const cloud = input.cloud ?? "global";
    const tenant: Tenant = {
      id,
      displayName: input.displayName,
      domains,
      cloud,
      ...(cloud === "usgov" ? { subcloud: input.subcloud ?? "gcchigh" } : {}),
      ...(cloud === "global" && input.gcc ? { gcc: true } : {}),
      regionScope: input.regionScope ?? DEFAULT_REGION_SCOPE[cloud],
      exchangeOnline: input.exchangeOnline ?? true,
      userConsent: input.userConsent ?? "allowed",
      smtpAuthDisabled: input.smtpAuthDisabled ?? false,
    };
    this.tenants.set(id, tenant);
    for (const d of domains) this.tenantsByDomain.set(d, tenant);
    this.usersByTenant.set(id, []);
    return tenant;
  }

  addUser(
    tenant: Tenant,
    input: {
      upn: string;
      displayName: string;
      id?: string;
      mail?: string;
      admin?: boolean;
      kind?: UserKind;
      delegates?: string[];
      smtpAuthDisabled?: boolean | null;
      /** Generated Inbox messages (default 3). */
      inboxCount?: number;
    },
  ): User {
    const id = (input.id ?? guid()).toLowerCase();
    if (this.users.has(id)) throw new ConflictError(`user ${id} already exists`);
    if (this.findUserByUpn(input.upn)) throw new ConflictError(`user ${input.upn} already exists`);
    const kind = input.kind ?? "user";
    if (kind === "shared" && input.admin) throw new ValidationError("admin: a shared mailbox cannot sign in, so it cannot be an administrator");
    if (kind === "user" && input.delegates !== undefined) throw new ValidationError("delegates: only a shared mailbox has delegates");
    const user: User = {
      id,
      tenantId: tenant.id,
      upn: input.upn,
      displayName: input.displayName,
      mail: input.mail ?? input.upn,
      admin: input.admin ?? false,
      kind,
      ...(kind === "shared" ? { delegates: this.resolveDelegates(tenant, input.delegates ?? []) } : {}),
      smtpAuthDisabled: input.smtpAuthDisabled ?? null,
    };
    this.users.set(id, user);
    this.usersByUpn.set(user.upn.toLowerCase(), user);
    if (!this.usersByMail.has(user.mail.toLowerCase())) this.usersByMail.set(user.mail.toLowerCase(), user);
    this.usersByTenant.get(tenant.id)?.push(user);
    this.mailboxes.set(id, generateMailbox(user, input.inboxCount ?? 3, this.now()));
    return user;
  }

  mailboxOf(user: User): Mailbox {
    let box = this.mailboxes.get(user.id);
    if (!box) {
      box = generateMailbox(user, 0, this.now());
      this.mailboxes.set(user.id, box);
    }
    return box;
  }

  /** Whether SMTP AUTH is off for this mailbox, and by whom (the mailbox setting wins over the tenant's). */
  smtpAuthDisabledFor(user: User): "Mailbox" | "Tenant" | null {
    if (user.smtpAuthDisabled === true) return "Mailbox";
    if (user.smtpAuthDisabled === false) return null;
    return this.tenants.get(user.tenantId)?.smtpAuthDisabled ? "Tenant" : null;
  }

  /** Records a message sent from a mailbox (Graph sendMail or SMTP DATA): see deliver.ts. */
  recordSent(input: SendInput): SentMessage {
    return deliver(this, input);
  }

  logMailAuth(entry: Omit<MailAuthLogEntry, "at">): void {
    this.mailAuthLog.push({ at: new Date(this.now()).toISOString(), ...entry });
  }

  /** The user or shared mailbox with this address (UPN or primary SMTP address). */
  findMailboxUser(address: string): User | undefined {
    const key = address.toLowerCase();
    return this.usersByUpn.get(key) ?? this.usersByMail.get(key);
  }

  /** Delegates are named by object id or UPN and must be sign-in-able users of the mailbox's tenant. */
  resolveDelegates(tenant: Tenant, refs: string[]): string[] {
    const ids = refs.map((ref) => {
      const user = this.findUser(ref);
      if (!user || user.tenantId !== tenant.id || user.kind !== "user") {
        throw new ValidationError(`delegates: "${ref}" is not a user of tenant ${tenant.domains[0] ?? tenant.id}`);
      }
      return user.id;
    });
    return [...new Set(ids)];
  }

  addApp(
    tenant: Tenant,
    input: {
      displayName: string;
      multiTenant?: boolean;
      redirectUris?: string[];
      clientId?: string;
      secrets?: { secretId?: string; value?: string; expiresAt?: string | null }[];
      certificates?: { certificatePem: string }[];
      appPermissions?: Record<string, string[]>;
      preAuthorized?: boolean;
    },
  ): App {
    const clientId = (input.clientId ?? guid()).toLowerCase();
    if (this.apps.has(clientId)) throw new ConflictError(`app ${clientId} already exists`);
    const app: App = {
      clientId,
      homeTenantId: tenant.id,
      displayName: input.displayName,
      multiTenant: input.multiTenant ?? false,
      redirectUris: [...(input.redirectUris ?? [])],
      secrets: [],
      certificates: [],
      appPermissions: structuredClone(input.appPermissions ?? {}),
      preAuthorized: input.preAuthorized ?? false,
    };
    (input.secrets ?? []).forEach((s) => this.addSecret(app, s));
    (input.certificates ?? []).forEach((c) => this.addCertificate(app, c.certificatePem));
    this.apps.set(clientId, app);
    return app;
  }

  addSecret(app: App, input: { secretId?: string; value?: string; expiresAt?: string | null }): AppSecret {
    const value = input.value ?? newSecretValue();
    // Entra's default secret lifetime is 180 days; null keeps seeds from expiring under a demo.
    const expiresAt = input.expiresAt === undefined ? new Date(this.now() + 180 * 86_400_000).toISOString() : input.expiresAt;
    const secret: AppSecret = { secretId: (input.secretId ?? guid()).toLowerCase(), value, hint: value.slice(0, 3), expiresAt };
    app.secrets.push(secret);
    return secret;
  }

  /** Adds a certificate credential (same certificate twice is a conflict, as in the Azure portal). */
  addCertificate(app: App, certificatePem: string): AppCertificate {
    const cert = certificateFromPem(certificatePem);
    if (app.certificates.some((c) => c.thumbprintSha256 === cert.thumbprintSha256)) {
      throw new ConflictError(`certificate ${cert.thumbprintHex} is already registered on app ${app.clientId}`);
    }
    app.certificates.push(cert);
    return cert;
  }

  findTenant(idOrDomain: string): Tenant | undefined {
    const key = idOrDomain.toLowerCase();
    return this.tenants.get(key) ?? this.tenantsByDomain.get(key);
  }

  /** The `{tenant}` path segment, scoped to one cloud: a tenant from another cloud is "not found". */
  resolveTenantSegment(segment: string, cloud: Cloud): TenantRef | undefined {
    const key = segment.toLowerCase();
    if (ALIASES.has(key)) {
      // Personal accounts exist only in the global cloud.
      if (key === "consumers" && cloud !== "global") return undefined;
      return { kind: "alias", alias: key as "common" | "organizations" | "consumers" };
    }
    const tenant = this.findTenant(key);
    return tenant && tenant.cloud === cloud ? { kind: "tenant", tenant } : undefined;
  }

  findUserByUpn(upn: string): User | undefined {
    return this.usersByUpn.get(upn.toLowerCase());
  }

  /** By object id or UPN. */
  findUser(idOrUpn: string): User | undefined {
    return this.users.get(idOrUpn.toLowerCase()) ?? this.findUserByUpn(idOrUpn);
  }

  /**
   * Whether an app "exists" at this endpoint: registrations are per cloud, and a
   * single-tenant app is only found in its home tenant (elsewhere: AADSTS700016).
   */
  appVisibleAt(app: App, ref: TenantRef, cloud: Cloud): boolean {
    if (this.tenants.get(app.homeTenantId)?.cloud !== cloud) return false;
    if (ref.kind === "alias") return ref.alias !== "consumers";
    return app.multiTenant || app.homeTenantId === ref.tenant.id;
  }

  /** Who may appear in the account picker for this endpoint (shared mailboxes can't sign in). */
  usersForEndpoint(ref: TenantRef, cloud: Cloud): User[] {
    if (ref.kind === "tenant") return this.usersOf(ref.tenant).filter((u) => u.kind === "user");
    if (ref.alias === "consumers") return [];
    return [...this.users.values()].filter((u) => u.kind === "user" && this.tenants.get(u.tenantId)?.cloud === cloud);
  }

  /** A tenant's users and shared mailboxes, in the order they were added. */
  usersOf(tenant: Tenant): User[] {
    return this.usersByTenant.get(tenant.id) ?? [];
  }

  /** State as JSON for the admin API; signing keys live outside the state on purpose. */
  snapshot(): Record<string, unknown> {
    return {
      now: new Date(this.now()).toISOString(),
      clockOffsetMs: this.clockOffsetMs,
      tenants: [...this.tenants.values()].map((t) => ({
        ...t,
        users: this.usersOf(t).map((u) => ({ ...u, inboxCount: this.mailboxes.get(u.id)?.inbox.length ?? 0 })),
      })),
      apps: [...this.apps.values()],
      codes: [...this.codes.values()].map(({ code, ...rest }) => ({ code: `${code.slice(0, 12)}…`, ...rest })),
      refreshTokens: [...this.refreshTokens.values()].map(({ token, ...rest }) => ({ token: `${token.slice(0, 12)}…`, ...rest })),
      consents: this.consents,
      faults: this.faults,
      outbox: this.outbox,
    };
  }
}
