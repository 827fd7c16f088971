import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureEmulatorCertificate } from "../emulator/tls";
import { demoEnvironment } from "./demo-env";

type Seed = {
  tenants: { displayName: string; users: { upn: string; displayName: string; admin?: boolean; kind?: "user" | "shared" }[] }[];
  apps: { clientId: string; displayName: string; secrets: { value: string }[] }[];
};

/**
 * Starts the bundled Microsoft emulator for demo mode and returns the environment that points
 * the portal's sign-in at it. The portal trusts the emulator's certificate via
 * NODE_EXTRA_CA_CERTS, which Node reads only at start: hence a separate web process.
 */
export async function startDemoEmulator(opts: { root: string; dataDir: string; portalUrl: string; children: ChildProcess[] }) {
  const httpsPort = Number(process.env.EMULATOR_PORT ?? 3100);
  const httpPort = Number(process.env.EMULATOR_HTTP_PORT ?? httpsPort + 1);
  const mailPort = (p: "IMAP" | "POP" | "SMTP", offset: number) => Number(process.env[`EMULATOR_${p}_PORT`] ?? httpsPort + offset);
  const [imapPort, popPort, smtpPort] = [mailPort("IMAP", 2), mailPort("POP", 3), mailPort("SMTP", 4)];
  const tlsDir = path.join(opts.dataDir, "emulator", "tls");
  const cert = await ensureEmulatorCertificate(tlsDir);
  const seedPath = process.env.EMULATOR_SEED ?? path.join(opts.root, "emulator", "seed", "demo.json");
  const seed = JSON.parse(readFileSync(seedPath, "utf8")) as Seed;
  const portalApp = seed.apps.find((a) => a.displayName === "Mailgrant portal") ?? seed.apps[0];
  if (!portalApp?.secrets[0]) throw new Error(`the seed ${seedPath} has no app with a secret for the portal`);

  const child = spawn(process.execPath, ["--import", "tsx", path.join(opts.root, "emulator", "main.ts")], {
    cwd: opts.root,
    env: {
      ...process.env,
      EMULATOR_PORT: String(httpsPort),
      EMULATOR_HTTP_PORT: String(httpPort),
      EMULATOR_IMAP_PORT: String(imapPort),
      EMULATOR_POP_PORT: String(popPort),
      EMULATOR_SMTP_PORT: String(smtpPort),
      EMULATOR_TLS_DIR: tlsDir,
      EMULATOR_SEED: seedPath,
      // Stored connections must keep refreshing after a restart: the emulator keeps its grants in the data folder.
      EMULATOR_STATE_FILE: process.env.EMULATOR_STATE_FILE ?? path.join(opts.dataDir, "emulator-state.json"),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  opts.children.push(child);
  child.stdout?.on("data", (d: Buffer) => process.stdout.write(d.toString().replace(/^(?=.)/gm, "[emulator] ")));
  const admin = `http://localhost:${httpPort}/_emulator`;
  await waitFor(`${admin}/state`, child);
  // The seed registers port 3000; register the callback for whatever port the portal uses.
  await fetch(`${admin}/apps/${portalApp.clientId}/redirect-uris`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ uri: `${opts.portalUrl}/api/auth/callback/microsoft-entra-id` }),
  });

  // Every other seed app is an org's integration: register the portal's mailbox-consent callback.
  for (const app of seed.apps.filter((a) => a.clientId !== portalApp.clientId)) {
    await fetch(`${admin}/apps/${app.clientId}/redirect-uris`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: `${opts.portalUrl}/api/connections/callback` }),
    });
  }

  // Shared mailboxes cannot sign in; a delegate connects them.
  const users = seed.tenants.flatMap((t) => t.users.filter((u) => u.kind !== "shared").map((u) => ({ ...u, tenant: t.displayName })));
  const supportEmail = users.find((u) => u.upn.startsWith("support@"))?.upn ?? "";
  const demo = demoEnvironment(
    process.env,
    { httpsPort, httpPort, imapPort, popPort, smtpPort, certPath: cert.certPath, portalClientId: portalApp.clientId, portalSecret: portalApp.secrets[0].value },
    opts.dataDir,
  );
  if (demo.caBundle) writeCaBundle(demo.caBundle);
  const banner = [
    `Microsoft emulator: https://localhost:${httpsPort} (sign-in pages on http://localhost:${httpPort})`,
    `Mail (XOAUTH2): IMAP localhost:${imapPort}, POP localhost:${popPort} (TLS), SMTP localhost:${smtpPort} (STARTTLS)`,
    ...demo.notes.map((n) => `Kept from your environment: ${n}`),
    "Demo accounts (pick one on the emulator's sign-in page; no password):",
    ...users.map((u) => `  ${u.upn.padEnd(38)} ${u.displayName} (${u.tenant})${u.upn === supportEmail ? " — support staff" : u.admin ? " — Microsoft 365 admin" : ""}`),
  ].join("\n");
  return { banner, supportEmail, env: demo.env };
}

/** One PEM file with the caller's CAs and the emulator's certificate (NODE_EXTRA_CA_CERTS takes a single file). */
function writeCaBundle(bundle: { path: string; sources: string[] }) {
  const parts = bundle.sources.map((file) => {
    try {
      return readFileSync(file, "utf8").trim();
    } catch (e) {
      throw new Error(`cannot read the CA file ${file} (NODE_EXTRA_CA_CERTS): ${(e as Error).message}`);
    }
  });
  mkdirSync(path.dirname(bundle.path), { recursive: true });
  writeFileSync(bundle.path, `${parts.join("\n")}\n`, { mode: 0o600 });
}

async function waitFor(url: string, child: ChildProcess) {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`it exited with code ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`it did not answer at ${url} within 20 s`);
}
