import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import net from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database, Db } from "@/lib/db-client";
import { parseEnv } from "@/lib/env";
import { capturedLogLines } from "@/lib/logger";
import { openTestDb } from "@/test-support/test-db";
import { PORTAL, rawClient, tlsFiles } from "@/test-support/bridge-fixtures";
import { BridgeListenError, startBridge, type BridgePorts, type RunningBridge } from "./bridge";
import { startBridgeFromEnv } from "./run";

// The bridge as a whole: one port that cannot be bound leaves the others serving and is named with
// what to set (only when none can listen does the bridge not start); its failures are logged
// through the project's logger, without the password; and failed sign-ins are counted per bridge.

const keyringText = `k1:${randomBytes(32).toString("base64")}`;
let database: Database;
const running: RunningBridge[] = [];
const squatters: net.Server[] = [];
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => {
  await Promise.all(running.map((b) => b.stop()));
  await Promise.all(squatters.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await database?.close();
});

/** A port on 127.0.0.1 held by "another program" for the rest of the file. */
async function takenPort(): Promise<number> {
  const s = net.createServer();
  squatters.push(s);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return (s.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function bridgeOn(ports: BridgePorts, db: Db = database.prisma) {
  const files = tlsFiles();
  const b = await startBridge({ db, keyring: parseKeyring(keyringText), portalUrl: PORTAL, ports, tls: { cert: readFileSync(files.cert), key: readFileSync(files.key) }, host: "127.0.0.1" });
  running.push(b);
  return b;
}

describe("mail bridge listeners", () => {
  it("a port taken by another program leaves the other listeners serving and is reported by name, port and reason", async () => {
    const taken = await takenPort();
    const b = await bridgeOn({ smtp: 0, smtps: taken, imap: 0 });
    expect(b.failed).toEqual([{ listener: "smtps", port: taken, code: "EADDRINUSE" }]);
    expect(Object.keys(b.ports).sort()).toEqual(["imap", "smtp"]);
    const smtp = await rawClient(b.ports.smtp!, { tls: false });
    expect(await smtp.line()).toMatch(/^220 .* Mailgrant mail bridge ESMTP ready$/);
    smtp.close();
    const imap = await rawClient(b.ports.imap!, { tls: false });
    expect(await imap.line()).toMatch(/^\* OK /);
    imap.close();
  });

  it("when no listener can bind, the bridge does not start and says which ports failed", async () => {
    const [a, c] = [await takenPort(), await takenPort()];
    const err = await bridgeOn({ smtps: a, imaps: c }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeListenError);
    expect((err as BridgeListenError).failed).toEqual([
      { listener: "smtps", port: a, code: "EADDRINUSE" },
      { listener: "imaps", port: c, code: "EADDRINUSE" },
    ]);
  });

  it("as configured from the environment: the banner names the taken port and the variable to set; none bound is an error that says so", async () => {
    const files = tlsFiles();
    const [smtp, taken] = [await freePort(), await takenPort()];
    const e = (ports: Record<string, string>) =>
      parseEnv({
        MAILGRANT_ENCRYPTION_KEYS: keyringText,
        MAILGRANT_BRIDGE_HOST: "127.0.0.1",
        MAILGRANT_BRIDGE_TLS_CERT: files.cert,
        MAILGRANT_BRIDGE_TLS_KEY: files.key,
        MAILGRANT_BRIDGE_SMTP_PORT: "off",
        MAILGRANT_BRIDGE_SMTPS_PORT: "off",
        MAILGRANT_BRIDGE_IMAP_PORT: "off",
        MAILGRANT_BRIDGE_IMAPS_PORT: "off",
        MAILGRANT_BRIDGE_POP3S_PORT: "off",
        ...ports,
      });
    const started = await startBridgeFromEnv(database.prisma, e({ MAILGRANT_BRIDGE_SMTP_PORT: String(smtp), MAILGRANT_BRIDGE_SMTPS_PORT: String(taken) }));
    if (!("bridge" in started)) throw new Error(started.off);
    running.push(started.bridge);
    expect(started.banner.split("\n")).toEqual([
      `Mail bridge on 127.0.0.1: SMTP ${smtp} (STARTTLS)`,
      `Mail bridge not listening: SMTPS on ${taken} is taken by another program: set MAILGRANT_BRIDGE_SMTPS_PORT to a free port, or to "off" for no SMTPS listener; the other listeners serve.`,
    ]);
    await expect(startBridgeFromEnv(database.prisma, e({ MAILGRANT_BRIDGE_SMTPS_PORT: String(taken) }))).rejects.toThrow(
      `The mail bridge could not listen on any of its ports: SMTPS on ${taken} is taken by another program: set MAILGRANT_BRIDGE_SMTPS_PORT to a free port, or to "off" for no SMTPS listener.`,
    );
  });
});

describe("mail bridge logs", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a session that fails here is logged through the logger with protocol, client address and the error, never the password", async () => {
    const consoleError = vi.spyOn(console, "error");
    // The database goes away between the client's AUTH and the credential's lookup.
    const db = { bridgeCredential: { findUnique: () => Promise.reject(new Error("Can't reach database server at db.internal:5432")) } } as unknown as Db;
    const b = await bridgeOn({ smtps: 0 }, db);
    const password = "Hunter2-bridge-password-0001";
    const before = capturedLogLines().length;
    const c = await rawClient(b.ports.smtps!);
    expect(await c.line()).toMatch(/^220 /);
    c.send(`AUTH PLAIN ${Buffer.from(`\0printer@contoso.test\0${password}`).toString("base64")}`);
    expect(await c.line()).toBe("421 4.3.0 Mailgrant: the mail bridge failed; try again in a minute");
    c.close();

    const lines = capturedLogLines().slice(before);
    const failed = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "mail bridge session failed");
    expect(failed).toEqual([expect.objectContaining({ level: 50, protocol: "smtp", clientIp: "127.0.0.1", err: expect.objectContaining({ message: "Can't reach database server at db.internal:5432" }) })]);
    expect(lines.join("\n")).not.toContain(password);
    expect(consoleError).not.toHaveBeenCalled();
  });
});

describe("mail bridge sign-in limits", () => {
  it("are counted per bridge: a fresh bridge in the same process starts with no failures counted", async () => {
    const username = `nobody-${randomBytes(3).toString("hex")}@contoso.test`;
    const auth = `AUTH PLAIN ${Buffer.from(`\0${username}\0not-the-password-0000`).toString("base64")}`;
    const [first, second] = [await bridgeOn({ smtps: 0 }), await bridgeOn({ smtps: 0 })];

    const a = await rawClient(first.ports.smtps!);
    await a.line();
    for (let i = 0; i < 10; i += 1) {
      a.send(auth);
      expect(await a.line()).toMatch(/^535 5\.7\.8 Mailgrant: wrong username or password/);
    }
    a.send(auth);
    expect(await a.line()).toBe("454 4.7.0 Mailgrant: too many failed sign-ins; wait five minutes and check the username and password");
    a.close();

    const b = await rawClient(second.ports.smtps!);
    await b.line();
    b.send(auth);
    expect(await b.line()).toMatch(/^535 5\.7\.8 Mailgrant: wrong username or password/);
    b.close();
  });
});
