// Entry point: `npm run emulator` (tsx emulator/main.ts).
import path from "node:path";
import { SeedError } from "./seed";
import { DEFAULT_SEED_PATH, startEmulator } from "./server";

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`emulator: ${name} must be a port number, got "${value}"`);
    process.exit(1);
  }
  return n;
}

const env = process.env;
const httpsPort = port("EMULATOR_PORT", env.EMULATOR_PORT, 3100);
const httpSetting = env.EMULATOR_HTTP_PORT?.toLowerCase();
const httpPort = httpSetting === "0" || httpSetting === "off" ? null : port("EMULATOR_HTTP_PORT", env.EMULATOR_HTTP_PORT, httpsPort + 1);
/** Mail listeners: EMULATOR_{IMAP,POP,SMTP}_PORT, default EMULATOR_PORT + 2/3/4; `off` disables one, `0` picks a free port. */
const mailPort = (name: string, offset: number) => (env[name]?.toLowerCase() === "off" ? null : port(name, env[name], httpsPort === 0 ? 0 : httpsPort + offset));
const imapPort = mailPort("EMULATOR_IMAP_PORT", 2);
const popPort = mailPort("EMULATOR_POP_PORT", 3);
const smtpPort = mailPort("EMULATOR_SMTP_PORT", 4);

try {
  const emulator = await startEmulator({
    port: httpsPort,
    httpPort,
    host: env.EMULATOR_HOST || "127.0.0.1",
    seed: env.EMULATOR_SEED ? path.resolve(env.EMULATOR_SEED) : DEFAULT_SEED_PATH,
    tlsDir: env.EMULATOR_TLS_DIR || ".data/emulator/tls",
    imapPort,
    popPort,
    smtpPort,
    // Opt-in persistence (demo mode turns it on): grants and mailboxes survive a restart.
    ...(env.EMULATOR_STATE_FILE ? { stateFile: path.resolve(env.EMULATOR_STATE_FILE) } : {}),
  });
  console.log(`emulator: ${emulator.httpsUrl}${emulator.httpUrl ? ` (browser pages ${emulator.httpUrl})` : ""}`);
  const mail = [
    emulator.imapPort !== null ? `IMAP ${emulator.mailHost}:${emulator.imapPort} (TLS)` : "",
    emulator.popPort !== null ? `POP ${emulator.mailHost}:${emulator.popPort} (TLS)` : "",
    emulator.smtpPort !== null ? `SMTP ${emulator.mailHost}:${emulator.smtpPort} (STARTTLS)` : "",
  ].filter(Boolean);
  if (mail.length > 0) console.log(`emulator: ${mail.join(", ")}`);
  if (env.EMULATOR_STATE_FILE) {
    const from = emulator.stateSource === "stateFile" ? "restored from" : "starting from the seed; saving to";
    console.log(`emulator: state ${from} ${path.resolve(env.EMULATOR_STATE_FILE)}`);
  }
  const stop = () => {
    void emulator.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (err) {
  console.error(`emulator: ${err instanceof SeedError ? err.message : (err as Error).message}`);
  process.exit(1);
}
