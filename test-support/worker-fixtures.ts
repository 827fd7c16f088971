// Test helpers for the worker's integration tests (not a test file itself): real connections
// through the emulator's consent flow, in one or two Microsoft tenants.
import { HELPDESK, SEED, admin, type TestEmulator } from "@/emulator/test-support";
import { emulatorAdmin } from "@/emulator/client";
import type { Keyring } from "@/lib/crypto";
import type { Db } from "@/lib/db-client";
import type { TestDeps } from "@/lib/connections/connection-test";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import { orgWithIntegration } from "./org-fixtures";
import { connectThroughEmulator } from "./microsoft-browser";

export const REDIRECT = "http://localhost:3999/api/connections/callback";
export const CONTOSO_USERS = { adele: SEED.adeleId, megan: "c0a70500-0000-4000-8000-0000000000a2", lee: "c0a70500-0000-4000-8000-0000000000a3" };
export const FABRIKAM_ALEX = SEED.alexId;

export function workerTestDeps(emu: TestEmulator, keyring: Keyring, stepTimeoutMs = 5000): Omit<TestDeps, "db"> {
  return { keyring, hostMap: hostMapFromBase(emu.httpsUrl), mailHost: { host: emu.mailHost, imapPort: emu.imapPort ?? 0, popPort: emu.popPort ?? 0, smtpPort: emu.smtpPort ?? 0 }, stepTimeoutMs };
}

let n = 0;
const slug = (what: string) => `${what}-${++n}-${Math.random().toString(16).slice(2, 6)}`;

/** An org with the seeded Contoso Helpdesk integration and one connection per Contoso account named. */
export async function contosoConnections(db: Db, keyring: Keyring, emu: TestEmulator, accounts: string[], purposes = ["graph-read"]) {
  await admin(emu.http, "POST", `/apps/${HELPDESK.clientId}/redirect-uris`, { uri: REDIRECT });
  const s = await orgWithIntegration(db, keyring, slug("contoso"), { clientId: HELPDESK.clientId, secret: HELPDESK.secret, purposes });
  const ids: string[] = [];
  for (const account of accounts) ids.push(await connectThroughEmulator({ db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account }));
  return { ...s, ids };
}

/** An org with a Fabrikam single-tenant app (created in the emulator) and Alex's connection. */
export async function fabrikamConnection(db: Db, keyring: Keyring, emu: TestEmulator, purposes = ["graph-read"]) {
  const app = await emulatorAdmin(emu.http).addApp("fabrikam.onmicrosoft.com", { displayName: "Fabrikam mail", multiTenant: false, redirectUris: [REDIRECT] });
  const s = await orgWithIntegration(db, keyring, slug("fabrikam"), { clientId: app.clientId, secret: app.secrets[0]!.value, tenant: "fabrikam.onmicrosoft.com", purposes });
  const id = await connectThroughEmulator({ db, keyring, emulator: emu.http, redirectUri: REDIRECT, integration: s.integration, account: FABRIKAM_ALEX });
  return { ...s, id };
}

/** Polls until `probe` returns a value (for state another process changes; generous guard). */
export async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
