// Opt-in persistence (demo mode): the emulator's directory, grants and mailboxes in one JSON file, so connections
// stored by the portal keep refreshing after a restart. Tests stay in memory.
import { randomBytes } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { SentMessage } from "./mailbox";
import type { EmulatorState } from "./state";
import { exportSigningKey, signingKeyFrom, type SigningKey } from "./tokens";

export const STATE_FILE_VERSION = 1;

const address = z.object({ name: z.string(), address: z.string() });
const message = z.object({
  id: z.string(),
  uid: z.number().int(),
  internetMessageId: z.string(),
  subject: z.string(),
  from: address,
  to: z.array(address),
  cc: z.array(address),
  receivedDateTime: z.string(),
  body: z.string(),
  isRead: z.boolean(),
});

const stateFileSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  savedAt: z.string(),
  clockOffsetMs: z.number(),
  signingKey: z.object({ privateKeyPem: z.string().min(1), certificate: z.string().min(1) }),
  tenants: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      domains: z.array(z.string()).min(1),
      cloud: z.enum(["global", "usgov", "china"]),
      subcloud: z.enum(["gcchigh", "dod"]).optional(),
      gcc: z.boolean().optional(),
      regionScope: z.string(),
      exchangeOnline: z.boolean(),
      userConsent: z.enum(["allowed", "disabled"]),
      smtpAuthDisabled: z.boolean(),
    }),
  ),
  users: z.array(
    z.object({
      id: z.string(),
      tenantId: z.string(),
      upn: z.string(),
      displayName: z.string(),
      mail: z.string(),
      admin: z.boolean(),
      kind: z.enum(["user", "shared"]),
      delegates: z.array(z.string()).optional(),
      smtpAuthDisabled: z.boolean().nullable(),
    }),
  ),
  apps: z.array(
    z.object({
      clientId: z.string(),
      homeTenantId: z.string(),
      displayName: z.string(),
      multiTenant: z.boolean(),
      redirectUris: z.array(z.string()),
      secrets: z.array(z.object({ secretId: z.string(), value: z.string(), expiresAt: z.string().nullable() })),
      certificates: z.array(z.object({ certificatePem: z.string() })),
      appPermissions: z.record(z.string(), z.array(z.string())),
      preAuthorized: z.boolean(),
    }),
  ),
  consents: z.array(
    z.object({ id: z.string(), clientId: z.string(), tenantId: z.string(), userId: z.string().optional(), scopes: z.array(z.string()), grantedAt: z.string() }),
  ),
  refreshTokens: z.array(
    z.object({
      token: z.string(),
      userId: z.string(),
      clientId: z.string(),
      tenantId: z.string(),
      scopes: z.array(z.string()),
      issuedAt: z.number(),
      lastUsedAt: z.number(),
      revoked: z.boolean(),
      revokedAt: z.number().optional(),
    }),
  ),
  mailboxes: z.array(
    z.object({ userId: z.string(), uidValidity: z.number().int(), inbox: z.array(message), sentItems: z.array(message), nextUid: z.number().int() }),
  ),
  outbox: z.array(z.looseObject({ id: z.string(), via: z.enum(["graph", "smtp"]), mailbox: z.string() })),
});

export type StateFile = z.infer<typeof stateFileSchema>;

/** What a restart needs: the directory, credentials, consents, refresh tokens, mailboxes, the clock and the signing key. */
export function serializeState(state: EmulatorState, key: SigningKey): StateFile {
  const tenants = [...state.tenants.values()];
  return {
    version: STATE_FILE_VERSION,
    savedAt: new Date().toISOString(),
    clockOffsetMs: state.clockOffsetMs,
    signingKey: exportSigningKey(key),
    tenants: tenants.map((t): StateFile["tenants"][number] => ({ ...t })),
    // In the order they were added per tenant, so lookups (first address wins) come back the same.
    users: tenants.flatMap((t) => state.usersOf(t)).map((u): StateFile["users"][number] => ({ ...u })),
    apps: [...state.apps.values()].map((a) => ({
      clientId: a.clientId,
      homeTenantId: a.homeTenantId,
      displayName: a.displayName,
      multiTenant: a.multiTenant,
      redirectUris: a.redirectUris,
      secrets: a.secrets.map(({ secretId, value, expiresAt }) => ({ secretId, value, expiresAt })),
      certificates: a.certificates.map((c) => ({ certificatePem: c.certificatePem })),
      appPermissions: a.appPermissions,
      preAuthorized: a.preAuthorized,
    })),
    consents: [...state.consents],
    refreshTokens: [...state.refreshTokens.values()],
    mailboxes: [...state.mailboxes.values()],
    outbox: state.outbox.toArray() as unknown as StateFile["outbox"],
  };
}

/** Replaces the state with a file's contents; throws (leaving the state half-made) when the file doesn't fit together. */
export function restoreState(state: EmulatorState, file: StateFile): void {
  state.load({ tenants: [], apps: [] });
  for (const t of file.tenants) state.addTenant(t);
  const byId = new Map(file.tenants.map((t) => [t.id, t]));
  // People first, so shared mailboxes find their delegates.
  const users = [...file.users.filter((u) => u.kind === "user"), ...file.users.filter((u) => u.kind === "shared")];
  for (const u of users) {
    const tenant = byId.has(u.tenantId) ? state.tenants.get(u.tenantId) : undefined;
    if (!tenant) throw new Error(`user ${u.upn}: no tenant ${u.tenantId}`);
    state.addUser(tenant, {
      id: u.id,
      upn: u.upn,
      displayName: u.displayName,
      mail: u.mail,
      admin: u.admin,
      kind: u.kind,
      smtpAuthDisabled: u.smtpAuthDisabled,
      inboxCount: 0,
      ...(u.kind === "shared" ? { delegates: u.delegates ?? [] } : {}),
    });
  }
  for (const a of file.apps) {
    const home = state.tenants.get(a.homeTenantId);
    if (!home) throw new Error(`app ${a.clientId}: no tenant ${a.homeTenantId}`);
    state.addApp(home, a);
  }
  for (const c of file.consents) state.consents.add(c);
  for (const rt of file.refreshTokens) state.refreshTokens.set(rt.token, rt);
  for (const box of file.mailboxes) if (state.users.has(box.userId)) state.mailboxes.set(box.userId, box);
  for (const sent of file.outbox) state.outbox.push(sent as unknown as SentMessage);
  state.clockOffsetMs = file.clockOffsetMs;
}

export class StateFileError extends Error {}

/**
 * Reads a state file: null when there is none. A file that isn't readable JSON of this shape is a StateFileError
 * naming the problem (the caller keeps it aside and starts from the seed).
 */
export async function readStateFile(path: string): Promise<{ file: StateFile; key: SigningKey } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new StateFileError(`cannot read it (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(`not JSON (${(err as Error).message})`);
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateFileError(`${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  try {
    return { file: parsed.data, key: signingKeyFrom(parsed.data.signingKey) };
  } catch (err) {
    throw new StateFileError(`signingKey: ${(err as Error).message}`);
  }
}

/** Writes owner-only (0600) to a temporary file beside it, then renames: a crash never leaves half a file. */
export async function writeStateFile(path: string, file: StateFile): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(file), { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/** Keeps a bad state file as `<path>.bad` (replacing an older one) so it can be looked at; returns that path. */
export async function setAside(path: string): Promise<string> {
  const bad = `${path}.bad`;
  await rename(path, bad);
  return bad;
}

export interface StateSaver {
  /** Something changed: save soon (debounced). */
  changed(): void;
  /** Saves now if anything changed since the last save, and stops the timer (shutdown). */
  flush(): Promise<void>;
}

/**
 * Debounced saves: `delayMs` after the last change, but at least every `maxDelayMs` while changes keep coming.
 * Saves never overlap; a change during a save schedules another.
 */
export function createStateSaver(opts: { path: string; snapshot: () => StateFile; delayMs?: number; maxDelayMs?: number; onError?: (err: Error) => void }): StateSaver {
  const delayMs = opts.delayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 5000;
  let dirty = false;
  let firstChangeAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const onError = opts.onError ?? ((err) => console.error(`emulator: could not save the state to ${opts.path}: ${err.message}`));

  const save = (): Promise<void> => {
    running = running.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await writeStateFile(opts.path, opts.snapshot());
      } catch (err) {
        onError(err as Error);
      }
    });
    return running;
  };

  return {
    changed() {
      const now = Date.now();
      if (!dirty) firstChangeAt = now;
      dirty = true;
      if (timer) clearTimeout(timer);
      const wait = Math.max(0, Math.min(delayMs, firstChangeAt + maxDelayMs - now));
      timer = setTimeout(() => {
        timer = undefined;
        void save();
      }, wait);
      timer.unref();
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await save();
    },
  };
}
