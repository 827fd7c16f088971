// Demo mode's environment for the portal: what the caller set wins; the built-in emulator only fills the gaps.
// Pure, so the rules are unit-tested (demo-env.test.ts); scripts/demo-emulator.ts and start.ts apply them.
import path from "node:path";

type Env = Record<string, string | undefined>;

/** Where the running built-in emulator listens and what the portal signs in with. */
export interface BuiltinEmulator {
  httpsPort: number;
  httpPort: number;
  imapPort: number;
  popPort: number;
  smtpPort: number;
  certPath: string;
  portalClientId: string;
  portalSecret: string;
}

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== "";

/**
 * Whether demo mode starts the built-in emulator: not when the caller points MICROSOFT_ENDPOINT_BASE at another
 * stand-in (its tokens would mean nothing to the emulator's mail listeners either).
 */
export function usesBuiltinEmulator(caller: Env): boolean {
  return !set(caller.MICROSOFT_ENDPOINT_BASE);
}

export interface DemoEnvironment {
  /** Variables to set for the portal (only the ones the caller left unset, plus a CA bundle when one is needed). */
  env: Record<string, string>;
  /** NODE_EXTRA_CA_CERTS reads one file: the caller's CA file and the emulator's certificate, to be joined into `path`. */
  caBundle?: { path: string; sources: string[] };
  /** What the launcher should say about values it kept from the caller. */
  notes: string[];
}

/** The portal's environment in demo mode with the built-in emulator running: fills in only what `caller` lacks. */
export function demoEnvironment(caller: Env, emu: BuiltinEmulator, dataDir: string): DemoEnvironment {
  const env: Record<string, string> = {};
  const notes: string[] = [];
  const fill = (name: string, value: string) => {
    if (set(caller[name])) {
      if (caller[name] !== value) notes.push(`${name}=${caller[name]} (kept; the emulator would use ${value})`);
    } else {
      env[name] = value;
    }
  };
  fill("AUTH_MICROSOFT_ENTRA_ID_ID", emu.portalClientId);
  fill("AUTH_MICROSOFT_ENTRA_ID_SECRET", emu.portalSecret);
  fill("AUTH_MICROSOFT_ENTRA_ID_ISSUER", `https://localhost:${emu.httpsPort}/login.microsoftonline.com/organizations/v2.0`);
  // Every Microsoft host the portal calls for integrations is served by the emulator under a path named after the
  // host (https://localhost:3100/login.microsoftonline.us/...).
  fill("MICROSOFT_ENDPOINT_BASE", `https://localhost:${emu.httpsPort}`);
  // Browsers are sent to the sign-in pages on plain HTTP, so demo users see no certificate warning.
  fill("MICROSOFT_BROWSER_ENDPOINT_BASE", `http://localhost:${emu.httpPort}`);
  fill("MICROSOFT_EMULATOR_ADMIN_URL", `http://localhost:${emu.httpPort}/_emulator`);
  // The emulator's ports only go with the emulator's mail host: a caller's own IMAP/POP/SMTP stand-in keeps its
  // (or Microsoft's default) ports.
  if (set(caller.MICROSOFT_MAIL_HOST)) {
    notes.push(`MICROSOFT_MAIL_HOST=${caller.MICROSOFT_MAIL_HOST} (kept; mail goes there, not to the emulator)`);
  } else {
    env.MICROSOFT_MAIL_HOST = "localhost";
    fill("MICROSOFT_IMAP_PORT", String(emu.imapPort));
    fill("MICROSOFT_POP_PORT", String(emu.popPort));
    fill("MICROSOFT_SMTP_PORT", String(emu.smtpPort));
  }
  // Demo mode sends no mail: consent links and email alerts land in the portal's demo outbox.
  if (!set(caller.MAILGRANT_SMTP_URL)) env.MAILGRANT_SMTP_URL = "outbox";
  // Webhooks may point at a receiver on this machine (a newcomer's local test server).
  if (!set(caller.MAILGRANT_WEBHOOKS_ALLOW_LOCAL)) env.MAILGRANT_WEBHOOKS_ALLOW_LOCAL = "1";

  // Node reads one extra CA file, at start: trust the caller's CAs and the emulator's certificate together.
  const callerCa = caller.NODE_EXTRA_CA_CERTS;
  if (set(callerCa) && path.resolve(callerCa) !== path.resolve(emu.certPath)) {
    const bundle = path.join(dataDir, "emulator", "ca-bundle.pem");
    env.NODE_EXTRA_CA_CERTS = bundle;
    notes.push(`NODE_EXTRA_CA_CERTS: ${callerCa} and the emulator's certificate, joined in ${bundle}`);
    return { env, notes, caBundle: { path: bundle, sources: [callerCa, emu.certPath] } };
  }
  env.NODE_EXTRA_CA_CERTS = emu.certPath;
  return { env, notes };
}
