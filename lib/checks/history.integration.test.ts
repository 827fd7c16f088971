import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDb } from "@/test-support/test-db";
import { orgWithIntegration } from "@/test-support/org-fixtures";
import type { Database } from "@/lib/db-client";
import { parseKeyring } from "@/lib/crypto";
import { saveConnection } from "@/lib/connections/connections";
import { recordCheck } from "./record";
import { healthCounts } from "./history";
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


describe("health counts", () => {
  it("counts the org's connections by health", async () => {
    const a = await connected("count-a");
    const b = await connected("count-b");
    await recordCheck(a.db, { orgId: a.org.id, connectionId: a.id, trigger: "SCHEDULED", run: run(at(1), smtpOff) });
    expect(await healthCounts(a.db, a.org.id)).toEqual({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 1, UNKNOWN: 0 });
    expect(await healthCounts(b.db, b.org.id)).toEqual({ HEALTHY: 0, DEGRADED: 0, AT_RISK: 0, FAILING: 0, UNKNOWN: 1 });
  });
});
