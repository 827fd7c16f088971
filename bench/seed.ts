// Seeds the bench's orgs, integrations and connections in bulk (createMany, 1,000 rows a statement),
// with the grants encrypted by the real keyring functions and bound to their rows, exactly as
// saveConnection stores them, so the worker decrypts and uses them like any consented grant.
import { randomUUID } from "node:crypto";
import type { Db } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { encryptField, type Keyring } from "@/lib/crypto";
import type { BenchTenant } from "./emulator";

export type SeedInput = { tenants: BenchTenant[]; purposes: string[]; grantedScopes: string[]; intervalMinutes: number };
export type SeedResult = { orgs: number; connections: number; ms: number };

/** Far enough ahead that nothing is due until a sweep marks it (the sweep sets nextCheckAt to now). */
export const NOT_DUE = new Date(Date.UTC(2099, 0, 1));

export async function seedDatabase(db: Db, keyring: Keyring, input: SeedInput): Promise<SeedResult> {
  const started = Date.now();
  const now = new Date();
  const orgs: { id: string; slug: string; name: string; tenantId: string; checkIntervalMinutes: number }[] = [];
  const integrations: Prisma.IntegrationCreateManyInput[] = [];
  const connections: Prisma.ConnectionCreateManyInput[] = [];
  input.tenants.forEach((t, i) => {
    const orgId = randomUUID();
    const integrationId = randomUUID();
    orgs.push({ id: orgId, slug: `bench-${i}-${t.id.slice(0, 8)}`, name: `Bench org ${i}`, tenantId: t.id, checkIntervalMinutes: input.intervalMinutes });
    integrations.push({
      id: integrationId,
      orgId,
      name: "Bench helpdesk",
      cloud: "global",
      tenantMode: "single",
      tenant: t.id,
      clientId: t.app.clientId,
      credentialType: "SECRET",
      secretEncrypted: encryptField(keyring, t.app.secret, { orgId, table: "Integration", rowId: integrationId, field: "secret" }),
      secretUpdatedAt: now,
      purposes: input.purposes,
      extraScopes: [],
      status: "CREDENTIALS_OK",
    });
    for (const g of t.grants) {
      const id = randomUUID();
      connections.push({
        id,
        orgId,
        integrationId,
        mailbox: g.upn.toLowerCase(),
        mailboxKind: "USER",
        tenantId: t.id,
        objectId: g.userId,
        upn: g.upn,
        displayName: g.upn.split("@")[0] ?? g.upn,
        consentType: "USER",
        requestedScopes: input.grantedScopes,
        grantedScopes: input.grantedScopes,
        consentedConfigVersion: 1,
        refreshTokenEncrypted: encryptField(keyring, g.refreshToken, { orgId, table: "Connection", rowId: id, field: "refreshToken" }),
        refreshTokenIssuedAt: now,
        refreshTokenLastUsedAt: now,
        nextCheckAt: NOT_DUE,
      });
    }
  });
  const chunks = <T>(rows: T[], size = 1000) => Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
  for (const c of chunks(orgs)) await db.org.createMany({ data: c });
  for (const c of chunks(integrations)) await db.integration.createMany({ data: c });
  for (const c of chunks(connections)) await db.connection.createMany({ data: c });
  return { orgs: orgs.length, connections: connections.length, ms: Date.now() - started };
}
