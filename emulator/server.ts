import { readFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { fileURLToPath } from "node:url";
import type { EmulatorContext } from "./context";
import { createImapSession } from "./imap";
import { startMailListener, type MailListener, type MailSession, type MailIO } from "./mail-server";
import { createPopSession } from "./pop";
import { createRequestHandler } from "./routes";
import { createSmtpSession } from "./smtp";
import { loadSeedFile, type Seed } from "./seed";
import { EmulatorState } from "./state";
import { ensureEmulatorCertificate } from "./tls";
import { createSigningKey, type SigningKey } from "./tokens";
import { StateFileError, createStateSaver, readStateFile, restoreState, serializeState, setAside } from "./persistence";

export const DEFAULT_SEED_PATH = fileURLToPath(new URL("./seed/demo.json", import.meta.url));

export interface EmulatorOptions {
  /** HTTPS port; 0 picks a free one. Default 0. */
  port?: number;
  /** Plain-HTTP port for browser pages; null turns it off. Default: 0 when port is 0, else port + 1. */
  httpPort?: number | null;
  /** Bind address. Default 127.0.0.1. */
  host?: string;
  /** Host name used in URLs the emulator hands out; must be covered by the certificate. Default localhost. */
  publicHost?: string;
  /** A parsed seed or the path of a seed file. Default emulator/seed/demo.json. */
  seed?: Seed | string;
  /** Where the certificate lives. Default .data/emulator/tls. */
  tlsDir?: string;
  /** IMAP (TLS, as outlook.office365.com:993); null turns it off. Default: 0 when port is 0, else port + 2. */
  imapPort?: number | null;
  /** POP3 (TLS, as outlook.office365.com:995); null turns it off. Default: 0 when port is 0, else port + 3. */
  popPort?: number | null;
  /** SMTP submission (STARTTLS, as smtp.office365.com:587); null turns it off. Default: 0 when port is 0, else port + 4. */
  smtpPort?: number | null;
  /** IMAP/POP/SMTP connections quiet for this long are closed with the server's goodbye. Default 10 minutes. */
  mailIdleTimeoutMs?: number;
  /**
   * Keep the state (directory, credentials, consents, refresh tokens, mailboxes, clock, signing key) in this JSON
   * file: loaded at start when present (the seed is then not used), saved debounced after changes and on close.
   * A file that can't be used is reported, kept as `<file>.bad`, and the emulator starts from the seed.
   * Default: none (state in memory only).
   */
  stateFile?: string;
  /** Debounce for state file saves (ms). Default 500, at most 5 s between saves while changes keep coming. */
  stateSaveDelayMs?: number;
}

export interface RunningEmulator {
  httpsUrl: string;
  httpUrl: string | null;
  certPath: string;
  state: EmulatorState;
  /** Host name for the mail listeners (the certificate covers it). */
  mailHost: string;
  imapPort: number | null;
  popPort: number | null;
  smtpPort: number | null;
  /** Where the state came from: the seed (no state file, or none yet), the state file, or the seed after a bad file was set aside. */
  stateSource: "seed" | "stateFile" | "seedAfterBadStateFile";
  /** Saves the state file now (no-op without one). */
  saveState(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function shutdown(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = opts.port ?? 0;
  const httpPort = opts.httpPort === undefined ? (port === 0 ? 0 : port + 1) : opts.httpPort;
  const host = opts.host ?? "127.0.0.1";
  const publicHost = opts.publicHost ?? "localhost";
  const seedSource = opts.seed ?? DEFAULT_SEED_PATH;
  const loadDefaultSeed = () => (typeof seedSource === "string" ? loadSeedFile(seedSource) : Promise.resolve(seedSource));

  const state = new EmulatorState();
  const restored = opts.stateFile ? await restoreFromFile(state, opts.stateFile) : null;
  if (!restored?.key) state.load(await loadDefaultSeed());
  const [cert, key] = await Promise.all([ensureEmulatorCertificate(opts.tlsDir ?? ".data/emulator/tls"), restored?.key ?? createSigningKey()]);
  const saver = opts.stateFile
    ? createStateSaver({ path: opts.stateFile, snapshot: () => serializeState(state, key), ...(opts.stateSaveDelayMs !== undefined ? { delayMs: opts.stateSaveDelayMs } : {}) })
    : null;
  if (saver) {
    state.onChange = () => saver.changed();
    // Write the first file at once (a fresh start or a set-aside bad file), so the key and seed are on disk.
    if (restored?.source !== "stateFile") state.changed();
  }
  const ctx: EmulatorContext = { state, key, httpsOrigin: "", httpOrigin: null, mail: { host: publicHost, imapPort: null, popPort: null, smtpPort: null } };
  const handler = createRequestHandler(ctx, loadDefaultSeed);

  const [certPem, keyPem] = await Promise.all([readFile(cert.certPath), readFile(cert.keyPath)]);
  const tlsServer = https.createServer({ cert: certPem, key: keyPem }, handler);
  const plainServer = httpPort === null ? null : http.createServer(handler);
  const servers = [tlsServer, ...(plainServer ? [plainServer] : [])];
  const mailListeners: MailListener[] = [];
  const mailPort = (value: number | null | undefined, offset: number) => (value === undefined ? (port === 0 ? 0 : port + offset) : value);
  const secureContext = tls.createSecureContext({ cert: certPem, key: keyPem });
  const startMail = async (protocol: "imap" | "pop" | "smtp", listenPort: number | null, createSession: (io: MailIO) => MailSession) => {
    if (listenPort === null) return null;
    const listener = await startMailListener({
      ctx,
      protocol,
      port: listenPort,
      host,
      implicitTls: protocol !== "smtp",
      secureContext,
      idleTimeoutMs: opts.mailIdleTimeoutMs ?? 10 * 60_000,
      createSession,
    });
    mailListeners.push(listener);
    return listener.port;
  };
  try {
    const boundHttps = await listen(tlsServer, port, host);
    ctx.httpsOrigin = `https://${publicHost}:${boundHttps}`;
    if (plainServer && httpPort !== null) ctx.httpOrigin = `http://${publicHost}:${await listen(plainServer, httpPort, host)}`;
    ctx.mail.imapPort = await startMail("imap", mailPort(opts.imapPort, 2), createImapSession);
    ctx.mail.popPort = await startMail("pop", mailPort(opts.popPort, 3), createPopSession);
    ctx.mail.smtpPort = await startMail("smtp", mailPort(opts.smtpPort, 4), createSmtpSession);
  } catch (err) {
    await Promise.all([...servers.filter((s) => s.listening).map(shutdown), ...mailListeners.map((l) => l.close())]);
    throw err;
  }
  return {
    httpsUrl: ctx.httpsOrigin,
    httpUrl: ctx.httpOrigin,
    certPath: cert.certPath,
    state,
    mailHost: publicHost,
    imapPort: ctx.mail.imapPort,
    popPort: ctx.mail.popPort,
    smtpPort: ctx.mail.smtpPort,
    stateSource: restored?.source ?? "seed",
    saveState: async () => {
      if (!saver) return;
      state.changed();
      await saver.flush();
    },
    close: async () => {
      await Promise.all([...servers.map(shutdown), ...mailListeners.map((l) => l.close())]);
      state.onChange = undefined;
      await saver?.flush();
    },
  };
}

/** Loads the state file into `state`; a file that can't be used is reported and kept as `.bad` (start from the seed). */
async function restoreFromFile(state: EmulatorState, file: string): Promise<{ source: RunningEmulator["stateSource"]; key?: SigningKey }> {
  const setAsideBecause = async (why: string) => {
    const bad = await setAside(file);
    console.error(`emulator: the state file ${file} can't be used (${why}); kept it as ${bad} and started from the seed`);
    return { source: "seedAfterBadStateFile" as const };
  };
  let loaded: Awaited<ReturnType<typeof readStateFile>>;
  try {
    loaded = await readStateFile(file);
  } catch (err) {
    if (err instanceof StateFileError) return setAsideBecause(err.message);
    throw err;
  }
  if (!loaded) return { source: "seed" };
  try {
    restoreState(state, loaded.file);
  } catch (err) {
    return setAsideBecause((err as Error).message);
  }
  return { source: "stateFile", key: loaded.key };
}
