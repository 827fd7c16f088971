import "server-only";
import { dataDirectory, env } from "@/lib/env";
import { parseKeyring, type Keyring } from "@/lib/crypto";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { alertDepsFromEnv, linkSecretFromEnv, mailHostFromEnv, publicUrlFromEnv } from "@/lib/worker/deps";
import type { Db } from "@/lib/db-client";
import type { AlertDeps } from "@/lib/alerts/deps";
import { bridgeClientSettings } from "@/lib/bridge/client-settings";
import { bridgeConfig } from "@/lib/bridge/config";

// Per-deployment settings that domain functions receive as arguments (so tests pass their own).

let keyring: Keyring | undefined;
export function appKeyring(): Keyring {
  keyring ??= parseKeyring(env().MAILGRANT_ENCRYPTION_KEYS);
  return keyring;
}

export const deploymentHostMap = () => hostMapFromBase(env().MICROSOFT_ENDPOINT_BASE);

/** Where browsers are sent for Microsoft's sign-in pages (the emulator serves them on plain HTTP). */
export const browserHostMap = () => hostMapFromBase(env().MICROSOFT_BROWSER_ENDPOINT_BASE ?? env().MICROSOFT_ENDPOINT_BASE);

export const allowCustomHosts = () => env().MICROSOFT_ALLOW_CUSTOM_HOSTS === "1";

export const publicUrl = (): string => publicUrlFromEnv(env());

/** The one redirect URI every integration registers in Azure for mailbox consent. */
export const connectionRedirectUri = () => `${publicUrl()}/api/connections/callback`;

/** Signs consent links. AUTH_SECRET is required in production; development falls back to a fixed value. */
export const linkSigningSecret = (): string => linkSecretFromEnv(env());

/** Alerting for server actions (test events, redelivery), with the app's keyring. */
export const deploymentAlertDeps = (db: Db): AlertDeps => ({ ...alertDepsFromEnv(db, env()), keyring: appKeyring() });

/** What consent flows need from the deployment: where Microsoft lives and where it returns to. */
export const flowSettings = () => ({
  hostMap: deploymentHostMap(),
  browserHostMap: browserHostMap(),
  redirectUri: connectionRedirectUri(),
  flowTtlMs: env().MAILGRANT_CONSENT_FLOW_TTL_SECONDS * 1000,
});

/** Where the connection test reaches IMAP/POP/SMTP when not at Microsoft's hosts (demo: the emulator). */
export const mailHostSettings = () => mailHostFromEnv(env());

/** Where legacy clients reach the mail bridge (shown with each bridge credential): the ports it binds, defaults included. */
export const deploymentBridgeSettings = () => {
  const c = bridgeConfig(env(), dataDirectory());
  // MAILGRANT_BRIDGE_HOST is where it listens: a wildcard address tells a client nothing, the portal's host name does.
  const host = c.enabled && c.host && !["0.0.0.0", "::", "[::]"].includes(c.host) ? c.host : undefined;
  return bridgeClientSettings({ publicUrl: publicUrl(), ...(host ? { host } : {}), enabled: c.enabled, ports: c.enabled ? c.ports : {} });
};
