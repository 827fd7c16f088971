// The bench's own Microsoft emulator: a child process on the bench's ports (so its CPU is not the
// worker's), bulk tenants, apps and users from POST /_emulator/generate, and one grant per user
// from POST /_emulator/grants (a refresh token, as if the user had consented at /authorize).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { emulatorAdmin } from "../emulator/client";
import { ensureEmulatorCertificate } from "../emulator/tls";

export type BenchEmulator = {
  /** HTTPS origin every Microsoft host is served under (MICROSOFT_ENDPOINT_BASE). */
  httpsBase: string;
  adminBase: string;
  certPath: string;
  mail: { host: string; imapPort: number; popPort: number; smtpPort: number };
  child: ChildProcess;
  stop: () => Promise<void>;
};

export type BenchTenant = {
  id: string;
  domain: string;
  app: { clientId: string; secret: string };
  grants: { upn: string; userId: string; refreshToken: string }[];
};

export async function startBenchEmulator(opts: { root: string; dataDir: string; basePort: number }): Promise<BenchEmulator> {
  const tlsDir = path.join(opts.dataDir, "emulator-tls");
  const { certPath } = await ensureEmulatorCertificate(tlsDir);
  const p = opts.basePort;
  const child = spawn(process.execPath, ["--import", "tsx", path.join(opts.root, "emulator", "main.ts")], {
    cwd: opts.root,
    env: {
      ...process.env,
      EMULATOR_HOST: "127.0.0.1",
      EMULATOR_PORT: String(p),
      EMULATOR_HTTP_PORT: String(p + 1),
      EMULATOR_IMAP_PORT: String(p + 2),
      EMULATOR_POP_PORT: String(p + 3),
      EMULATOR_SMTP_PORT: String(p + 4),
      EMULATOR_TLS_DIR: tlsDir,
      EMULATOR_STATE_FILE: "",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const adminBase = `http://127.0.0.1:${p + 1}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the emulator exited with code ${child.exitCode} (ports ${p}-${p + 4} in use?)`);
    try {
      if ((await fetch(`${adminBase}/_emulator/state`)).ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`the emulator did not answer at ${adminBase} within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    httpsBase: `https://localhost:${p}`,
    adminBase,
    certPath,
    mail: { host: "localhost", imapPort: p + 2, popPort: p + 3, smtpPort: p + 4 },
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** `connections` users spread over `tenants` tenants, each tenant with its own single-tenant app, and a grant per user. */
export async function seedEmulator(emu: BenchEmulator, opts: { connections: number; tenants: number; seed: string; scope: string }): Promise<BenchTenant[]> {
  const admin = emulatorAdmin(emu.adminBase);
  const usersPerTenant = Math.ceil(opts.connections / opts.tenants);
  const generated = await admin.ok<{ tenants: { id: string; domain: string; apps: { clientId: string; secret: string }[]; users: { upn: string }[] }[] }>("POST", "/generate", {
    tenants: opts.tenants,
    usersPerTenant,
    seed: opts.seed,
    appsPerTenant: 1,
    inboxCount: 1,
  });
  const out: BenchTenant[] = [];
  let left = opts.connections;
  for (const t of generated.tenants) {
    const app = t.apps[0]!;
    const take = Math.min(left, t.users.length);
    left -= take;
    if (take === 0) break;
    const minted = await admin.ok<{ grants: { upn: string; userId: string; refreshToken: string }[] }>("POST", "/grants", {
      clientId: app.clientId,
      users: t.users.slice(0, take).map((u) => u.upn),
      scopes: opts.scope,
    });
    out.push({ id: t.id, domain: t.domain, app: { clientId: app.clientId, secret: app.secret }, grants: minted.grants });
  }
  return out;
}
