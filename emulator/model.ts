// The emulator's data: what Microsoft keeps about tenants, users, apps, consents, grants and faults.
// Behaviour lives in state.ts (EmulatorState).
import type { AppCertificate } from "./certificates";
import type { Cloud, Subcloud } from "./clouds";

export interface Tenant {
  id: string;
  displayName: string;
  domains: string[];
  cloud: Cloud;
  /** usgov only: GCC High (default) or DoD, which have different Graph/Exchange hosts. */
  subcloud?: Subcloud;
  /** global only: GCC (moderate), worldwide endpoints; discovery says `tenant_region_sub_scope: "GCC"`. */
  gcc?: boolean;
  /** Discovery's `tenant_region_scope`. */
  regionScope: string;
  /** Whether the tenant has Exchange Online; without it Outlook resources answer AADSTS650052. */
  exchangeOnline: boolean;
  /** Entra's user consent setting: "disabled" sends non-admins to "Need admin approval" (AADSTS90094). */
  userConsent: UserConsentSetting;
  /** `Set-TransportConfig -SmtpClientAuthenticationDisabled`: SMTP AUTH answers 535 5.7.139 unless a mailbox overrides it. */
  smtpAuthDisabled: boolean;
}

export type UserConsentSetting = "allowed" | "disabled";
export type UserKind = "user" | "shared";

export interface User {
  id: string;
  tenantId: string;
  upn: string;
  displayName: string;
  mail: string;
  /** Global / Privileged Role / Cloud Application Administrator: may grant tenant-wide consent. */
  admin: boolean;
  /** A shared mailbox has sign-in blocked (as Exchange Online creates them): never in the picker, never gets a token. */
  kind: UserKind;
  /** Shared mailboxes only: object ids of the tenant's users with FullAccess/SendAs on it. */
  delegates?: string[];
  /**
   * `Set-CASMailbox -SmtpClientAuthenticationDisabled`: null follows the tenant, true disables SMTP AUTH for this
   * mailbox (535 5.7.139 "…for the Mailbox"), false enables it even when the tenant disabled it.
   */
  smtpAuthDisabled: boolean | null;
}

export interface AppSecret {
  secretId: string;
  value: string;
  hint: string;
  /** ISO timestamp, or null for a secret that never expires. */
  expiresAt: string | null;
}

export interface App {
  clientId: string;
  homeTenantId: string;
  displayName: string;
  multiTenant: boolean;
  redirectUris: string[];
  secrets: AppSecret[];
  certificates: AppCertificate[];
  /** Application permissions (roles in app-only tokens) per resource URI. */
  appPermissions: Record<string, string[]>;
  /** Consent is never asked for this app in any tenant (a first-party-like app, e.g. the portal's own sign-in). */
  preAuthorized: boolean;
}

/** A delegated permission grant (Entra's oauth2PermissionGrant) for one app in one tenant. */
export interface Consent {
  id: string;
  clientId: string;
  tenantId: string;
  /** Absent: tenant-wide (admin) consent, covering every user of the tenant. */
  userId?: string;
  /** Resource-qualified, lower-cased (`https://graph.microsoft.com/mail.read`); `{resource}/.default` covers the whole resource. */
  scopes: string[];
  /** ISO timestamp of the last grant (merged grants move it). */
  grantedAt: string;
}

/** An account picked at /authorize or /adminconsent whose consent screen is showing; the form carries only its random id. */
export interface PendingConsent {
  id: string;
  flow: "authorize" | "adminconsent";
  userId: string;
  clientId: string;
  /** Canonical JSON of the request parameters the screen was shown for: the form must post back the same ones. */
  params: string;
  expiresAt: number;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  codeChallenge?: string;
  codeChallengeMethod?: "S256" | "plain";
  nonce?: string;
  scopes: string[];
  userId: string;
  /** The `{tenant}` segment used at /authorize, resolved to the user's tenant on redemption. */
  tenantSegment: string;
  loginHost: string;
  issuedAt: number;
  expiresAt: number;
  redeemedAt?: number;
}

export interface RefreshToken {
  token: string;
  userId: string;
  clientId: string;
  tenantId: string;
  scopes: string[];
  issuedAt: number;
  lastUsedAt: number;
  revoked: boolean;
  /** When it was revoked (emulator time); revoked tokens are forgotten a while later (state.ts sweep). */
  revokedAt?: number;
}

// Faults are a discriminated union by kind (identity, http, graph, mail, network); see fault-kinds.ts.
export type { Fault, FaultEndpoint, FaultKind, GraphFault, HttpFault, IdentityEndpoint, IdentityFault, MailFault, MailProtocol, NetworkFault } from "./fault-kinds";
import type { MailProtocol } from "./fault-kinds";

export interface MailAuthLogEntry {
  at: string;
  protocol: MailProtocol;
  /** The `user=` of the XOAUTH2 payload, when it could be read. */
  user?: string;
  ok: boolean;
  /** Why Exchange would have refused: malformed, missing, signature, audience, expired, tenant, scope, mailbox, exchange, smtpAuthDisabled… */
  reason?: string;
}

export class ConflictError extends Error {}
export class NotFoundError extends Error {}
/** A request that names things that exist but don't fit together (admin API 400). */
export class ValidationError extends Error {}

export type TenantRef =
  | { kind: "alias"; alias: "common" | "organizations" | "consumers" }
  | { kind: "tenant"; tenant: Tenant };
