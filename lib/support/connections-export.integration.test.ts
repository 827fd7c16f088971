import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db-client";
import type { User } from "@/generated/prisma/client";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { openTestDb, makeUser } from "@/test-support/test-db";

// Support's fleet export reads every org's connections: who exported what, from where, is in the
// platform's audit log (no org), as a support visit of one connection is in its org's log.

const state = vi.hoisted(() => ({ user: null as unknown, db: null as unknown }));
vi.mock("server-only", () => ({}));
vi.mock("@/lib/auth/guards", () => ({ currentUser: async () => state.user }));
vi.mock("@/lib/db", () => ({ db: async () => state.db }));
vi.mock("@/lib/deployment", () => ({ publicUrl: () => "http://localhost:3000" }));

const { GET } = await import("@/app/api/support/connections/export/route");

let database: Database;
let support: User;
let member: User;
beforeAll(async () => {
  database = await openTestDb();
  state.db = database.prisma;
  support = await database.prisma.user.update({ where: { id: (await makeUser(database.prisma)).id }, data: { platformRole: "SUPPORT" } });
  member = await makeUser(database.prisma);
});
afterAll(() => database.close());

const exportCsv = (query: string) =>
  GET(new Request(`http://localhost:3000/api/support/connections/export${query}`, { headers: { [CLIENT_IP_HEADER]: "198.51.100.4", "user-agent": "vitest" } }));
const exports = () => database.prisma.auditEvent.findMany({ where: { action: "support.exported_connections" } });

describe("support connections export", () => {
  it("is audited with who exported, the view's filters and the address, outside any org", async () => {
    state.user = support;
    const r = await exportCsv("?health=FAILING&q=AADSTS700016&after=abc");
    expect(r.status).toBe(200);
    expect((await r.text()).split("\r\n")[0]).toMatch(/^connection_id,org_slug/);
    const rows = await exports();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ orgId: null, actorId: support.id, actorEmail: support.email, ip: "198.51.100.4", userAgent: "vitest" });
    expect(rows[0]!.data).toMatchObject({ filters: { health: "FAILING", q: "AADSTS700016" } });
    expect(JSON.stringify(rows[0]!.data)).not.toContain("abc"); // the page cursor is not part of what was exported
  });

  it("someone without the support role gets the 404 and nothing is recorded", async () => {
    state.user = member;
    const before = (await exports()).length;
    expect((await exportCsv("")).status).toBe(404);
    expect((await exports()).length).toBe(before);
  });
});
