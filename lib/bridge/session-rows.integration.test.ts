import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { BridgeGrant, BridgeSessionRecord } from "./sign-in";
import { SessionRows } from "./session-rows";

// The bridge's timeline rows go to the database in batches: none is lost at stop, and a row the
// database refuses (its connection deleted meanwhile) does not take the others in its batch with it.

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function grant(): Promise<BridgeGrant> {
  const s = await orgWithIntegration(database.prisma, keyring, `rows-${randomBytes(3).toString("hex")}`, { purposes: ["smtp"] });
  const connectionId = await savedConnection(s.db, keyring, s, { mailbox: `printer-${randomBytes(2).toString("hex")}@contoso.test` });
  return { orgId: s.org.id, orgSlug: s.org.slug, connectionId, mailbox: "printer@contoso.test", cloud: "global", via: { kind: "credential", id: randomUUID(), name: "Printer", username: "printer@contoso.test" } };
}
const session = (i: number): BridgeSessionRecord => ({ protocol: "smtp", clientIp: "192.0.2.7", startedAt: new Date(Date.UTC(2026, 11, 2, 12, 0, i)), endedAt: new Date(Date.UTC(2026, 11, 2, 12, 0, i + 1)), bytesFromClient: 100 + i, bytesToClient: 50, outcome: "ok" });
const rowsOf = (connectionId: string) => database.prisma.connectionEvent.findMany({ where: { connectionId, kind: "bridge_session" }, orderBy: { createdAt: "asc" } });

describe("bridge session rows", () => {
  it("wait for their batch, and are all written at stop", async () => {
    const g = await grant();
    const rows = new SessionRows(database.prisma, 60_000);
    const added = Array.from({ length: 5 }, (_, i) => rows.add(g, session(i)));
    expect(await rowsOf(g.connectionId)).toEqual([]); // the batch interval (a minute here) has not passed
    await rows.stop();
    await Promise.all(added);
    const written = await rowsOf(g.connectionId);
    expect(written.map((r) => (r.detail as { bytesFromClient: number }).bytesFromClient)).toEqual([100, 101, 102, 103, 104]);
    expect(written[0]).toMatchObject({ resource: "outlook", createdAt: new Date(Date.UTC(2026, 11, 2, 12, 0, 0)), detail: { protocol: "smtp", durationMs: 1000, outcome: "ok", via: { kind: "credential", name: "Printer" } } });
    // After stop a row is written at once: no wait for an interval that no longer runs.
    await rows.add(g, session(9));
    expect(await rowsOf(g.connectionId)).toHaveLength(6);
  });

  it("a row whose connection is gone fails alone; the rest of its batch is written", async () => {
    const g = await grant();
    const gone = { ...g, connectionId: randomUUID() };
    const rows = new SessionRows(database.prisma, 60_000);
    const results = [rows.add(g, session(0)), rows.add(gone, session(1)), rows.add(g, session(2))].map((p) => p.then(() => "written", () => "failed"));
    await rows.stop();
    expect(await Promise.all(results)).toEqual(["written", "failed", "written"]);
    expect(await rowsOf(g.connectionId)).toHaveLength(2);
  });
});
