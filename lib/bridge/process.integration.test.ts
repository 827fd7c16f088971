import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { ImapFlow } from "imapflow";
import nodemailer from "nodemailer";
import { afterAll, describe, expect, it } from "vitest";
import { ADELE, connectedOrg, credential, sessionsOf, setupBridge, tlsFiles } from "@/test-support/bridge-fixtures";

// `npm run bridge` as its own process on PostgreSQL, as production runs it beside web and worker
// processes: it serves sessions, and SIGTERM ends the open ones, records them and exits cleanly.

const t = setupBridge({ inProcess: false });
const root = path.resolve(import.meta.dirname, "..", "..");
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => children.forEach((c) => c.exitCode === null && c.kill("SIGKILL")));

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `npm run bridge` with SMTPS and IMAPS on the given ports; `ready` resolves at its banner and rejects if it exits first. */
function spawnBridge(ports: { smtps: number; imaps: number }) {
  const files = tlsFiles();
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VITEST") && k !== "TEST_DATABASE_URL"));
  const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts", "bridge.ts")], {
    cwd: root,
    env: {
      ...base,
      NODE_ENV: "test",
      DATABASE_URL: t.database.url,
      MAILGRANT_ENCRYPTION_KEYS: t.keyringText,
      MICROSOFT_ENDPOINT_BASE: t.emu.http,
      MICROSOFT_MAIL_HOST: t.emu.mailHost,
      MICROSOFT_IMAP_PORT: String(t.emu.imapPort),
      MICROSOFT_POP_PORT: String(t.emu.popPort),
      MICROSOFT_SMTP_PORT: String(t.emu.smtpPort),
      AUTH_URL: "http://localhost:3000",
      MAILGRANT_BRIDGE: "off", // as web processes would have it: the bridge process runs regardless
      MAILGRANT_BRIDGE_HOST: "127.0.0.1",
      MAILGRANT_BRIDGE_SMTPS_PORT: String(ports.smtps),
      MAILGRANT_BRIDGE_IMAPS_PORT: String(ports.imaps),
      MAILGRANT_BRIDGE_SMTP_PORT: "off",
      MAILGRANT_BRIDGE_IMAP_PORT: "off",
      MAILGRANT_BRIDGE_POP3S_PORT: "off",
      MAILGRANT_BRIDGE_TLS_CERT: files.cert,
      MAILGRANT_BRIDGE_TLS_KEY: files.key,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const lines: string[] = [];
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  // Every line read before the exit is in `lines` once `exited` resolves through `closed`.
  const readers = [createInterface({ input: child.stdout! }), createInterface({ input: child.stderr! })];
  const closed = Promise.all(readers.map((rl) => new Promise<void>((r) => rl.once("close", () => r())))).then(() => exited);
  const ready = new Promise<void>((resolve, reject) => {
    const onLine = (l: string) => {
      lines.push(l);
      if (l.startsWith("Mail bridge on")) resolve();
    };
    for (const rl of readers) rl.on("line", onLine);
    void closed.then((code) => reject(new Error(`bridge exited (${code}):\n${lines.join("\n")}`)));
  });
  return { child, lines, exited: closed, ready };
}

// npm run bridge refuses the embedded database (one process per data folder), so this runs in the PostgreSQL pass only.
describe.runIf(process.env.TEST_DATABASE_URL)("npm run bridge", () => {
  it("serves SMTP and IMAP, and on SIGTERM cuts the open IMAP session, records it and exits 0", async () => {
    const s = await connectedOrg(t);
    const c = await credential(s);
    const [smtps, imaps] = [await freePort(), await freePort()];
    const { child, lines, exited, ready } = spawnBridge({ smtps, imaps });
    await ready;
    expect(lines).toContain(`Mail bridge on 127.0.0.1: SMTP ${smtps} (TLS), IMAP ${imaps} (TLS)`);

    const tr = nodemailer.createTransport({ host: "127.0.0.1", port: smtps, secure: true, auth: { user: c.username, pass: c.password }, tls: { servername: "localhost" } });
    expect((await tr.sendMail({ from: ADELE, to: "someone@example.com", subject: "From the bridge process", text: "x" })).response).toMatch(/^250 /);
    tr.close();

    const imap = new ImapFlow({ host: "127.0.0.1", port: imaps, secure: true, auth: { user: c.username, pass: c.password }, logger: false, tls: { servername: "localhost" } });
    imap.on("error", () => {});
    await imap.connect();
    const closed = new Promise<void>((r) => imap.once("close", () => r()));
    child.kill("SIGTERM");
    await closed;
    expect(await exited).toBe(0);
    expect(lines).toContain("mail bridge stopped");
    const recorded = (await sessionsOf(t, s.id)).map((e) => e.detail as { protocol: string; outcome: string });
    expect(recorded).toEqual([expect.objectContaining({ protocol: "smtp", outcome: "ok" }), expect.objectContaining({ protocol: "imap", outcome: "ok" })]);
  });

  it("with one port taken by another program serves the other and names it; with every port taken exits 1 saying what to set", async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, "127.0.0.1", r));
    const taken = (squatter.address() as net.AddressInfo).port;
    try {
      const s = await connectedOrg(t);
      const c = await credential(s);
      const smtps = await freePort();
      const partial = spawnBridge({ smtps, imaps: taken });
      await partial.ready;
      expect(partial.lines).toContain(`Mail bridge on 127.0.0.1: SMTP ${smtps} (TLS)`);
      const tr = nodemailer.createTransport({ host: "127.0.0.1", port: smtps, secure: true, auth: { user: c.username, pass: c.password }, tls: { servername: "localhost" } });
      expect((await tr.sendMail({ from: ADELE, to: "someone@example.com", subject: "Beside a taken port", text: "x" })).response).toMatch(/^250 /);
      tr.close();
      expect(partial.lines).toContain(`Mail bridge not listening: IMAPS on ${taken} is taken by another program: set MAILGRANT_BRIDGE_IMAPS_PORT to a free port, or to "off" for no IMAPS listener; the other listeners serve.`);
      partial.child.kill("SIGTERM");
      expect(await partial.exited).toBe(0);

      const none = spawnBridge({ smtps: taken, imaps: taken });
      await expect(none.ready).rejects.toThrow(/bridge exited \(1\)/);
      expect(none.lines.join("\n")).toContain(`The mail bridge could not listen on any of its ports: SMTPS on ${taken} is taken by another program: set MAILGRANT_BRIDGE_SMTPS_PORT to a free port`);
    } finally {
      await new Promise<void>((r) => squatter.close(() => r()));
    }
  });
});
