import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { getReconsentPolicy, updateReconsentPolicy } from "./policy";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

const fresh = () => orgWithIntegration(database.prisma, keyring, `policy-${randomBytes(3).toString("hex")}`);
const audits = (db: Database["prisma"], orgId: string) => db.auditEvent.findMany({ where: { orgId, action: "org.reconsent_policy_changed" }, orderBy: { createdAt: "asc" } });

describe("re-consent policy", () => {
  it("starts as notify admins only", async () => {
    const { db, org } = await fresh();
    expect(await getReconsentPolicy(db, org.id)).toBe("NOTIFY_ADMINS");
  });

  it("saves a change, audits it with the old and new values, and back again", async () => {
    const { db, org, owner } = await fresh();
    const meta = { ip: "203.0.113.7", userAgent: "vitest" };
    expect(await updateReconsentPolicy(db, org.id, owner, "EMAIL_OWNER", meta)).toEqual({ policy: "EMAIL_OWNER", changed: true });
    expect(await getReconsentPolicy(db, org.id)).toBe("EMAIL_OWNER");
    await updateReconsentPolicy(db, org.id, owner, "NOTIFY_ADMINS");
    const rows = await audits(db, org.id);
    expect(rows.map((r) => r.data)).toEqual([
      { policy: "EMAIL_OWNER", previousPolicy: "NOTIFY_ADMINS" },
      { policy: "NOTIFY_ADMINS", previousPolicy: "EMAIL_OWNER" },
    ]);
    expect(rows[0]).toMatchObject({ actorId: owner.id, actorEmail: owner.email, targetType: "org", targetId: org.id, ip: "203.0.113.7", userAgent: "vitest" });
  });

  it("records nothing when the policy already in force is saved", async () => {
    const { db, org, owner } = await fresh();
    expect(await updateReconsentPolicy(db, org.id, owner, "NOTIFY_ADMINS")).toEqual({ policy: "NOTIFY_ADMINS", changed: false });
    expect(await audits(db, org.id)).toEqual([]);
  });

  it.each(["", "email_owner", "EVERYONE"])("refuses %j, naming the field, and changes nothing", async (bad) => {
    const { db, org, owner } = await fresh();
    const error = await updateReconsentPolicy(db, org.id, owner, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZodError);
    expect((error as ZodError).issues.map((i) => i.path[0])).toEqual(["policy"]);
    expect((error as ZodError).issues[0]!.message).toMatch(/notify admins only, or also email the mailbox owner/);
    expect(await getReconsentPolicy(db, org.id)).toBe("NOTIFY_ADMINS");
    expect(await audits(db, org.id)).toEqual([]);
  });

  it("changes only the org it is given", async () => {
    const a = await fresh();
    const b = await fresh();
    await updateReconsentPolicy(a.db, a.org.id, a.owner, "EMAIL_OWNER");
    expect(await getReconsentPolicy(b.db, b.org.id)).toBe("NOTIFY_ADMINS");
  });

  it("says an unknown org does not exist", async () => {
    const { db, owner } = await fresh();
    await expect(getReconsentPolicy(db, crypto.randomUUID())).rejects.toThrow(/does not exist/);
    await expect(updateReconsentPolicy(db, crypto.randomUUID(), owner, "EMAIL_OWNER")).rejects.toThrow(/does not exist/);
  });
});
