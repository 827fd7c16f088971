import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import { savedConnection } from "@/test-support/connection-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { CHART_CAP, checkDurationChart } from "@/lib/checks/check-durations";
import { saveTestRun, type TestRun } from "./connection-test";
import { TIMELINE_KINDS, actorWords, type TimelineKind } from "./timeline-words";
import { connectionTimeline, encodeTimelineCursor, parseTimelineQuery, type TimelineEntry } from "./timeline";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
let orgA: { id: string };
let orgB: { id: string };
let owner: { id: string; name: string };
let x: string; // org A's connection with the history
let y: string; // another connection of org A
let z: string; // org B's connection

const base = Date.UTC(2026, 11, 1, 12);
const at = (minutes: number) => new Date(base - minutes * 60_000);

const step = (id: string, status: "ok" | "failed" | "skipped", durationMs: number, code?: string) => ({ id, status, durationMs, ...(code ? { code } : {}) });
const stepsOf = (i: number) => [
  step("refresh-graph", "ok", 40),
  step("refresh-outlook", "ok", 30),
  step("graph-me", "ok", 100 + i),
  step("graph-inbox", "ok", 50),
  i % 5 === 0 ? step("imap", "failed", 900, "imap_auth_failed") : step("imap", "ok", 200 + i),
  step("smtp", "ok", 300),
];

async function seedHistory(orgId: string, connectionId: string, userId: string) {
  const db = database.prisma;
  // 45 checks, one a minute with several at the same minute as events (ties across tables), and pairs at the same millisecond.
  for (let i = 0; i < 45; i++) {
    const trigger = i % 4 === 0 ? "MANUAL" : i % 9 === 0 ? "API" : "SCHEDULED";
    await db.check.create({
      data: {
        connectionId, orgId, trigger, triggeredById: trigger === "MANUAL" ? userId : null,
        startedAt: at(Math.floor(i / 2) * 3), durationMs: 1500 + i, outcome: i % 5 === 0 ? "FAILED" : i % 7 === 0 ? "DEGRADED" : "PASSED",
        steps: stepsOf(i), health: "HEALTHY",
      },
    });
  }
  const causes = [{ by: "keep-alive" }, { by: "scheduled-check" }, { by: "test-now", userId }, { by: "refresh-now", userId }, {}];
  for (let i = 0; i < 35; i++) {
    const kind = i % 7 === 3 ? "refresh_failed" : i % 11 === 5 ? "heal_link_sent" : i % 13 === 6 ? "heal_link_failed" : "refreshed";
    await db.connectionEvent.create({
      data: {
        connectionId, kind, resource: kind.startsWith("refresh") ? (i % 2 ? "graph" : "outlook") : null,
        ...(kind === "refresh_failed" ? { code: "AADSTS50173", classification: "needs_reconsent" } : {}),
        detail: (kind === "heal_link_sent" ? { to: "owner@contoso.test" } : kind === "heal_link_failed" ? { why: "SMTP refused" } : causes[i % causes.length]) as Prisma.InputJsonValue,
        createdAt: at(i * 2),
      },
    });
  }
  // Mail bridge sessions (lib/bridge/sign-in.ts recordBridgeSession), some at a check's minute.
  // Two ended well; the others failed in each of the ways the bridge records (problems).
  const outcomes = ["ok", "refused_upstream", "ok", "revoked", "token_failed", "error"] as const;
  for (const [i, outcome] of outcomes.entries()) {
    await db.connectionEvent.create({ data: { connectionId, kind: "bridge_session", resource: "outlook", ...(outcome === "ok" ? {} : { code: `bridge_${outcome}` }), detail: { protocol: i % 2 ? "imap" : "smtp", clientIp: "192.0.2.7", durationMs: 1200, bytesFromClient: 10_240, bytesToClient: 512, outcome }, createdAt: at(i * 3) } });
  }
  // Legacy duplicates of checks: never on the timeline.
  await db.connectionEvent.create({ data: { connectionId, kind: "test_passed", createdAt: at(1) } });
  for (let i = 0; i < 6; i++) {
    await db.alertEvent.create({ data: { orgId, connectionId, type: i % 2 ? "connection.recovered" : "connection.failing", payload: { data: { failure: { title: "Grant revoked" } } }, createdAt: at(i * 5) } });
  }
}

beforeAll(async () => {
  database = await openTestDb();
  const a = await orgWithIntegration(database.prisma, keyring, "timeline-a");
  const b = await orgWithIntegration(database.prisma, keyring, "timeline-b");
  orgA = a.org;
  orgB = b.org;
  owner = a.owner;
  x = await savedConnection(database.prisma, keyring, a);
  y = await savedConnection(database.prisma, keyring, a);
  z = await savedConnection(database.prisma, keyring, b);
  await seedHistory(orgA.id, x, a.owner.id);
  await seedHistory(orgA.id, y, a.owner.id);
  await seedHistory(orgB.id, z, b.owner.id);
}, 120_000);
afterAll(async () => { await database.close(); });

/** The timeline's order computed by the database alone: one UNION ordered by (time, id). */
async function expectedIds(connectionId: string, kind?: TimelineKind): Promise<string[]> {
  const checks = kind === undefined || kind === "checks" ? Prisma.sql`SELECT id, "startedAt" AS at FROM "Check" WHERE "connectionId" = ${connectionId}::uuid`
    : kind === "tests" ? Prisma.sql`SELECT id, "startedAt" AS at FROM "Check" WHERE "connectionId" = ${connectionId}::uuid AND trigger <> 'SCHEDULED'`
    : kind === "problems" ? Prisma.sql`SELECT id, "startedAt" AS at FROM "Check" WHERE "connectionId" = ${connectionId}::uuid AND outcome <> 'PASSED'`
    : null;
  const eventKinds = kind === undefined ? ["refreshed", "refresh_failed", "heal_link_sent", "heal_link_not_sent", "heal_link_failed", "bridge_session"]
    : kind === "refreshes" ? ["refreshed", "refresh_failed"]
    : kind === "bridge" ? ["bridge_session"]
    : kind === "healing" ? ["heal_link_sent", "heal_link_not_sent", "heal_link_failed"]
    : kind === "problems" ? ["refresh_failed", "heal_link_not_sent", "heal_link_failed"]
    : [];
  // Of the bridge's sessions, "Problems only" has those that did not end well.
  const failedSessions = Prisma.sql`SELECT id, "createdAt" AS at FROM "ConnectionEvent" WHERE "connectionId" = ${connectionId}::uuid AND kind = 'bridge_session' AND detail->>'outcome' <> 'ok'`;
  const parts = [
    ...(checks ? [checks] : []),
    ...(eventKinds.length ? [Prisma.sql`SELECT id, "createdAt" AS at FROM "ConnectionEvent" WHERE "connectionId" = ${connectionId}::uuid AND kind IN (${Prisma.join(eventKinds)})`] : []),
    ...(kind === "problems" ? [failedSessions] : []),
    ...(kind === undefined || kind === "alerts" ? [Prisma.sql`SELECT id, "createdAt" AS at FROM "AlertEvent" WHERE "connectionId" = ${connectionId}::uuid`] : []),
  ];
  const rows = await database.prisma.$queryRaw<{ id: string }[]>`SELECT id::text AS id FROM (${Prisma.join(parts, " UNION ALL ")}) AS t ORDER BY at DESC, id DESC`;
  return rows.map((r) => r.id);
}

/** Every page following "Older", then back up following "Newer"; returns the pages. */
async function walk(orgId: string, connectionId: string, kind?: TimelineKind, pageSize = 7) {
  const pages: TimelineEntry[][] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 50; n++) {
    const page = await connectionTimeline(database.prisma, orgId, connectionId, parseTimelineQuery({ ...(kind ? { kind } : {}), ...(cursor ? { cursor } : {}) }), { pageSize });
    expect(page.entries.length).toBeLessThanOrEqual(pageSize);
    if (page.older) expect(page.entries).toHaveLength(pageSize);
    if (n === 0) expect(page.newer).toBeNull();
    pages.push(page.entries);
    if (!page.older) {
      // Back up: each "Newer" page is the one before, and the top is the first page again.
      let up = page.newer;
      for (let i = pages.length - 2; i >= 0; i--) {
        expect(up).not.toBeNull();
        const newer = await connectionTimeline(database.prisma, orgId, connectionId, parseTimelineQuery({ ...(kind ? { kind } : {}), cursor: up! }), { pageSize });
        expect(newer.entries.map((e) => e.id)).toEqual(pages[i]!.map((e) => e.id));
        up = newer.newer;
      }
      expect(up).toBeNull();
      return pages;
    }
    cursor = page.older;
  }
  throw new Error("more than 50 pages");
}

describe("connectionTimeline", () => {
  it("pages checks, events and alerts merged newest first, in the order the database gives, both ways", async () => {
    const pages = await walk(orgA.id, x);
    const ids = pages.flat().map((e) => e.id);
    expect(ids).toEqual(await expectedIds(x));
    expect(ids).toHaveLength(45 + 35 + 6 + 6);
    expect(new Set(pages.flat().map((e) => e.type))).toEqual(new Set(["check", "event", "alert"]));
    expect(pages.flat().some((e) => e.type === "event" && e.kind === "test_passed")).toBe(false);
  });

  it("filters by kind, each filter paged in the database's order", async () => {
    for (const kind of TIMELINE_KINDS) {
      const entries = (await walk(orgA.id, x, kind, 5)).flat();
      expect(entries.map((e) => e.id), kind).toEqual(await expectedIds(x, kind));
      expect(entries.length, kind).toBeGreaterThan(0);
    }
    const tests = (await walk(orgA.id, x, "tests")).flat();
    expect(tests.every((e) => e.type === "check" && e.trigger !== "SCHEDULED")).toBe(true);
    const problems = (await walk(orgA.id, x, "problems")).flat();
    expect(problems.every((e) => (e.type === "check" ? e.outcome !== "PASSED" : e.type === "event" && e.problem))).toBe(true);
    expect(problems.filter((e) => e.type === "event" && e.kind === "bridge_session")).toHaveLength(4);
  });

  it("marks a failed bridge session as a problem wherever it is shown, and one that ended well not", async () => {
    const rows = await database.prisma.connectionEvent.findMany({ where: { connectionId: x, kind: "bridge_session" }, select: { id: true, detail: true } });
    const outcomeOf = new Map(rows.map((r) => [r.id, (r.detail as { outcome: string }).outcome]));
    const sessions = (await walk(orgA.id, x, "bridge", 100)).flat();
    expect(sessions.map((e) => [outcomeOf.get(e.id), e.type === "event" && e.problem]).sort()).toEqual([
      ["error", true], ["ok", false], ["ok", false], ["refused_upstream", true], ["revoked", true], ["token_failed", true],
    ]);
    const everything = (await walk(orgA.id, x, undefined, 100)).flat().filter((e) => e.type === "event" && e.kind === "bridge_session");
    const problems = new Set((await walk(orgA.id, x, "problems", 100)).flat().map((e) => e.id));
    for (const e of everything) expect(e.type === "event" && e.problem, e.id).toBe(problems.has(e.id));
  });

  it("says who or what caused each entry", async () => {
    const all = (await walk(orgA.id, x, undefined, 100)).flat();
    const words = new Set(all.map((e) => actorWords(e.actor, true)));
    for (const w of ["Scheduled check (worker)", `Test now by ${owner.name}`, "Started through the API", "Keep-alive refresh (worker)", "During a scheduled check", `During Test now by ${owner.name}`, `Refresh now by ${owner.name}`, "When a token was needed", "Self-healing (re-consent policy)", "Alert evaluator (worker)"]) {
      expect(words, w).toContain(w);
    }
    expect(all.map((e) => actorWords(e.actor, false)).some((w) => w.includes(owner.name))).toBe(false);
    const failed = all.find((e) => e.type === "check" && e.outcome === "FAILED");
    expect(failed).toMatchObject({ failure: { step: "imap", code: "imap_auth_failed" } });
    expect(failed?.type === "check" && failed.protocols.find((p) => p.protocol === "imap")).toMatchObject({ result: "FAILED", durationMs: 900 });
    const healed = all.find((e) => e.type === "event" && e.kind === "heal_link_sent");
    expect(healed).toMatchObject({ detail: "to owner@contoso.test" });
  });

  it("falls back to the first page for a tampered, foreign or malformed cursor, never throwing", async () => {
    const first = await connectionTimeline(database.prisma, orgA.id, x, parseTimelineQuery({}), { pageSize: 5 });
    const json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    const bad = [
      "not a cursor",
      "%%%",
      json({ t: "yesterday", id: crypto.randomUUID(), d: "older", k: null }),
      json({ t: new Date().toISOString(), id: "'; DROP TABLE \"Check\"; --", d: "older", k: null }),
      json({ t: new Date().toISOString(), id: crypto.randomUUID(), d: "sideways", k: null }),
      json({ t: new Date().toISOString(), id: crypto.randomUUID(), d: "older", k: null, extra: 1 }),
      json([1, 2, 3]),
      "x".repeat(5000),
      // Made for another filter.
      encodeTimelineCursor({ t: new Date().toISOString(), id: crypto.randomUUID(), d: "older", k: "alerts" }),
    ];
    for (const cursor of bad) {
      const page = await connectionTimeline(database.prisma, orgA.id, x, parseTimelineQuery({ cursor }), { pageSize: 5 });
      expect(page.entries.map((e) => e.id)).toEqual(first.entries.map((e) => e.id));
      expect(page.newer).toBeNull();
    }
    expect(parseTimelineQuery({ kind: "everything", cursor: ["a", "b"] })).toEqual({ kind: undefined, cursor: "a" });
  });

  it("returns nothing for another org's connection, nor for this org's id under another org", async () => {
    expect((await connectionTimeline(database.prisma, orgA.id, z, parseTimelineQuery({}))).entries).toEqual([]);
    expect((await connectionTimeline(database.prisma, orgB.id, x, parseTimelineQuery({}))).entries).toEqual([]);
    for (const kind of TIMELINE_KINDS) expect((await connectionTimeline(database.prisma, orgA.id, z, parseTimelineQuery({ kind }))).entries).toEqual([]);
    // A cursor taken from org B's timeline does not reach its rows through org A either.
    const b = await connectionTimeline(database.prisma, orgB.id, z, parseTimelineQuery({}), { pageSize: 3 });
    expect((await connectionTimeline(database.prisma, orgA.id, z, parseTimelineQuery({ cursor: b.older! }))).entries).toEqual([]);
    // And connection y's history stays out of x's.
    const yIds = new Set(await expectedIds(y));
    expect((await walk(orgA.id, x, undefined, 50)).flat().some((e) => yIds.has(e.id))).toBe(false);
  });
});

describe("saveTestRun", () => {
  it("records who pressed Test now on the check, without a duplicate test event", async () => {
    const id = await savedConnection(database.prisma, keyring, { org: orgA, owner: { id: owner.id, email: "o@contoso.test" }, integration: (await database.prisma.integration.findFirstOrThrow({ where: { orgId: orgA.id } })) });
    const run: TestRun = { startedAt: new Date(Date.now() - 1000).toISOString(), finishedAt: new Date().toISOString(), ok: true, steps: [{ id: "refresh-graph", label: "token", status: "ok", durationMs: 10 }, { id: "graph-me", label: "me", status: "ok", durationMs: 20 }] };
    const saved = await saveTestRun(database.prisma, orgA.id, id, run, { triggeredById: owner.id });
    expect(await database.prisma.check.findUniqueOrThrow({ where: { id: saved!.checkId } })).toMatchObject({ trigger: "MANUAL", triggeredById: owner.id });
    expect(await database.prisma.connectionEvent.count({ where: { connectionId: id } })).toBe(0);
    const [entry] = (await connectionTimeline(database.prisma, orgA.id, id, parseTimelineQuery({}))).entries;
    expect(entry && actorWords(entry.actor, true)).toBe(`Test now by ${owner.name}`);
  });
});

describe("checkDurationChart", () => {
  it("gives the last week's checks oldest first with per-protocol durations and failures, within the org", async () => {
    const now = new Date(base + 60_000);
    const chart = await checkDurationChart(database.prisma, orgA.id, x, now);
    expect(chart.protocols).toEqual(["graph", "imap", "smtp"]);
    expect(chart.points).toHaveLength(45);
    expect(chart.points.map((p) => p.t)).toEqual([...chart.points.map((p) => p.t)].sort((a, b) => a - b));
    const failed = chart.points.filter((p) => p.f);
    expect(failed.length).toBe(9);
    expect(failed.every((p) => p.o === "F" && p.f!.includes(1) && p.ms[1] === 900)).toBe(true);
    expect(chart.summary.find((s) => s.protocol === "imap")).toMatchObject({ runs: 45, failed: 9 });
    expect(chart.capped).toBe(false);
    // A week later only what is newer than seven days remains; another org sees nothing.
    expect((await checkDurationChart(database.prisma, orgA.id, x, new Date(base + 7 * 86_400_000 - 30 * 60_000))).points.length).toBeLessThan(45);
    expect((await checkDurationChart(database.prisma, orgB.id, x, now)).points).toEqual([]);
    expect(CHART_CAP).toBe(500);
  });
});
