import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, makeUser } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { createOrg, findMembershipBySlug, listOrgsForUser } from "./orgs";
import { listOrgPage } from "@/lib/support/org-inventory";
import { changeMemberRole, listMembers, removeMember } from "./members";
import { AppError } from "@/lib/errors";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

describe("orgs", () => {
  it("creates an org with its creator as owner, records the tenant and audits it", async () => {
    const db = database.prisma;
    const user = await makeUser(db);
    const org = await createOrg(db, user, { name: "Contoso Support", slug: "Contoso-Support" }, { ip: "203.0.113.5", userAgent: "vitest" });
    expect(org.slug).toBe("contoso-support");
    expect(org.tenantId).toBe(user.tenantId);
    expect(await listOrgsForUser(db, user.id)).toEqual([expect.objectContaining({ id: org.id, role: "OWNER" })]);
    const events = await db.auditEvent.findMany({ where: { orgId: org.id } });
    expect(events).toEqual([expect.objectContaining({ action: "org.created", actorId: user.id, ip: "203.0.113.5", userAgent: "vitest" })]);
  });

  it("refuses a taken slug with a message naming the field, and changes nothing", async () => {
    const db = database.prisma;
    const a = await makeUser(db);
    const b = await makeUser(db);
    await createOrg(db, a, { name: "Taken", slug: "taken-slug" });
    const err = await createOrg(db, b, { name: "Other", slug: "taken-slug" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "conflict", field: "slug" });
    expect(await listOrgsForUser(db, b.id)).toEqual([]);
  });

  it("rejects bad slugs", async () => {
    const db = database.prisma;
    const a = await makeUser(db);
    await expect(createOrg(db, a, { name: "X org", slug: "-bad-" })).rejects.toThrow(/lowercase letters/);
    await expect(createOrg(db, a, { name: "X org", slug: "support" })).rejects.toThrow(/reserved/);
  });

  it("finds a membership only for the org's own members (tenancy in the query)", async () => {
    const db = database.prisma;
    const alice = await makeUser(db);
    const mallory = await makeUser(db);
    const orgA = await createOrg(db, alice, { name: "Org A", slug: "tenancy-a" });
    await createOrg(db, mallory, { name: "Org B", slug: "tenancy-b" });
    expect(await findMembershipBySlug(db, alice.id, "tenancy-a")).toMatchObject({ orgId: orgA.id, role: "OWNER" });
    expect(await findMembershipBySlug(db, mallory.id, "tenancy-a")).toBeNull();
    const support = await listOrgPage(db, { q: "tenancy-" });
    expect(support.rows.map((o) => o.slug)).toEqual(expect.arrayContaining(["tenancy-a", "tenancy-b"]));
  });

  it("keeps at least one owner and only lets owners grant ownership", async () => {
    const db = database.prisma;
    const owner = await makeUser(db);
    const admin = await makeUser(db);
    const org = await createOrg(db, owner, { name: "Owners", slug: "owners-rule" });
    const adminMembership = await db.membership.create({ data: { orgId: org.id, userId: admin.id, role: "ADMIN" } });
    const ownerMembership = (await listMembers(db, org.id)).find((m) => m.userId === owner.id)!;
    const asOwner = { ...owner, role: "OWNER" as const };
    const asAdmin = { ...admin, role: "ADMIN" as const };
    await expect(changeMemberRole(db, org.id, asOwner, ownerMembership.id, "ADMIN")).rejects.toThrow(/at least one owner/);
    await expect(changeMemberRole(db, org.id, asAdmin, adminMembership.id, "OWNER")).rejects.toThrow(/Only owners/);
    await expect(removeMember(db, org.id, asAdmin, ownerMembership.id)).rejects.toThrow(/Only owners/);
    await changeMemberRole(db, org.id, asOwner, adminMembership.id, "VIEWER");
    expect((await db.membership.findUnique({ where: { id: adminMembership.id } }))?.role).toBe("VIEWER");
    const audit = await db.auditEvent.findMany({ where: { orgId: org.id, action: "member.role_changed" } });
    expect(audit[0]?.data).toMatchObject({ from: "ADMIN", to: "VIEWER" });
  });

  it("cannot change a member of another org by id", async () => {
    const db = database.prisma;
    const a = await makeUser(db);
    const b = await makeUser(db);
    const orgA = await createOrg(db, a, { name: "Org A2", slug: "by-id-a" });
    const orgB = await createOrg(db, b, { name: "Org B2", slug: "by-id-b" });
    const bMembership = (await listMembers(db, orgB.id))[0]!;
    await expect(changeMemberRole(db, orgA.id, { ...a, role: "OWNER" }, bMembership.id, "VIEWER")).rejects.toMatchObject({ code: "not_found" });
    expect((await db.membership.findUnique({ where: { id: bMembership.id } }))?.role).toBe("OWNER");
  });
});
