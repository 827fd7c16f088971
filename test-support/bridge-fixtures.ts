// Helpers for the mail bridge's integration tests (not a test file itself): one bridge per test
// file in front of that file's emulator, on random ports with the emulator's (trusted) certificate,
// and orgs whose mailbox connected through the emulator's consent flow.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { createBridgeCredential } from "@/lib/bridge/credentials";
import type { BridgeProtocol } from "@/lib/bridge/protocols";
import { startBridge, type RunningBridge } from "@/lib/bridge/bridge";
import { openTestDb } from "./test-db";
import { orgWithIntegration } from "./org-fixtures";
import { connectThroughEmulator } from "./microsoft-browser";

export const PORTAL = "http://localhost:3000";
const REDIRECT = "http://localhost:3999/api/connections/callback";
export const ADELE = "adele@contoso.onmicrosoft.com";

export const tlsFiles = () => ({ cert: path.join(process.env.MAILGRANT_TEST_TLS_DIR!, "emulator-cert.pem"), key: path.join(process.env.MAILGRANT_TEST_TLS_DIR!, "emulator-key.pem") });

/** One emulator and one database for the file; a bridge in this process in front of them unless `inProcess: false`. */
export function setupBridge(opts: { inProcess?: boolean; proxyFrom?: string[] } = {}) {
  const emu = setupTestEmulator({ resetEachTest: false });
  const keyringText = `k1:${randomBytes(32).toString("base64")}`;
  const keyring = parseKeyring(keyringText);
  const t = { emu, keyring, keyringText, database: undefined as unknown as Database, bridge: undefined as unknown as RunningBridge };
  beforeAll(async () => {
    t.database = await openTestDb();
    await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
    if (opts.inProcess === false) return;
    const files = tlsFiles();
    t.bridge = await startBridge({
      db: t.database.prisma,
      keyring,
      hostMap: hostMapFromBase(emu.http),
      mailHost: { host: emu.mailHost, imapPort: emu.imapPort!, popPort: emu.popPort!, smtpPort: emu.smtpPort! },
      portalUrl: PORTAL,
      ports: { smtp: 0, smtps: 0, imap: 0, imaps: 0, pop3s: 0 },
      tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) },
      host: "127.0.0.1",
      revocationPollMs: 200,
      sessionRowsEveryMs: 20,
      ...(opts.proxyFrom ? { proxyFrom: opts.proxyFrom } : {}),
    });
  });
  afterAll(async () => {
    await t.bridge?.stop();
    await t.database?.close();
  });
  beforeEach(async () => {
    await admin(emu.http, "DELETE", "/faults");
  });
  return t;
}

let n = 0;
/** An org with Adele's mailbox connected through the emulator, its integration asking for SMTP, IMAP and POP. */
export async function connectedOrg(t: ReturnType<typeof setupBridge>, over: { account?: string; mailbox?: { address: string; kind: "USER" | "SHARED" } } = {}) {
  n += 1;
  const s = await orgWithIntegration(t.database.prisma, t.keyring, `bridge-${n}-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["smtp", "imap", "pop"] });
  const id = await connectThroughEmulator({ db: s.db, keyring: t.keyring, emulator: t.emu.http, redirectUri: REDIRECT, integration: s.integration, account: over.account ?? SEED.adeleId, ...(over.mailbox ? { mailbox: over.mailbox } : {}) });
  return { ...s, id };
}

/** A bridge credential for the org's connection, with a generated username unless told otherwise. */
export async function credential(s: Awaited<ReturnType<typeof connectedOrg>>, over: { protocols?: BridgeProtocol[]; allowedIps?: string[]; username?: "mailbox" | "generated" } = {}) {
  const made = await createBridgeCredential(s.db, s.org.id, s.owner, { connectionId: s.id, name: "Printer", username: over.username ?? "generated", protocols: over.protocols ?? ["smtp", "imap", "pop"], allowedIps: over.allowedIps ?? [] });
  return { id: made.view.id, username: made.view.username, password: made.password };
}

/** The bridge sessions on a connection's timeline, oldest first. */
export async function sessionsOf(t: ReturnType<typeof setupBridge>, connectionId: string) {
  return t.database.prisma.connectionEvent.findMany({ where: { connectionId, kind: "bridge_session" }, orderBy: { createdAt: "asc" } });
}

/** A raw line client over TLS (POP3, and protocol checks the real clients can't make). */
export async function rawClient(port: number, opts: { tls: boolean } = { tls: true }) {
  const net = await import("node:net");
  let socket: import("node:net").Socket = opts.tls ? tls.connect({ host: "127.0.0.1", port, servername: "localhost" }) : net.connect({ host: "127.0.0.1", port });
  let buffer = "";
  let closed = false;
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const attach = () => {
    socket.on("data", (d: Buffer) => {
      buffer += d.toString("utf8");
      wake();
    });
    socket.on("close", () => {
      closed = true;
      wake();
    });
    socket.on("error", () => {});
  };
  attach();
  const c = {
    get closed() {
      return closed;
    },
    send: (line: string) => socket.write(`${line}\r\n`),
    /** The next line; null once the server closed. */
    async line(): Promise<string | null> {
      for (;;) {
        const nl = buffer.indexOf("\r\n");
        if (nl !== -1) {
          const l = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 2);
          return l;
        }
        if (closed) return null;
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    /** Lines up to and including the first that matches. */
    async until(match: RegExp): Promise<string[]> {
      const out: string[] = [];
      for (;;) {
        const l = await c.line();
        if (l === null) return out;
        out.push(l);
        if (match.test(l)) return out;
      }
    },
    async starttls() {
      socket.removeAllListeners("data");
      socket.removeAllListeners("close");
      socket = tls.connect({ socket, servername: "localhost" });
      attach();
      await new Promise<void>((r, j) => socket.once("secureConnect", () => r()).once("error", j));
    },
    close: () => socket.destroy(),
  };
  return c;
}
