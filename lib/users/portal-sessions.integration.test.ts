import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/lib/db-client";
import { makeUser, openTestDb } from "@/test-support/test-db";
import { endAllPortalSessions, endPortalSession, startPortalSession, userOfSession } from "./portal-sessions";

let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(() => database.close());

describe("portal sessions", () => {
  it("a session authenticates until it is ended; ending one leaves the others", async () => {
    const db = database.prisma;
    const user = await makeUser(db);
    const laptop = await startPortalSession(db, user.id);
    const phone = await startPortalSession(db, user.id);
    expect((await userOfSession(db, laptop.id))?.id).toBe(user.id);
    await endPortalSession(db, laptop.id);
    expect(await userOfSession(db, laptop.id)).toBeNull();
    expect((await userOfSession(db, phone.id))?.id).toBe(user.id);
  });

  it("sign out everywhere ends every session of that person only, and is audited", async () => {
    const db = database.prisma;
    const [user, other] = [await makeUser(db), await makeUser(db)];
    const a = await startPortalSession(db, user.id);
    const b = await startPortalSession(db, user.id);
    const theirs = await startPortalSession(db, other.id);
    expect(await endAllPortalSessions(db, user)).toBe(2);
    expect(await userOfSession(db, a.id)).toBeNull();
    expect(await userOfSession(db, b.id)).toBeNull();
    expect((await userOfSession(db, theirs.id))?.id).toBe(other.id);
    expect(await db.auditEvent.count({ where: { action: "user.signed_out_everywhere", actorId: user.id } })).toBe(1);
  });

  it("an expired, unknown or malformed session id is nobody", async () => {
    const db = database.prisma;
    const user = await makeUser(db);
    const old = await startPortalSession(db, user.id, new Date(Date.now() - 9 * 3_600_000));
    expect(await userOfSession(db, old.id)).toBeNull();
    expect(await userOfSession(db, crypto.randomUUID())).toBeNull();
    expect(await userOfSession(db, "x' OR 1=1 --")).toBeNull();
    expect(await userOfSession(db, undefined)).toBeNull();
  });
});
