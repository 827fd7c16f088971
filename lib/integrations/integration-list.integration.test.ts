import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { listIntegrationsWithHealth } from "./integration-list";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

describe("integrations list", () => {
  it("counts each integration's mailboxes by health, within the org, and says why its last credentials check failed", async () => {
    const db = database.prisma;
    const a = await orgWithIntegration(db, keyring, `ilist-a-${randomBytes(3).toString("hex")}`);
    const b = await orgWithIntegration(db, keyring, `ilist-b-${randomBytes(3).toString("hex")}`);
    const ids = [await savedConnection(db, keyring, a), await savedConnection(db, keyring, a), await savedConnection(db, keyring, a)];
    await savedConnection(db, keyring, b);
    await db.connection.update({ where: { id: ids[0] }, data: { health: "FAILING", healthClass: "misconfigured" } });
    await db.connection.update({ where: { id: ids[1] }, data: { health: "HEALTHY" } });
    await db.integration.update({ where: { id: a.integration.id }, data: { status: "FAILING", lastCheckedAt: new Date("2026-12-01T04:27:00Z"), lastCheck: { ok: false, steps: [{ id: "app", label: "App found", status: "ok" }, { id: "credential", label: "Client secret accepted", status: "failed", diagnosis: "AADSTS7000215", detail: "Invalid client secret provided." }] } } });
    const [row] = await listIntegrationsWithHealth(db, a.org.id);
    expect(row).toMatchObject({ id: a.integration.id, mailboxes: 3, health: { FAILING: 1, HEALTHY: 1, UNKNOWN: 1 } });
    expect(row!.credentialCheck).toEqual({ at: new Date("2026-12-01T04:27:00Z"), failed: { step: "Client secret accepted", code: "AADSTS7000215", detail: "Invalid client secret provided." } });
    const [other] = await listIntegrationsWithHealth(db, b.org.id);
    expect(other).toMatchObject({ id: b.integration.id, mailboxes: 1, credentialCheck: { at: null, failed: null } });
  });
});
