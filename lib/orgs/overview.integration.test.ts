import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { orgOverview } from "./overview";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

describe("org overview", () => {
  it("counts health and consent (an outdated consent needs re-consent), lists the longest failing first with its fix, what is at risk, expiring secrets, and the next check; nothing of another org", async () => {
    const db = database.prisma;
    const now = new Date("2026-12-02T12:00:00Z");
    const s = await orgWithIntegration(db, keyring, `overview-${randomBytes(3).toString("hex")}`);
    const other = await orgWithIntegration(db, keyring, `overview-other-${randomBytes(3).toString("hex")}`);
    const [a, b, c, d] = [await savedConnection(db, keyring, s), await savedConnection(db, keyring, s), await savedConnection(db, keyring, s), await savedConnection(db, keyring, s)];
    const o1 = await savedConnection(db, keyring, other);
    await db.connection.update({ where: { id: a }, data: { health: "FAILING", healthClass: "misconfigured", healthCode: "smtp_auth_disabled", healthReason: "SMTP AUTH is disabled (smtp_auth_disabled).", healthChangedAt: new Date("2026-12-02T10:00:00Z"), nextCheckAt: new Date("2026-12-02T12:10:00Z") } });
    await db.connection.update({ where: { id: b }, data: { health: "FAILING", healthClass: "needs_reconsent", healthCode: "AADSTS50173", status: "NEEDS_RECONSENT", healthChangedAt: new Date("2026-12-01T10:00:00Z") } });
    await db.connection.update({ where: { id: c }, data: { health: "AT_RISK", healthCode: "inactivity_deadline", healthReason: "Unused grants die after 90 days: this one dies in 5 days unless it is used.", nextCheckAt: new Date("2026-12-02T12:05:00Z") } });
    await db.connection.update({ where: { id: d }, data: { consentedConfigVersion: 0, health: "HEALTHY", nextCheckAt: new Date("2026-12-02T12:20:00Z") } });
    await db.connection.update({ where: { id: o1 }, data: { health: "FAILING", nextCheckAt: new Date("2026-12-02T12:01:00Z") } });
    await db.integration.update({ where: { id: s.integration.id }, data: { secretExpiresAt: new Date("2026-12-20T00:00:00Z") } });

    const o = await orgOverview(db, s.org.id, now);
    expect(o.total).toBe(4);
    expect(o.health).toEqual({ FAILING: 2, AT_RISK: 1, HEALTHY: 1, DEGRADED: 0, UNKNOWN: 0 });
    expect(o.consent).toEqual({ connected: 2, needsReconsent: 2, revoked: 0 });
    expect(o.failing.map((f) => f.id)).toEqual([b, a]);
    expect(o.failing[1]).toMatchObject({ healthReason: "SMTP AUTH is disabled (smtp_auth_disabled).", fix: expect.stringContaining("Set-CASMailbox") });
    expect(o.atRisk.map((r) => r.id)).toEqual([c]);
    expect(o.expiring).toEqual([{ id: s.integration.id, name: "Helpdesk", what: "client secret", at: new Date("2026-12-20T00:00:00Z") }]);
    expect(o.nextCheckAt).toEqual(new Date("2026-12-02T12:05:00Z"));
  });
});
