import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb, makeUser } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { createOrg } from "@/lib/orgs/orgs";
import { acceptInvitation, createInvitation, findInvitationByToken, listInvitationsForEmail, listPendingInvitations, revokeInvitation } from "./invitations";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function orgWithOwner(slug: string) {
  const db = database.prisma;
  const owner = await makeUser(db);
  const org = await createOrg(db, owner, { name: `Org ${slug}`, slug });
  return { org, owner: { ...owner, role: "OWNER" as const } };
}

describe("invitations", () => {
  it("stores only a hash of the link token, and the invitee with the matching account joins with the role", async () => {
    const db = database.prisma;
    const { org, owner } = await orgWithOwner("inv-happy");
    const { invitation, token } = await createInvitation(db, org.id, owner, { email: " Megan@Contoso.test ", role: "MEMBER" });
    expect(invitation.email).toBe("megan@contoso.test");
    const row = await db.invitation.findUnique({ where: { id: invitation.id } });
    expect(JSON.stringify(row)).not.toContain(token);
    const megan = await makeUser(db, { email: "megan@contoso.test" });
    expect(await listInvitationsForEmail(db, "MEGAN@contoso.test")).toHaveLength(1);
    const joined = await acceptInvitation(db, { token }, megan);
    expect(joined.id).toBe(org.id);
    expect(await db.membership.findUnique({ where: { orgId_userId: { orgId: org.id, userId: megan.id } } })).toMatchObject({ role: "MEMBER" });
    await expect(acceptInvitation(db, { token }, megan)).rejects.toThrow(/already been used/);
  });

  it("refuses a different account, explaining who it is for", async () => {
    const db = database.prisma;
    const { org, owner } = await orgWithOwner("inv-mismatch");
    const { token, invitation } = await createInvitation(db, org.id, owner, { email: "lee@contoso.test", role: "VIEWER" });
    const other = await makeUser(db, { email: "eve@evil.test" });
    await expect(acceptInvitation(db, { token }, other)).rejects.toThrow("This invitation is for lee@contoso.test, but you are signed in as eve@evil.test");
    // By id, someone else's invitation is answered as unknown: the invitee's address is not revealed.
    const byId = await acceptInvitation(db, { id: invitation.id }, other).then(() => null, (e: Error) => e);
    expect(byId?.message).toBe("That invitation does not exist, or you do not have access to it.");
    expect(byId?.message).not.toContain("lee@contoso.test");
    expect(await db.membership.count({ where: { orgId: org.id, userId: other.id } })).toBe(0);
  });

  it("a new invitation replaces the old link; revoked and expired links do not work", async () => {
    const db = database.prisma;
    const { org, owner } = await orgWithOwner("inv-replace");
    const first = await createInvitation(db, org.id, owner, { email: "diego@contoso.test", role: "MEMBER" });
    const second = await createInvitation(db, org.id, owner, { email: "diego@contoso.test", role: "ADMIN" });
    expect(await listPendingInvitations(db, org.id)).toHaveLength(1);
    const diego = await makeUser(db, { email: "diego@contoso.test" });
    await expect(acceptInvitation(db, { token: first.token }, diego)).rejects.toThrow(/withdrawn or replaced/);
    await revokeInvitation(db, org.id, owner, second.invitation.id);
    await expect(acceptInvitation(db, { token: second.token }, diego)).rejects.toThrow(/withdrawn/);
    const third = await createInvitation(db, org.id, owner, { email: "diego@contoso.test", role: "MEMBER" });
    await db.invitation.update({ where: { id: third.invitation.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(acceptInvitation(db, { token: third.token }, diego)).rejects.toThrow(/expired/);
  });

  it("validates input naming the field, and admins cannot invite owners", async () => {
    const db = database.prisma;
    const { org } = await orgWithOwner("inv-validate");
    const admin = { ...(await makeUser(db)), role: "ADMIN" as const };
    await expect(createInvitation(db, org.id, admin, { email: "not-an-email", role: "MEMBER" })).rejects.toThrow(/work email address/);
    await expect(createInvitation(db, org.id, admin, { email: "x@contoso.test", role: "OWNER" })).rejects.toMatchObject({ field: "role" });
    expect(await listPendingInvitations(db, org.id)).toHaveLength(0);
  });

  it("cannot revoke another org's invitation by id; bad tokens find nothing", async () => {
    const db = database.prisma;
    const a = await orgWithOwner("inv-tenancy-a");
    const b = await orgWithOwner("inv-tenancy-b");
    const { invitation } = await createInvitation(db, b.org.id, b.owner, { email: "z@contoso.test", role: "MEMBER" });
    await expect(revokeInvitation(db, a.org.id, a.owner, invitation.id)).rejects.toMatchObject({ code: "not_found" });
    expect(await findInvitationByToken(db, "short")).toBeNull();
    expect(await findInvitationByToken(db, "x".repeat(43))).toBeNull();
  });
});
