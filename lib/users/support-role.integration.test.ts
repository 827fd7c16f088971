import { afterAll, beforeAll, expect, it } from "vitest";
import { makeUser, openTestDb } from "@/test-support/test-db";
import type { Database } from "@/lib/db-client";
import { setSupportRole } from "./support-role";
import { recordSignIn } from "./sign-in";
import { randomUUID } from "node:crypto";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

it("grants and revokes the support role by email, and audits both", async () => {
  const db = database.prisma;
  const u = await makeUser(db, { email: "ops@example.test" });
  expect(await setSupportRole(db, "OPS@example.test", true)).toBe(1);
  expect((await db.user.findUnique({ where: { id: u.id } }))?.platformRole).toBe("SUPPORT");
  await setSupportRole(db, "ops@example.test", false);
  expect((await db.user.findUnique({ where: { id: u.id } }))?.platformRole).toBeNull();
  expect(await db.auditEvent.count({ where: { targetId: u.id, action: { in: ["support.granted", "support.revoked"] } } })).toBe(2);
  expect(await setSupportRole(db, "nobody@example.test", true)).toBe(0);
});

it("a sign-in from an allow-listed email stores the support role; the same person is found by tenant and object id", async () => {
  const db = database.prisma;
  const claims = { tid: randomUUID(), oid: randomUUID(), name: "Sam Support", preferred_username: "Sam@Ops.test" };
  const first = await recordSignIn(db, claims, { supportEmails: ["sam@ops.test"] });
  expect(first).toMatchObject({ email: "sam@ops.test", platformRole: "SUPPORT" });
  const again = await recordSignIn(db, { ...claims, name: "Sam S." }, { supportEmails: [] });
  expect(again.id).toBe(first.id);
  expect(again).toMatchObject({ name: "Sam S.", platformRole: "SUPPORT" });
  await expect(recordSignIn(db, { oid: randomUUID() }, { supportEmails: [] })).rejects.toThrow();
});
