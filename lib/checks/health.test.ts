import { describe, expect, it } from "vitest";
import { checkOutcome, computeHealth, type CheckStep, type HealthInput } from "./health";
import { protocolResults } from "./record";
import { nextDueAt, slotOffsetMs, jitterMs } from "./schedule";

const now = new Date("2026-12-01T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const daysAgo = (d: number) => hoursAgo(d * 24);
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);
const base: HealthInput = { now, status: "CONNECTED", mailboxKind: "USER", refreshTokenLastUsedAt: hoursAgo(1), lastRefreshedAt: hoursAgo(1), integration: { purposes: ["imap", "smtp"], extraScopes: [], credentialType: "SECRET", secretExpiresAt: inDays(300) } };
const passed = { at: hoursAgo(0.5), outcome: "PASSED" as const };
const step = (id: string, status: CheckStep["status"], code?: string, cls?: CheckStep["class"]): CheckStep => ({ id, status, ...(code ? { code } : {}), ...(cls ? { class: cls } : {}) });

describe("computeHealth", () => {
  const cases: { name: string; input: Partial<HealthInput>; health: string; class?: string | null; code?: string | null; reason?: RegExp }[] = [
    { name: "never checked", input: { lastCheck: null }, health: "UNKNOWN", class: null, reason: /Not checked/ },
    { name: "last check passed", input: { lastCheck: passed }, health: "HEALTHY", class: null },
    {
      name: "a 429 retried and passed is healthy",
      input: { lastCheck: { at: hoursAgo(0.5), ...checkOutcome([step("refresh-graph", "ok"), step("graph-me", "ok"), step("graph-inbox", "ok")]) } },
      health: "HEALTHY",
    },
    {
      name: "503 five times (transient, after retries) is degraded",
      input: { lastCheck: { at: hoursAgo(0.5), ...checkOutcome([step("refresh-graph", "ok"), step("graph-me", "failed", "graph:ServiceUnavailable", "transient")]) } },
      health: "DEGRADED",
      class: "transient",
      code: "graph:ServiceUnavailable",
    },
    {
      name: "AADSTS53003 in a check is failing / blocked",
      input: { lastCheck: { at: hoursAgo(0.5), ...checkOutcome([step("refresh-outlook", "failed", "AADSTS53003", "blocked"), step("imap", "skipped"), step("smtp", "skipped")]) } },
      health: "FAILING",
      class: "blocked",
      code: "AADSTS53003",
      reason: /Conditional Access/i,
    },
    {
      name: "AADSTS53003 on a refresh after the last check is failing / blocked",
      input: { lastCheck: passed, lastFailure: { code: "AADSTS53003", classification: "blocked", at: hoursAgo(0.1).toISOString() } },
      health: "FAILING",
      class: "blocked",
      code: "AADSTS53003",
    },
    {
      name: "a refresh failure older than the last check does not override it",
      input: { lastCheck: passed, lastFailure: { code: "AADSTS53003", classification: "blocked", at: hoursAgo(2).toISOString() } },
      health: "HEALTHY",
    },
    {
      name: "Graph 403 on a shared mailbox without .Shared scopes is failing / misconfigured and names the scope",
      input: {
        mailboxKind: "SHARED",
        integration: { purposes: ["graph-read"], extraScopes: [] },
        lastCheck: { at: hoursAgo(0.5), ...checkOutcome([step("refresh-graph", "ok"), step("graph-me", "ok"), step("graph-inbox", "failed", "graph:ErrorAccessDenied", "misconfigured")]) },
      },
      health: "FAILING",
      class: "misconfigured",
      code: "graph:ErrorAccessDenied",
      reason: /Mail\.Read\.Shared/,
    },
    {
      name: "Graph 403 on a shared mailbox with the .Shared scope keeps the catalog's reason",
      input: {
        mailboxKind: "SHARED",
        integration: { purposes: ["graph-read"], extraScopes: ["https://graph.microsoft.com/Mail.Read.Shared"] },
        lastCheck: { at: hoursAgo(0.5), ...checkOutcome([step("graph-inbox", "failed", "graph:ErrorAccessDenied", "misconfigured")]) },
      },
      health: "FAILING",
      class: "misconfigured",
      reason: /Graph denied access/,
    },
    { name: "needs re-consent beats a passed check", input: { status: "NEEDS_RECONSENT", statusReason: "Refresh token revoked (AADSTS50173).", lastCheck: passed }, health: "FAILING", class: "needs_reconsent", reason: /AADSTS50173/ },
    { name: "an integration changed since consent needs re-consent", input: { consentOutdated: true, lastCheck: passed }, health: "FAILING", class: "needs_reconsent", code: "integration_changed" },
    { name: "revoked", input: { status: "REVOKED", lastCheck: passed }, health: "FAILING", class: "needs_reconsent" },
    {
      name: "refreshes failing transiently for over 6 hours is at risk",
      input: { lastCheck: passed, lastRefreshedAt: hoursAgo(8), refreshFailingSince: hoursAgo(7), lastFailure: { code: "temporarily_unavailable", classification: "transient", at: hoursAgo(0.1).toISOString() } },
      health: "AT_RISK",
      class: "transient",
      reason: /7 hours/,
    },
    {
      name: "refreshes failing transiently for an hour is degraded",
      input: { lastCheck: passed, lastRefreshedAt: hoursAgo(2), refreshFailingSince: hoursAgo(1), lastFailure: { code: "temporarily_unavailable", classification: "transient", at: hoursAgo(0.1).toISOString() } },
      health: "DEGRADED",
    },
    { name: "grant dies of inactivity within 14 days", input: { lastCheck: passed, refreshTokenLastUsedAt: daysAgo(80) }, health: "AT_RISK", code: "inactivity_deadline", reason: /in 10 days/ },
    { name: "grant used 70 days ago is fine", input: { lastCheck: passed, refreshTokenLastUsedAt: daysAgo(70) }, health: "HEALTHY" },
    { name: "secret expires within 14 days", input: { lastCheck: passed, integration: { purposes: ["imap"], extraScopes: [], credentialType: "SECRET", secretExpiresAt: inDays(5) } }, health: "AT_RISK", code: "secret_expiring", reason: /in 5 days/ },
    { name: "secret already expired is failing / misconfigured", input: { lastCheck: passed, integration: { purposes: ["imap"], extraScopes: [], credentialType: "SECRET", secretExpiresAt: daysAgo(1) } }, health: "FAILING", class: "misconfigured", code: "secret_expired" },
    { name: "certificate expiring", input: { lastCheck: passed, integration: { purposes: ["imap"], extraScopes: [], credentialType: "CERTIFICATE", certificateExpiresAt: inDays(3), secretExpiresAt: inDays(1) } }, health: "AT_RISK", code: "certificate_expiring" },
    {
      name: "the soonest risk is named",
      input: { lastCheck: passed, refreshTokenLastUsedAt: daysAgo(85), integration: { purposes: ["imap"], extraScopes: [], credentialType: "SECRET", secretExpiresAt: inDays(10) } },
      health: "AT_RISK",
      code: "inactivity_deadline",
    },
    { name: "a failed check is not 'at risk', it is failing", input: { lastCheck: { at: hoursAgo(0.5), outcome: "FAILED", failureCode: "smtp_auth_disabled", failureClass: "misconfigured" }, refreshTokenLastUsedAt: daysAgo(85) }, health: "FAILING", class: "misconfigured", code: "smtp_auth_disabled" },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const view = computeHealth({ ...base, ...c.input });
      expect(view.health).toBe(c.health);
      if (c.class !== undefined) expect(view.class).toBe(c.class);
      if (c.code !== undefined) expect(view.code).toBe(c.code);
      if (c.reason) expect(view.reason).toMatch(c.reason);
      expect(view.reason.length).toBeGreaterThan(5);
    });
  }
});

describe("checkOutcome", () => {
  it("passes when every step is ok, degrades on transient failures only, fails on any other", () => {
    expect(checkOutcome([step("imap", "ok")]).outcome).toBe("PASSED");
    expect(checkOutcome([step("imap", "failed", "timeout", "transient"), step("smtp", "ok")])).toEqual({ outcome: "DEGRADED", failureCode: "timeout", failureClass: "transient" });
    expect(checkOutcome([step("imap", "failed", "timeout", "transient"), step("smtp", "failed", "smtp_auth_disabled", "misconfigured")])).toEqual({ outcome: "FAILED", failureCode: "smtp_auth_disabled", failureClass: "misconfigured" });
    expect(checkOutcome([]).outcome).toBe("FAILED");
  });
});

describe("protocolResults", () => {
  it("IMAP works, SMTP AUTH is off", () => {
    expect(protocolResults([step("refresh-outlook", "ok"), step("imap", "ok"), step("smtp", "failed", "smtp_auth_disabled", "misconfigured")])).toEqual({ imap: { result: "OK", code: null }, smtp: { result: "FAILED", code: "smtp_auth_disabled" } });
  });
  it("a failed token fails the protocols that needed it", () => {
    expect(protocolResults([step("refresh-graph", "failed", "AADSTS53003", "blocked"), step("graph-me", "skipped"), step("graph-inbox", "skipped")])).toEqual({ graph: { result: "FAILED", code: "AADSTS53003" } });
  });
});

describe("schedule", () => {
  const period = 30 * 60_000;
  it("puts each connection at a stable offset, spread across the period", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const buckets = new Array(30).fill(0);
    for (const id of ids) buckets[Math.floor(slotOffsetMs(id, period) / 60_000)] += 1;
    // 10,000 over 30 minutes is ~333 a minute; a hash keeps every minute within ±25%.
    for (const b of buckets) {
      expect(b).toBeGreaterThan(250);
      expect(b).toBeLessThan(420);
    }
    expect(slotOffsetMs(ids[0]!, period)).toBe(slotOffsetMs(ids[0]!, period));
  });
  it("the next due time is the next slot, one period apart, whatever the jitter", () => {
    const id = "c0ffee00-0000-4000-8000-000000000001";
    const first = nextDueAt(id, period, now, () => 0.99);
    expect(first.getTime()).toBeGreaterThan(now.getTime());
    expect(first.getTime() - now.getTime()).toBeLessThanOrEqual(period + jitterMs(period));
    const second = nextDueAt(id, period, first, () => 0);
    expect(second.getTime() - first.getTime()).toBeGreaterThan(period - jitterMs(period) - 1);
    expect(second.getTime() - first.getTime()).toBeLessThanOrEqual(period);
    expect((second.getTime() - slotOffsetMs(id, period)) % period).toBe(0);
  });
});
