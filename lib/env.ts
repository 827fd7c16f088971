import path from "node:path";
import { z } from "zod";
import { KeyringError, parseKeyring } from "./crypto";
import { parseTrustedProxies } from "./client-ip";

// Configuration is read once and validated with zod. A bad or missing value stops the process
// with one line naming the variable (see scripts/start.ts and server.ts), never a stack trace.

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** A bridge listener's port: 1-65535, or "off" for none. */
const bridgePort = (what: string) =>
  optionalString.pipe(
    z
      .string()
      .regex(/^(off|\d{1,5})$/, { message: `must be a port number (${what}) or "off"` })
      .refine((v) => v === "off" || (Number(v) >= 1 && Number(v) <= 65535), { message: `must be a port between 1 and 65535 (${what}) or "off"` })
      .optional(),
  );

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    AUTH_URL: optionalString.pipe(z.url({ message: "must be the portal's public URL, e.g. https://mailgrant.example.com" }).optional()),
    AUTH_SECRET: optionalString,
    DATABASE_URL: optionalString.pipe(
      z
        .string()
        .regex(/^(postgres(ql)?:\/\/|pglite:)/, { message: "must start with postgresql:// (a PostgreSQL server) or pglite: (the embedded database)" })
        .optional(),
    ),
    AUTH_MICROSOFT_ENTRA_ID_ID: optionalString.pipe(z.uuid({ message: "must be the Application (client) ID, a GUID" }).optional()),
    AUTH_MICROSOFT_ENTRA_ID_SECRET: optionalString,
    AUTH_MICROSOFT_ENTRA_ID_ISSUER: optionalString.pipe(
      z
        .url({ message: "must be an issuer URL such as https://login.microsoftonline.com/organizations/v2.0" })
        .regex(/\/v2\.0\/?$/, { message: "must end in /v2.0, e.g. https://login.microsoftonline.com/organizations/v2.0" })
        .optional(),
    ),
    SUPPORT_EMAILS: optionalString,
    MAILGRANT_ENCRYPTION_KEYS: optionalString,
    /** Per-deployment stand-in for every Microsoft host: https://login.microsoftonline.us/x → {base}/login.microsoftonline.us/x. */
    MICROSOFT_ENDPOINT_BASE: optionalString.pipe(z.url({ message: "must be a URL such as https://localhost:3100 (every Microsoft host is then served under it)" }).optional()),
    /** Same, for the pages a browser is sent to (authorize, admin consent); defaults to MICROSOFT_ENDPOINT_BASE. */
    MICROSOFT_BROWSER_ENDPOINT_BASE: optionalString.pipe(z.url({ message: "must be a URL such as http://localhost:3101 (the sign-in pages of every Microsoft host are then served under it)" }).optional()),
    /** IMAP/POP/SMTP stand-in (emulators, tests): one host for all three, with optional ports. */
    MICROSOFT_MAIL_HOST: optionalString,
    MICROSOFT_IMAP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    MICROSOFT_POP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    MICROSOFT_SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** Lets integrations override endpoints with non-Microsoft hosts (tests and emulators only). */
    MICROSOFT_ALLOW_CUSTOM_HOSTS: optionalString,
    MAILGRANT_DEMO: optionalString,
    /** Outgoing mail (consent links, alerts): smtp(s)://user:pass@host:port; "outbox" keeps it in the portal's demo outbox; "log" writes it to the log. */
    MAILGRANT_SMTP_URL: optionalString.pipe(
      z
        .string()
        .regex(/^(smtps?:\/\/.+|log|outbox)$/, { message: 'must be smtp://user:password@host:587, smtps://…:465, "outbox" or "log"' })
        .optional(),
    ),
    MAILGRANT_MAIL_FROM: optionalString,
    /** How long a trip to Microsoft for consent may take (default 10 minutes). */
    MAILGRANT_CONSENT_FLOW_TTL_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(10).max(3600).default(600),
    /** Proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma separated); none by default. */
    MAILGRANT_TRUSTED_PROXIES: optionalString.superRefine((v, ctx) => {
      try {
        parseTrustedProxies(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `must list IP addresses or CIDR ranges, e.g. 10.0.0.0/8,192.168.1.5: ${(e as Error).message}` });
      }
    }),
    /** Whether this process runs the background worker: "on" (default for npm start) or "off" (web only; run `npm run worker` elsewhere). */
    MAILGRANT_WORKER: z.enum(["on", "off"], { message: 'must be "on" or "off"' }).default("on"),
    /** Checks in flight per worker process, per Microsoft tenant, and requests per mailbox. */
    MAILGRANT_WORKER_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(1024).default(32),
    MAILGRANT_TENANT_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(256).default(8),
    MAILGRANT_MAILBOX_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(16).default(4),
    /** How often each worker looks for due connections. */
    MAILGRANT_SCHEDULER_TICK_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(1).max(300).default(15),
    /** How long a worker may hold a check before another may take it over (a killed worker's checks). */
    MAILGRANT_CHECK_LEASE_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(10).max(3600).default(300),
    /** Every org's check interval, overriding its setting (tests and demos that must watch a schedule). */
    MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(1).max(86_400).optional(),
    /** Raw checks are kept this many days, then rolled up into daily aggregates kept this many months. */
    MAILGRANT_CHECK_RETENTION_DAYS: z.coerce.number({ message: "must be a number of days" }).int().min(1).max(400).default(30),
    MAILGRANT_CHECK_DAILY_RETENTION_MONTHS: z.coerce.number({ message: "must be a number of months" }).int().min(1).max(120).default(13),
    /** Bearer token for GET /metrics (Prometheus); unset means /metrics refuses every request. */
    MAILGRANT_METRICS_TOKEN: optionalString.pipe(z.string().min(16, { message: "must be at least 16 characters (e.g. openssl rand -hex 24)" }).optional()),
    /** `npm run worker`: the port its own /metrics and /health listen on (unset: none). */
    MAILGRANT_WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    /** Lets webhook URLs be http:// and reach loopback, private and link-local addresses (tests, local receivers). */
    MAILGRANT_WEBHOOKS_ALLOW_LOCAL: optionalString.pipe(z.enum(["1", "0"], { message: 'must be "1" (allow) or "0"' }).optional()),
    /** How long a connection's failure waits for others of its tenant before it is sent alone (tenant digests). */
    /** Token API rate limits (lib/api/rate-limit.ts): calls per minute per API key, and per connection across keys. */
    MAILGRANT_API_RATE_PER_KEY: z.coerce.number({ message: "must be a number of calls per minute" }).int().min(1).max(1_000_000_000).default(1200),
    MAILGRANT_API_RATE_PER_CONNECTION: z.coerce.number({ message: "must be a number of calls per minute" }).int().min(1).max(1_000_000_000).default(600),
    MAILGRANT_ALERT_GROUP_SECONDS: z.coerce.number({ message: "must be a number of seconds" }).int().min(0).max(600).default(120),
    /** The mail bridge (lib/bridge): "on" runs its listeners in this process (npm start, npm run bridge), "off" not; unset: on, except in production without a TLS certificate. */
    MAILGRANT_BRIDGE: optionalString.pipe(z.enum(["on", "off"], { message: 'must be "on" or "off"' }).optional()),
    /** The bridge's ports (defaults: production 587, 465, 143, 993, 995; otherwise PORT+25, +65, +43, +93, +95). */
    MAILGRANT_BRIDGE_SMTP_PORT: bridgePort("SMTP submission with STARTTLS, e.g. 587"),
    MAILGRANT_BRIDGE_SMTPS_PORT: bridgePort("SMTP submission with implicit TLS, e.g. 465"),
    MAILGRANT_BRIDGE_IMAP_PORT: bridgePort("IMAP with STARTTLS, e.g. 143"),
    MAILGRANT_BRIDGE_IMAPS_PORT: bridgePort("IMAP with implicit TLS, e.g. 993"),
    MAILGRANT_BRIDGE_POP3S_PORT: bridgePort("POP3 with implicit TLS, e.g. 995"),
    /** The address the bridge listens on (default all interfaces). */
    MAILGRANT_BRIDGE_HOST: optionalString,
    /** Load balancers in front of the bridge that open each connection with a PROXY protocol header (v1 or v2) naming the client: addresses or CIDR ranges, comma separated. */
    MAILGRANT_BRIDGE_PROXY_FROM: optionalString.superRefine((v, ctx) => {
      try {
        parseTrustedProxies(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: `must list the load balancers' IP addresses or CIDR ranges, e.g. 10.0.0.0/8: ${(e as Error).message}` });
      }
    }),
    /** PEM files of the bridge's TLS certificate (with its chain) and private key; unset outside production: a self-signed one in the data folder. */
    MAILGRANT_BRIDGE_TLS_CERT: optionalString,
    MAILGRANT_BRIDGE_TLS_KEY: optionalString,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((v, ctx) => {
    const production = v.NODE_ENV === "production" && v.MAILGRANT_DEMO !== "1";
    if (production && (!v.AUTH_SECRET || v.AUTH_SECRET.length < 32)) {
      ctx.addIssue({ code: "custom", path: ["AUTH_SECRET"], message: 'is required in production: at least 32 random characters (e.g. "openssl rand -base64 32")' });
    }
    if (production && !v.AUTH_MICROSOFT_ENTRA_ID_ID) {
      ctx.addIssue({ code: "custom", path: ["AUTH_MICROSOFT_ENTRA_ID_ID"], message: "is required in production: the Application (client) ID of the portal's Entra app" });
    }
    if (production && !v.MAILGRANT_ENCRYPTION_KEYS) {
      ctx.addIssue({ code: "custom", path: ["MAILGRANT_ENCRYPTION_KEYS"], message: 'is required in production: "k1:<base64 of 32 random bytes>" (openssl rand -base64 32), newest key first' });
    }
    if (v.MAILGRANT_ENCRYPTION_KEYS) {
      try {
        parseKeyring(v.MAILGRANT_ENCRYPTION_KEYS);
      } catch (e) {
        if (!(e instanceof KeyringError)) throw e;
        // KeyringError messages start with the variable's name already.
        ctx.addIssue({ code: "custom", path: ["MAILGRANT_ENCRYPTION_KEYS"], message: e.message.replace(/^MAILGRANT_ENCRYPTION_KEYS\s*/, "") });
      }
    }
    if (v.MAILGRANT_BRIDGE_TLS_CERT && !v.MAILGRANT_BRIDGE_TLS_KEY) {
      ctx.addIssue({ code: "custom", path: ["MAILGRANT_BRIDGE_TLS_KEY"], message: "is required with MAILGRANT_BRIDGE_TLS_CERT: the path of the mail bridge's PEM private key" });
    }
    if (v.MAILGRANT_BRIDGE_TLS_KEY && !v.MAILGRANT_BRIDGE_TLS_CERT) {
      ctx.addIssue({ code: "custom", path: ["MAILGRANT_BRIDGE_TLS_CERT"], message: "is required with MAILGRANT_BRIDGE_TLS_KEY: the path of the mail bridge's PEM certificate (with its chain)" });
    }
    if (production && v.MAILGRANT_BRIDGE === "on" && !v.MAILGRANT_BRIDGE_TLS_CERT) {
      ctx.addIssue({ code: "custom", path: ["MAILGRANT_BRIDGE_TLS_CERT"], message: "is required in production with MAILGRANT_BRIDGE=on: the path of a PEM certificate (with its chain) for the bridge's host name, with MAILGRANT_BRIDGE_TLS_KEY its key; or set MAILGRANT_BRIDGE=off" });
    }
    if (v.AUTH_MICROSOFT_ENTRA_ID_ID && !v.AUTH_MICROSOFT_ENTRA_ID_SECRET) {
      ctx.addIssue({ code: "custom", path: ["AUTH_MICROSOFT_ENTRA_ID_SECRET"], message: "is required with AUTH_MICROSOFT_ENTRA_ID_ID: the client secret's Value (not its Secret ID)" });
    }
  });

export type Env = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Parses an environment; throws ConfigError whose message is one line per bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `${i.path.join(".") || "environment"} ${i.message}`);
  throw new ConfigError(`Configuration error: ${lines.join("; ")}`);
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Where the embedded database and local secrets live: MAILGRANT_DATA_DIR, default .data, relative to
 * the working directory (npm scripts and the launcher run from the repo root; this module is also
 * bundled by Next, where its own location is not the source folder).
 */
export function dataDirectory(source: Record<string, string | undefined> = process.env): string {
  return path.resolve(/*turbopackIgnore: true*/ source.MAILGRANT_DATA_DIR?.trim() || ".data");
}

/** DATABASE_URL, or the embedded database in the data directory. One rule for the app and every script. */
export function databaseUrl(source: Record<string, string | undefined> = process.env): string {
  return source.DATABASE_URL?.trim() || `pglite:${path.join(dataDirectory(source), "pglite")}`;
}

export function supportEmails(e: Env = env()): string[] {
  return (e.SUPPORT_EMAILS ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}
