// The token API bench's database: migrated with `prisma migrate deploy` as the launcher does, then
// one org, the emulator's seeded Contoso Helpdesk app as its integration, Adele's mailbox connected
// with a grant the emulator minted, one real refresh through the portal's own code, that cached
// access token expired, and an org-wide API key for both resources. All through lib/ functions, so
// every row is what the portal itself would have stored.
import { spawnSync } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { emulatorAdmin } from "../emulator/client";
import { createPrismaClient } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import { createOrg } from "@/lib/orgs/orgs";
import { createIntegration } from "@/lib/integrations/integrations";
import { parseCredential, parseSettings } from "@/lib/integrations/input";
import { saveConnection } from "@/lib/connections/connections";
import { getAccessToken } from "@/lib/connections/tokens";
import { createApiKey } from "@/lib/api-keys/keys";
import { delegatedScopes, type Purpose } from "@/lib/microsoft/scopes";
import { hostMapFromBase } from "@/lib/microsoft/endpoints";
import type { BenchEmulator } from "./emulator";
import { adminQuery } from "./pg-stats";

/** The seeded single-tenant app of the emulator's Contoso tenant, and one of its users (emulator/seed/demo.json). */
const HELPDESK = { clientId: "c0a70500-0000-4000-8000-0000000000e1", secret: "Hd7Q~Contoso.Helpdesk_Secret~00000001x", tenant: "contoso.onmicrosoft.com" };
const MAILBOX = "adele@contoso.onmicrosoft.com";
const PURPOSES: Purpose[] = ["graph-read"];

export type BenchDatabase = { label: string; url: string; drop: () => Promise<void> };
export type ApiFixture = { orgId: string; connectionId: string; mailbox: string; apiKey: string };

function migrate(root: string, url: string) {
  const prismaCli = path.join(root, "node_modules", "prisma", "build", "index.js");
  const r = spawnSync(process.execPath, [prismaCli, "migrate", "deploy"], { cwd: root, env: { ...process.env, DATABASE_URL: url }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`prisma migrate deploy failed:\n${(r.stdout + r.stderr).trim()}`);
}


/** A database of the bench's own on the server, dropped afterwards. */
export async function createPostgres(root: string, serverUrl: string): Promise<BenchDatabase> {
  const name = `mailgrant_bench_api_${randomBytes(4).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  try {
    migrate(root, url.toString());
  } catch (e) {
    await drop();
    throw e;
  }
  return { label: `PostgreSQL (${name})`, url: url.toString(), drop };
}

/** An emptied PGlite data folder under .data/, removed afterwards. */
export function createEmbedded(root: string): BenchDatabase {
  const dir = path.join(root, ".data", "bench-api-pglite");
  const drop = async () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.lock`, { force: true });
  };
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.lock`, { force: true });
  mkdirSync(path.dirname(dir), { recursive: true });
  migrate(root, `pglite:${dir}`);
  return { label: "embedded (PGlite)", url: `pglite:${dir}`, drop };
}

export async function seedApiFixture(url: string, keyring: Keyring, emu: BenchEmulator): Promise<ApiFixture> {
  const database = await createPrismaClient(url);
  const db = database.prisma;
  try {
    const tag = randomBytes(3).toString("hex");
    const owner = await db.user.create({ data: { tenantId: randomUUID(), objectId: randomUUID(), email: `owner-${tag}@mailgrant-bench.example`, name: "Bench owner" } });
    const org = await createOrg(db, owner, { name: "Bench API org", slug: `bench-api-${tag}` });
    const settings = parseSettings({ name: "Helpdesk", cloud: "global", tenantMode: "single", tenant: HELPDESK.tenant, clientId: HELPDESK.clientId, purposes: PURPOSES }, { allowCustomHosts: false });
    const credential = parseCredential({ credentialType: "SECRET", secret: HELPDESK.secret, secretExpiresAt: "" }, settings.clientId);
    const integration = await createIntegration(db, keyring, org.id, owner, settings, credential);

    // A refresh token as if Adele had consented at /authorize (the emulator records her consent too).
    const scopes = delegatedScopes("global", PURPOSES);
    const minted = await emulatorAdmin(emu.adminBase).ok<{ grants: { upn: string; userId: string; tenantId: string; refreshToken: string }[] }>("POST", "/grants", {
      clientId: HELPDESK.clientId,
      users: [MAILBOX],
      scopes: scopes.authorizeScope,
    });
    const grant = minted.grants[0]!;
    const granted = scopes.scopes.map((s) => s.scope);
    const saved = await saveConnection(
      db,
      keyring,
      {
        orgId: org.id,
        integrationId: integration.id,
        mailbox: grant.upn,
        mailboxKind: "USER",
        tenantId: grant.tenantId,
        objectId: grant.userId,
        upn: grant.upn,
        displayName: "Adele Vance",
        consentType: "USER",
        requestedScopes: granted,
        grantedScopes: granted,
        consentedConfigVersion: integration.configVersion,
        refreshToken: grant.refreshToken,
        accessTokens: [],
        connectedById: owner.id,
      },
      owner,
    );

    // One real refresh (over the emulator's plain-HTTP port: this process does not trust its
    // certificate) stores a real cached access token; then it is made to have expired.
    const first = await getAccessToken({ db, keyring, hostMap: hostMapFromBase(emu.adminBase) }, org.id, saved.id, "graph");
    if (!first.ok) throw new Error(`the seeding refresh failed: ${JSON.stringify(first.failure)}`);
    await db.connectionAccessToken.updateMany({ where: { connectionId: saved.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const { key } = await createApiKey(db, org.id, owner, { name: "bench", reach: "ORG", resources: ["graph", "outlook"], expiresAt: null });
    return { orgId: org.id, connectionId: saved.id, mailbox: grant.upn, apiKey: key };
  } finally {
    await database.close();
    releasePgliteLock(url);
  }
}

/**
 * The embedded database's pid lock is released at process exit (lib/db-client.ts); the portal
 * opens it next, from its own process, so the bench lets it go once it has closed it.
 */
export function releasePgliteLock(url: string) {
  const lock = url.startsWith("pglite:") ? `${url.slice("pglite:".length).replace(/\/+$/, "")}.lock` : null;
  if (lock && existsSync(lock) && readFileSync(lock, "utf8") === String(process.pid)) rmSync(lock);
}
