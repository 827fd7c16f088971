import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HELPDESK, SEED, admin, setupTestEmulator } from "@/emulator/test-support";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { connectThroughEmulator } from "@/test-support/microsoft-browser";
import { newKey } from "@/test-support/api-fixtures";
import { serveRoutes } from "@/test-support/route-server";

// The README's token API examples (examples/*.mjs) run as their own processes against the real
// route handlers over HTTP and the emulator's Graph and IMAP: what the README shows works.

const emu = setupTestEmulator({ resetEachTest: false });
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
const REDIRECT = "http://localhost:3999/api/connections/callback";
const state = vi.hoisted(() => ({ database: null as unknown, hostMap: undefined as unknown }));
vi.mock("server-only", () => ({}));
vi.mock("@/lib/db", () => ({ database: async () => state.database, db: async () => (state.database as Database).prisma }));
vi.mock("@/lib/deployment", () => ({ appKeyring: () => keyring, publicUrl: () => "http://localhost:3000", deploymentHostMap: () => state.hostMap, mailHostSettings: () => undefined }));
vi.mock("@/lib/env", async (original) => ({ ...(await original<typeof import("@/lib/env")>()), env: () => ({ MAILGRANT_API_RATE_PER_KEY: 1000, MAILGRANT_API_RATE_PER_CONNECTION: 1000 }) }));

const routes = {
  "GET /api/v1/connections": (await import("@/app/api/v1/connections/route")).GET,
  "POST /api/v1/connections/:id/token": (await import("@/app/api/v1/connections/[id]/token/route")).POST,
};
const { stopApiProcess } = await import("./handler");

let database: Database;
let portal: Awaited<ReturnType<typeof serveRoutes>>;
let key: string;
beforeAll(async () => {
  database = await openTestDb();
  state.database = database;
  state.hostMap = hostMapFromBase(emu.httpsUrl);
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
  const s = await orgWithIntegration(database.prisma, keyring, `examples-${randomBytes(2).toString("hex")}`, { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes: ["graph-read", "imap"] });
  await connectThroughEmulator({ db: s.db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: SEED.adeleId });
  key = await newKey(s.db, s);
  portal = await serveRoutes(routes);
});
afterAll(async () => {
  await portal?.close();
  await stopApiProcess();
  await database.close();
});

function run(script: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve(import.meta.dirname, "..", "..", "examples", script)], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("token API examples", () => {
  it("imap-xoauth2.mjs signs in to IMAP with the XOAUTH2 string and counts the inbox", async () => {
    const r = await run("imap-xoauth2.mjs", { MAILGRANT_URL: portal.url, MAILGRANT_API_KEY: key, MAILBOX: "adele@contoso.onmicrosoft.com", IMAP_HOST: emu.mailHost, IMAP_PORT: String(emu.imapPort) });
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^adele@contoso\.onmicrosoft\.com: \d+ messages in the inbox$/m);
    expect(r.code).toBe(0);
  });

  it("says what went wrong with a bad key, and exits 1", async () => {
    const r = await run("imap-xoauth2.mjs", { MAILGRANT_URL: portal.url, MAILGRANT_API_KEY: `mgk_${"C".repeat(48)}`, MAILBOX: "adele@contoso.onmicrosoft.com", IMAP_HOST: emu.mailHost, IMAP_PORT: String(emu.imapPort) });
    expect(r.stderr).toMatch(/401 invalid_key/);
    expect(r.code).toBe(1);
  });
});
