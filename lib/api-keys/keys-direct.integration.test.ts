import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { directSql, type DirectSql } from "@/lib/db-sql";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { authenticateKey, createApiKey } from "./keys";

// The token API reads keys straight from the driver (PGlite's query, or a pg pool), the mail
// bridge through Prisma: both must read the same key, times included. pg would read Prisma's
// `timestamp(3)` columns in the process's time zone; the statement returns epoch milliseconds,
// so a process far from UTC reads the same instants.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let sql: DirectSql;
const zone = process.env.TZ;
beforeAll(async () => {
  process.env.TZ = "America/New_York";
  database = await openTestDb();
  sql = directSql(database);
});
afterAll(async () => {
  await sql.close();
  await database.close();
  process.env.TZ = zone;
});

describe("authenticateKey through the driver", () => {
  it("reads the same key as through Prisma, its last use to the millisecond, and refuses an expired or revoked one the same way", async () => {
    const db = database.prisma;
    const s = await orgWithIntegration(db, keyring, `direct-${randomBytes(3).toString("hex")}`);
    const lastUsedAt = new Date("2026-06-30T23:59:58.123Z");
    const { key, view } = await createApiKey(db, s.org.id, s.owner, { name: "Sync", resources: ["graph"], expiresAt: new Date(Date.now() + 3_600_000), reach: "INTEGRATIONS", integrationIds: [s.integration.id] });
    await db.apiKey.update({ where: { id: view.id }, data: { lastUsedAt } });

    const direct = await authenticateKey(sql, key);
    const viaPrisma = await authenticateKey(db, key);
    expect(direct).toEqual(viaPrisma);
    expect(direct).toMatchObject({ ok: true, key: { id: view.id, orgId: s.org.id, orgSlug: s.org.slug, reach: "INTEGRATIONS", integrationIds: [s.integration.id], connectionIds: [], resources: ["graph"] } });
    expect(direct.ok && direct.key.lastUsedAt?.toISOString()).toBe(lastUsedAt.toISOString());

    expect(await authenticateKey(sql, key, new Date(Date.now() + 2 * 3_600_000))).toEqual({ ok: false, reason: "expired" });
    await db.apiKey.update({ where: { id: view.id }, data: { revokedAt: new Date() } });
    expect(await authenticateKey(sql, key)).toEqual({ ok: false, reason: "revoked" });
    expect(await authenticateKey(sql, `${key.slice(0, -1)}${key.endsWith("A") ? "B" : "A"}`)).toEqual({ ok: false, reason: "unknown" });
  });
});
