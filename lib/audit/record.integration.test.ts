import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db-client";
import { makeUser, openTestDb } from "@/test-support/test-db";
import { createOrg } from "@/lib/orgs/orgs";
import { authorizeOrg } from "@/lib/auth/authorize";
import { record } from "./record";
import { listAuditPage } from "./audit-list";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(() => database.close());

describe("audit log", () => {
  it("lists a member's sign-ins only from when they joined the org", async () => {
    const db = database.prisma;
    const owner = await makeUser(db);
    const org = await createOrg(db, owner, { name: "Audit", slug: "audit-joined" });
    const newcomer = await makeUser(db);
    await db.auditEvent.create({ data: { action: "user.signed_in", actorId: newcomer.id, actorEmail: newcomer.email, createdAt: new Date(Date.now() - 86_400_000) } });
    await db.membership.create({ data: { orgId: org.id, userId: newcomer.id, role: "VIEWER" } });
    await record(db, { action: "user.signed_in", actor: newcomer });
    const signIns = (await listAuditPage(db, org.id, {}, 100)).rows.filter((e) => e.action === "user.signed_in" && e.actorId === newcomer.id);
    expect(signIns).toHaveLength(1);
    expect(signIns[0]!.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it("repeated forbidden requests become one row per hour with a count", async () => {
    const db = database.prisma;
    const owner = await makeUser(db);
    const org = await createOrg(db, owner, { name: "Audit", slug: "audit-forbidden" });
    const viewer = await makeUser(db);
    await db.membership.create({ data: { orgId: org.id, userId: viewer.id, role: "VIEWER" } });
    for (let i = 0; i < 3; i++) await expect(authorizeOrg(db, viewer, org.slug, "integrations.write")).rejects.toThrow(/does not allow/);
    const rows = await db.auditEvent.findMany({ where: { orgId: org.id, action: "access.forbidden" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.data).toMatchObject({ count: 3, permission: "integrations.write", role: "VIEWER" });
    expect(rows[0]!.actorId).toBe(viewer.id);
  });
});
