import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { saveConnection } from "@/lib/connections/connections";
import { checkAllNow, getCheckSettings, updateCheckSettings } from "./org-settings";
import { jitterMs, MINUTE_MS, slotOffsetMs } from "./schedule";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

/** An org with `n` connected mailboxes, each scheduled `scheduledIn` ms from now. */
async function orgWithMailboxes(slug: string, n: number, scheduledIn = 20 * 3_600_000) {
  const { db, org, integration, owner } = await orgWithIntegration(database.prisma, keyring, slug);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const saved = await saveConnection(db, keyring, {
      orgId: org.id, integrationId: integration.id, mailbox: `box${i}@${slug}.onmicrosoft.com`, mailboxKind: "USER", tenantId: crypto.randomUUID(), objectId: crypto.randomUUID(), upn: `box${i}@${slug}.onmicrosoft.com`,
      displayName: null, consentType: "USER", requestedScopes: ["offline_access"], grantedScopes: ["offline_access"], consentedConfigVersion: 1, refreshToken: `1.A${randomBytes(30).toString("base64url")}`, accessTokens: [], connectedById: owner.id,
    }, owner);
    ids.push(saved.id);
  }
  await db.connection.updateMany({ where: { orgId: org.id }, data: { nextCheckAt: new Date(Date.now() + scheduledIn) } });
  return { db, org, owner, ids };
}

const snapshot = async (db: Database["prisma"], orgId: string) => ({
  org: await db.org.findUniqueOrThrow({ where: { id: orgId }, select: { checkIntervalMinutes: true, keepAliveDays: true } }),
  schedule: (await db.connection.findMany({ where: { orgId }, select: { id: true, nextCheckAt: true }, orderBy: { id: "asc" } })).map((c) => [c.id, c.nextCheckAt?.toISOString()]),
  audit: await db.auditEvent.count({ where: { orgId, action: "org.settings_updated" } }),
});

describe("updateCheckSettings", () => {
  it.each([
    [{ checkIntervalMinutes: "4", keepAliveDays: "7" }, "checkIntervalMinutes", /Check interval must be at least 5 minutes/],
    [{ checkIntervalMinutes: "1441", keepAliveDays: "7" }, "checkIntervalMinutes", /Check interval must be at most 1440 minutes/],
    [{ checkIntervalMinutes: "ten", keepAliveDays: "7" }, "checkIntervalMinutes", /Check interval must be a whole number of minutes from 5 to 1440/],
    [{ checkIntervalMinutes: "7.5", keepAliveDays: "7" }, "checkIntervalMinutes", /Check interval must be a whole number/],
    [{ checkIntervalMinutes: "", keepAliveDays: "7" }, "checkIntervalMinutes", /Check interval/],
    [{ checkIntervalMinutes: "30", keepAliveDays: "0" }, "keepAliveDays", /Keep-alive age must be at least 1 days/],
    [{ checkIntervalMinutes: "30", keepAliveDays: "61" }, "keepAliveDays", /Keep-alive age must be at most 60 days/],
  ])("refuses %o, naming %s, and changes nothing", async (input, field, message) => {
    const { db, org, owner } = await orgWithMailboxes(`set-bad-${randomBytes(3).toString("hex")}`, 2);
    const before = await snapshot(db, org.id);
    const error = await updateCheckSettings(db, org.id, input, owner).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    const issues = (error as ZodError).issues;
    expect(issues.map((i) => i.path[0])).toEqual([field]);
    expect(issues[0]!.message).toMatch(message);
    expect(await snapshot(db, org.id)).toEqual(before);
  });

  it("saves both settings, audits the change and moves every scheduled connection into the new period", async () => {
    const { db, org, owner, ids } = await orgWithMailboxes("set-ok", 5);
    const now = new Date();
    const result = await updateCheckSettings(db, org.id, { checkIntervalMinutes: "5", keepAliveDays: "3" }, owner, { ip: "203.0.113.9" }, { now });
    expect(result).toMatchObject({ checkIntervalMinutes: 5, keepAliveDays: 3, rescheduled: 5, intervalChanged: true });
    expect(await getCheckSettings(db, org.id)).toMatchObject({ checkIntervalMinutes: 5, keepAliveDays: 3, connected: 5 });
    const period = 5 * MINUTE_MS;
    const rows = await db.connection.findMany({ where: { orgId: org.id }, select: { id: true, nextCheckAt: true } });
    for (const r of rows) {
      const at = r.nextCheckAt!.getTime();
      // Within the new period (they were 20 hours out), in the connection's own slot plus jitter.
      expect(at).toBeGreaterThan(now.getTime());
      expect(at).toBeLessThanOrEqual(now.getTime() + period + jitterMs(period));
      expect((((at - slotOffsetMs(r.id, period)) % period) + period) % period).toBeLessThan(jitterMs(period));
    }
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(ids));
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: org.id, action: "org.settings_updated" } });
    expect(audit).toMatchObject({ actorEmail: owner.email, ip: "203.0.113.9", targetType: "org", targetId: org.id });
    expect(audit.data).toEqual({ checkIntervalMinutes: 5, keepAliveDays: 3, previousCheckIntervalMinutes: 30, previousKeepAliveDays: 7 });
  });

  it("leaves connections that are already due alone, and reschedules nothing when the interval is unchanged", async () => {
    const { db, org, owner, ids } = await orgWithMailboxes("set-due", 3);
    const due = new Date(Date.now() - 1000);
    await db.connection.update({ where: { id: ids[0] }, data: { nextCheckAt: due } });
    const first = await updateCheckSettings(db, org.id, { checkIntervalMinutes: "10", keepAliveDays: "7" }, owner);
    expect(first.rescheduled).toBe(2);
    expect((await db.connection.findUniqueOrThrow({ where: { id: ids[0] } })).nextCheckAt).toEqual(due);
    const before = await snapshot(db, org.id);
    const second = await updateCheckSettings(db, org.id, { checkIntervalMinutes: "10", keepAliveDays: "14" }, owner);
    expect(second).toMatchObject({ rescheduled: 0, intervalChanged: false, keepAliveDays: 14 });
    expect((await snapshot(db, org.id)).schedule).toEqual(before.schedule);
  });

  it("only touches its own org's connections", async () => {
    const a = await orgWithMailboxes("set-iso-a", 2);
    const b = await orgWithMailboxes("set-iso-b", 2);
    const before = await snapshot(b.db, b.org.id);
    await updateCheckSettings(a.db, a.org.id, { checkIntervalMinutes: "5", keepAliveDays: "7" }, a.owner);
    expect(await snapshot(b.db, b.org.id)).toEqual(before);
  });

  it("with the deployment's interval override, reschedules within the override's period", async () => {
    const { db, org, owner } = await orgWithMailboxes("set-override", 2);
    const now = new Date();
    await updateCheckSettings(db, org.id, { checkIntervalMinutes: "60", keepAliveDays: "7" }, owner, undefined, { now, intervalOverrideSeconds: 5 });
    for (const r of await db.connection.findMany({ where: { orgId: org.id } })) expect(r.nextCheckAt!.getTime()).toBeLessThanOrEqual(now.getTime() + 5000 + jitterMs(5000));
  });
});

describe("checkAllNow", () => {
  it("makes every connected mailbox of the org due now, and no other org's or revoked one", async () => {
    const a = await orgWithMailboxes("all-a", 3);
    const b = await orgWithMailboxes("all-b", 2);
    await a.db.connection.update({ where: { id: a.ids[2] }, data: { status: "REVOKED" } });
    const otherBefore = await snapshot(b.db, b.org.id);
    const revokedBefore = (await a.db.connection.findUniqueOrThrow({ where: { id: a.ids[2] } })).nextCheckAt;
    const now = new Date();
    expect(await checkAllNow(a.db, a.org.id, a.owner, { ip: "198.51.100.7" }, now)).toEqual({ queued: 2 });
    const rows = await a.db.connection.findMany({ where: { id: { in: a.ids.slice(0, 2) } } });
    for (const r of rows) expect(r.nextCheckAt).toEqual(now);
    expect((await a.db.connection.findUniqueOrThrow({ where: { id: a.ids[2] } })).nextCheckAt).toEqual(revokedBefore);
    expect(await snapshot(b.db, b.org.id)).toEqual(otherBefore);
    expect(await getCheckSettings(a.db, a.org.id)).toMatchObject({ due: 2 });
    const audit = await a.db.auditEvent.findFirstOrThrow({ where: { orgId: a.org.id, action: "org.check_all_requested" } });
    expect(audit).toMatchObject({ actorEmail: a.owner.email, ip: "198.51.100.7", data: { queued: 2 } });
  });
});
