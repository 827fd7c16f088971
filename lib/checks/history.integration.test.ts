import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { saveConnection } from "@/lib/connections/connections";
import { recordCheck } from "./record";
import { healthCounts, recentChecks } from "./history";
import type { CheckStep } from "./health";

const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
let database: Database;
beforeAll(async () => { database = await openTestDb(); });
afterAll(async () => { await database.close(); });

async function connected(slug: string) {
  const { db, org, integration, owner } = await orgWithIntegration(database.prisma, keyring, slug, { purposes: ["graph-read", "imap", "smtp"] });
  const saved = await saveConnection(db, keyring, {
    orgId: org.id, integrationId: integration.id, mailbox: `megan@${slug}.onmicrosoft.com`, mailboxKind: "USER", tenantId: crypto.randomUUID(), objectId: crypto.randomUUID(), upn: `megan@${slug}.onmicrosoft.com`,
    displayName: null, consentType: "USER", requestedScopes: ["offline_access"], grantedScopes: ["offline_access"], consentedConfigVersion: 1, refreshToken: `1.A${randomBytes(30).toString("base64url")}`, accessTokens: [], connectedById: owner.id,
  }, owner);
  return { db, org, id: saved.id };
}

const ok: CheckStep[] = [{ id: "refresh-graph", status: "ok" }, { id: "graph-me", status: "ok" }, { id: "refresh-outlook", status: "ok" }, { id: "imap", status: "ok" }, { id: "smtp", status: "ok" }];
const smtpOff: CheckStep[] = [...ok.slice(0, 4), { id: "smtp", status: "failed", code: "smtp_auth_disabled", class: "misconfigured", durationMs: 120 }];
const base = Date.now();
const at = (minutesAgo: number) => new Date(base - minutesAgo * 60_000);
const run = (startedAt: Date, steps: CheckStep[], ms = 800) => ({ startedAt: startedAt.toISOString(), finishedAt: new Date(startedAt.getTime() + ms).toISOString(), steps });

describe("recentChecks", () => {
  it("returns the latest checks newest first, with trigger, outcome, duration and the failed steps' codes", async () => {
    const { db, org, id } = await connected("hist-a");
    for (let i = 25; i >= 1; i--) await recordCheck(db, { orgId: org.id, connectionId: id, trigger: i % 2 ? "SCHEDULED" : "MANUAL", run: run(at(i * 30), i === 1 ? smtpOff : ok, 500 + i) });
    const rows = await recentChecks(db, org.id, id, 20);
    expect(rows).toHaveLength(20);
    expect(rows.map((r) => r.startedAt.getTime())).toEqual([...rows.map((r) => r.startedAt.getTime())].sort((a, b) => b - a));
    expect(rows[0]).toMatchObject({ trigger: "SCHEDULED", outcome: "FAILED", durationMs: 501, failureCode: "smtp_auth_disabled", failureClass: "misconfigured", health: "FAILING", failedSteps: [{ id: "smtp", code: "smtp_auth_disabled" }] });
    expect(rows[1]).toMatchObject({ trigger: "MANUAL", outcome: "PASSED", failureCode: null, failedSteps: [], health: "HEALTHY" });
    // The oldest five fall off the page of 20.
    expect(rows[19]!.startedAt.getTime()).toBe(at(20 * 30).getTime());
  });

  it("never returns another org's checks, even by the connection's id", async () => {
    const a = await connected("hist-iso-a");
    const b = await connected("hist-iso-b");
    await recordCheck(a.db, { orgId: a.org.id, connectionId: a.id, trigger: "MANUAL", run: run(at(1), ok) });
    expect(await recentChecks(b.db, b.org.id, a.id, 20)).toEqual([]);
    expect(await recentChecks(a.db, a.org.id, a.id, 20)).toHaveLength(1);
  });
});

describe("health counts", () => {
  it("counts the org's connections by health", async () => {
    const a = await connected("count-a");
    const b = await connected("count-b");
    await recordCheck(a.db, { orgId: a.org.id, connectionId: a.id, trigger: "SCHEDULED", run: run(at(1), smtpOff) });
    expect(await healthCounts(a.db, a.org.id)).toEqual({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 1, UNKNOWN: 0 });
    expect(await healthCounts(b.db, b.org.id)).toEqual({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 0, UNKNOWN: 1 });
  });
});
