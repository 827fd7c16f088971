import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, makeUser } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { createOrg } from "@/lib/orgs/orgs";
import { record } from "./record";
import { auditCsv, auditNames, detailEntries, listAuditPage, targetOf } from "./audit-list";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function orgWithEvents(slug: string, n: number) {
  const db = database.prisma;
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: `Org ${slug}`, slug });
  const base = Date.parse("2026-11-10T12:00:00Z");
  for (let i = 0; i < n; i++) {
    await db.auditEvent.create({ data: { orgId: org.id, actorId: owner.id, actorEmail: owner.email, action: i % 2 ? "member.removed" : "integration.updated", data: { index: i }, createdAt: new Date(base + Math.floor(i / 3) * 86_400_000) } });
  }
  await record(db, { action: "alert_channel.paused", orgId: org.id, actor: null, data: { name: "=cmd" } });
  return { org, owner };
}

describe("audit list", () => {
  it("pages through every event once, newest first, with ties on the same instant", async () => {
    const { org } = await orgWithEvents(`audit-pages-${Date.now()}`, 120);
    const seen: string[] = [];
    let before: { at: Date; id: string } | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await listAuditPage(database.prisma, org.id, before ? { before } : {}, 25);
      seen.push(...page.rows.map((r) => r.id));
      for (let i = 1; i < page.rows.length; i++) expect(page.rows[i - 1]!.createdAt >= page.rows[i]!.createdAt).toBe(true);
      if (!page.next) break;
      const [at, id] = Buffer.from(page.next, "base64url").toString().split("|");
      before = { at: new Date(at!), id: id! };
    }
    // 120 seeded + org.created + the paused channel.
    expect(seen).toHaveLength(122);
    expect(new Set(seen).size).toBe(122);
  });

  it("filters by action, actor (or the system) and dates, and never shows another org's events", async () => {
    const a = await orgWithEvents(`audit-a-${Date.now()}`, 12);
    const b = await orgWithEvents(`audit-b-${Date.now()}`, 12);
    const db = database.prisma;
    const removed = await listAuditPage(db, a.org.id, { action: "member.removed" });
    expect(removed.rows).toHaveLength(6);
    expect(removed.rows.every((r) => r.orgId === a.org.id && r.action === "member.removed")).toBe(true);
    expect((await listAuditPage(db, a.org.id, { actor: "system" })).rows.map((r) => r.action)).toEqual(["alert_channel.paused"]);
    expect((await listAuditPage(db, a.org.id, { actor: a.owner.email.toUpperCase().toLowerCase() })).rows.every((r) => r.actorEmail === a.owner.email)).toBe(true);
    expect((await listAuditPage(db, a.org.id, { actor: b.owner.email })).rows).toEqual([]);
    // Seeded three a day from 2026-11-10: the 11th and 12th hold six.
    expect((await listAuditPage(db, a.org.id, { from: "2026-11-11", to: "2026-11-12" })).rows).toHaveLength(6);
    const all = await listAuditPage(db, a.org.id, {}, 500);
    expect(all.rows.some((r) => r.orgId === b.org.id)).toBe(false);
  });

  it("exports the filtered rows as CSV, quoted, with the action in words", async () => {
    const { org } = await orgWithEvents(`audit-csv-${Date.now()}`, 4);
    const csv = await auditCsv(database.prisma, org.id, { actor: "system" }, (a) => `label of ${a}`);
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("time_utc,actor,action,action_label,target_type,target_id,target_name,details,ip,user_agent");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('"system","alert_channel.paused","label of alert_channel.paused"');
    expect(lines[1]).toContain('"name: =cmd"');
  });

  it("names targets and ids in details within the org; a deleted or foreign one keeps its recorded name, marked gone", async () => {
    const db = database.prisma;
    const a = await orgWithEvents(`audit-names-a-${Date.now()}`, 0);
    const b = await orgWithEvents(`audit-names-b-${Date.now()}`, 0);
    const channelA = await db.alertChannel.findFirstOrThrow({ where: { orgId: a.org.id } });
    const channelB = await db.alertChannel.update({ where: { id: (await db.alertChannel.findFirstOrThrow({ where: { orgId: b.org.id } })).id }, data: { name: "Fabrikam on-call" } });
    await record(db, { action: "alert_channel.updated", orgId: a.org.id, actor: a.owner, targetType: "alert_channel", targetId: channelA.id, data: { name: "old name", channelId: channelA.id } });
    // An id of org B's channel in org A's log (never happens; if it did, it must not leak B's name).
    await record(db, { action: "alert_channel.deleted", orgId: a.org.id, actor: a.owner, targetType: "alert_channel", targetId: channelB.id, data: { name: "what A recorded", channelId: channelB.id } });
    await record(db, { action: "member.role_changed", orgId: a.org.id, actor: a.owner, targetType: "user", targetId: b.owner.id, data: { email: "former@member.test" } });
    const { rows } = await listAuditPage(db, a.org.id, {});
    const names = await auditNames(db, a.org.id, rows);
    const updated = rows.find((r) => r.action === "alert_channel.updated")!;
    expect(targetOf(names, updated)).toEqual({ kind: "alert_channel", id: channelA.id, name: channelA.name, gone: false });
    expect(detailEntries(updated.data, names)).toContainEqual({ key: "channel", value: channelA.name });
    const foreign = rows.find((r) => r.action === "alert_channel.deleted")!;
    expect(targetOf(names, foreign)).toMatchObject({ name: "what A recorded", gone: true });
    expect(detailEntries(foreign.data, names)).toContainEqual({ key: "channel", value: `${channelB.id.slice(0, 8)}… (deleted)` });
    expect(JSON.stringify([...names.values()])).not.toContain("Fabrikam on-call");
    const person = rows.find((r) => r.action === "member.role_changed")!;
    expect(targetOf(names, person)).toMatchObject({ name: "former@member.test", gone: true });
    expect(targetOf(names, rows.find((r) => r.action === "org.created")!)).toMatchObject({ kind: "org", name: a.org.name, gone: false });
    const member = { targetType: "user", targetId: a.owner.id, data: {} };
    expect(targetOf(await auditNames(db, a.org.id, [member]), member)).toMatchObject({ gone: false, name: expect.stringContaining(a.owner.email) });
  });
});
