import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db-client";
import { openTestDb } from "@/test-support/test-db";
import { TOKENS_ISSUED, createUsageRecorder } from "./usage";

// The usage recorder counts in memory and writes later: the hour's row must carry the hour of
// the calls it counts, not the time of the write, or a flush just after the hour turns files the
// last calls of one hour under the next, and the following flush adds a second row for the hour.

let database: Database;
beforeAll(async () => {
  database = await openTestDb();
});
afterAll(async () => database.close());

describe("API key usage in the audit log", () => {
  it("a row is dated by its hour's first call, and later flushes for that hour add to it", async () => {
    const db = database.prisma;
    const org = await db.org.create({ data: { name: "Usage", slug: `usage-${randomBytes(3).toString("hex")}`, tenantId: "22222222-2222-4222-8222-222222222222" } });
    const recorder = createUsageRecorder(async () => db, { flushEveryMs: 60_000 });
    const key = { id: "11111111-1111-4111-8111-111111111111", name: "Late", prefix: "mgk_AbCdEfGh" };
    const note = { orgId: org.id, key, connectionId: "c-1", resource: "graph", ip: "203.0.113.5" };
    const first = new Date("2026-11-30T09:59:58.000Z");
    recorder.tokenIssued({ ...note, at: first });
    await recorder.flush(); // written at today's time, long after 09:59
    recorder.tokenIssued({ ...note, at: new Date("2026-11-30T09:59:59.000Z") });
    await recorder.stop();

    const rows = await db.auditEvent.findMany({ where: { orgId: org.id, action: TOKENS_ISSUED } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.createdAt.toISOString()).toBe(first.toISOString());
    expect(rows[0]!.data).toMatchObject({ count: 2, resources: { graph: 2 }, firstAt: first.toISOString(), lastAt: "2026-11-30T09:59:59.000Z" });
  });
});
