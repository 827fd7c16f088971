import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { recordCheck } from "./record";
import type { CheckStep } from "./health";
import { availability, failuresByCode, healthSeries, parseRange, runRollup } from "./rollup";
import { healthCounts } from "./history";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let orgA: { id: string };
let orgB: { id: string };
let boxesA: string[];
let boxB: string;

const NOW = new Date(Date.UTC(2026, 11, 2, 12, 30));
const at = (hoursAgo: number, minutes = 0) => new Date(NOW.getTime() - hoursAgo * 3_600_000 + minutes * 60_000);

type Run = { startedAt: string; finishedAt: string; steps: CheckStep[] };
const passedRun = (startedAt: Date): Run => ({
  startedAt: startedAt.toISOString(),
  finishedAt: new Date(startedAt.getTime() + 800).toISOString(),
  steps: [
    { id: "refresh-graph", status: "ok" },
    { id: "graph-mailbox", status: "ok" },
    { id: "refresh-outlook", status: "ok" },
    { id: "imap", status: "ok" },
    { id: "smtp", status: "ok" },
  ],
});
const smtpOffRun = (startedAt: Date): Run => ({
  ...passedRun(startedAt),
  steps: [
    { id: "refresh-graph", status: "ok" },
    { id: "graph-mailbox", status: "ok" },
    { id: "refresh-outlook", status: "ok" },
    { id: "imap", status: "ok" },
    { id: "smtp", status: "failed", code: "smtp_auth_disabled", class: "misconfigured" },
  ],
});
const blockedRun = (startedAt: Date): Run => ({
  ...passedRun(startedAt),
  steps: [
    { id: "refresh-graph", status: "failed", code: "AADSTS53003", class: "blocked" },
    { id: "graph-mailbox", status: "skipped" },
    { id: "refresh-outlook", status: "failed", code: "AADSTS53003", class: "blocked" },
    { id: "imap", status: "skipped" },
    { id: "smtp", status: "skipped" },
  ],
});

const check = (orgId: string, connectionId: string, run: Run) =>
  recordCheck(database.prisma, { orgId, connectionId, trigger: "SCHEDULED", run, now: new Date(run.finishedAt) });

beforeAll(async () => {
  database = await openTestDb();
  const a = await orgWithIntegration(database.prisma, keyring, "rollup-a", { purposes: ["graph-read", "imap", "smtp"] });
  const b = await orgWithIntegration(database.prisma, keyring, "rollup-b", { purposes: ["graph-read", "imap", "smtp"] });
  orgA = a.org;
  orgB = b.org;
  boxesA = [];
  for (let i = 0; i < 3; i++) boxesA.push(await savedConnection(database.prisma, keyring, a, { mailbox: `box${i}@contoso.test` }));
  boxB = await savedConnection(database.prisma, keyring, b, { mailbox: "other@fabrikam.test" });
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe("health and check roll-ups", () => {
  it("rolls checks up per hour and protocol, per org and for the fleet, and recomputes only since its last run", async () => {
    // Three hours ago: all pass. One hour ago: box0 has SMTP AUTH off, box1 is blocked. Org B passes.
    for (const id of boxesA) await check(orgA.id, id, passedRun(at(3)));
    await check(orgB.id, boxB, passedRun(at(3)));
    // Ten days ago: the first run rolls up its whole backlog (a day per transaction).
    await check(orgB.id, boxB, passedRun(at(240)));
    await check(orgA.id, boxesA[0]!, smtpOffRun(at(1)));
    await check(orgA.id, boxesA[1]!, blockedRun(at(1)));
    await check(orgA.id, boxesA[2]!, passedRun(at(1)));

    const first = await runRollup(database.prisma, at(0, -20));
    expect(first.checkRows).toBeGreaterThan(0);

    const a = await availability(database.prisma, { orgId: orgA.id }, "24h", NOW);
    // Graph: 3 + 2 passed, 1 failed (the blocked token). IMAP likewise. SMTP: 3 + 1 passed, 2 failed.
    expect(a).toEqual([
      { protocol: "graph", passed: 5, failed: 1, share: 5 / 6 },
      { protocol: "imap", passed: 5, failed: 1, share: 5 / 6 },
      { protocol: "smtp", passed: 4, failed: 2, share: 4 / 6 },
    ]);
    const fleet = await availability(database.prisma, "fleet", "24h", NOW);
    expect(fleet.find((x) => x.protocol === "smtp")).toEqual({ protocol: "smtp", passed: 5, failed: 2, share: 5 / 7 });
    expect((await availability(database.prisma, { orgId: orgB.id }, "30d", NOW)).find((x) => x.protocol === "graph")).toEqual({ protocol: "graph", passed: 2, failed: 0, share: 1 });
    // Org B sees only its own.
    expect(await availability(database.prisma, { orgId: orgB.id }, "24h", NOW)).toEqual([
      { protocol: "graph", passed: 1, failed: 0, share: 1 },
      { protocol: "imap", passed: 1, failed: 0, share: 1 },
      { protocol: "smtp", passed: 1, failed: 0, share: 1 },
    ]);

    const codes = await failuresByCode(database.prisma, { orgId: orgA.id }, "24h", NOW);
    expect(codes.codes.sort()).toEqual(["AADSTS53003", "smtp_auth_disabled"]);
    const hourAgo = codes.points.find((p) => p.at === new Date(Date.UTC(2026, 11, 2, 11)).toISOString());
    expect(hourAgo).toMatchObject({ AADSTS53003: 1, smtp_auth_disabled: 1 });
    expect(codes.points).toHaveLength(24);
    expect((await failuresByCode(database.prisma, { orgId: orgB.id }, "24h", NOW)).codes).toEqual([]);

    // A check recorded after the run, in an hour already rolled up, is counted by the next run; nothing twice.
    await check(orgA.id, boxesA[2]!, smtpOffRun(at(0, -25)));
    await runRollup(database.prisma, NOW);
    const again = await availability(database.prisma, { orgId: orgA.id }, "24h", NOW);
    expect(again.find((x) => x.protocol === "smtp")).toEqual({ protocol: "smtp", passed: 4, failed: 3, share: 4 / 7 });
    await runRollup(database.prisma, NOW);
    expect(await availability(database.prisma, { orgId: orgA.id }, "24h", NOW)).toEqual(again);
    // Outside the range: nothing.
    expect(await availability(database.prisma, { orgId: orgA.id }, "24h", new Date(NOW.getTime() + 30 * 3_600_000))).toEqual([]);
  });

  it("snapshots health per hour; the series has a null where no snapshot was taken and the live count last", async () => {
    await runRollup(database.prisma, at(5));
    await runRollup(database.prisma, at(2));
    const live = await healthCounts(database.prisma, orgA.id);
    // After the first test: box0 and box2 have SMTP AUTH off, box1 is blocked.
    expect(live.FAILING).toBe(3);
    const series = await healthSeries(database.prisma, { orgId: orgA.id }, "24h", NOW, live);
    expect(series).toHaveLength(24);
    expect(series.at(-1)).toMatchObject({ at: new Date(Date.UTC(2026, 11, 2, 12)).toISOString(), failing: 3, healthy: 0 });
    const twoAgo = series.find((p) => p.at === new Date(Date.UTC(2026, 11, 2, 10)).toISOString());
    expect(twoAgo).toMatchObject({ healthy: 0, failing: 3 });
    const fourAgo = series.find((p) => p.at === new Date(Date.UTC(2026, 11, 2, 8)).toISOString());
    expect(fourAgo).toMatchObject({ healthy: null, failing: null });
    const rows = await database.prisma.healthHourly.findMany({ where: { scope: orgA.id } });
    expect(rows.find((r) => r.failing === 3)?.failingByClass).toEqual({ misconfigured: 2, blocked: 1 });
    const fleet = await database.prisma.healthHourly.findFirstOrThrow({ where: { scope: "fleet", hour: new Date(Date.UTC(2026, 11, 2, 10)) } });
    expect(fleet).toMatchObject({ healthy: 1, failing: 3 });

    // 30 days: one point a day, the last live; 7 days: 28 six-hour points.
    expect(await healthSeries(database.prisma, { orgId: orgA.id }, "30d", NOW, live)).toHaveLength(30);
    const week = await healthSeries(database.prisma, "fleet", "7d", NOW, { ...live, HEALTHY: 9 });
    expect(week).toHaveLength(28);
    expect(week.at(-1)).toMatchObject({ healthy: 9 });
  });

  it("reads a range from the query string and falls back to 24 hours", () => {
    expect(parseRange("7d")).toBe("7d");
    expect(parseRange("30d")).toBe("30d");
    expect(parseRange("1y")).toBe("24h");
    expect(parseRange(["7d"])).toBe("24h");
    expect(parseRange(undefined)).toBe("24h");
  });
});
