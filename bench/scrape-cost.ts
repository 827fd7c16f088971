// What GET /metrics's database gauges and /api/health's worker query cost at scale: seeds a
// throwaway PostgreSQL database with --connections rows (default 100,000; varied health, class,
// protocol results and due times, no real grants) and times each query a few times.
// Usage: tsx bench/scrape-cost.ts [--connections 100000] [--pg-url postgresql://…]
import { randomUUID } from "node:crypto";
import { createPrismaClient } from "@/lib/db-client";
import type { Prisma } from "@/generated/prisma/client";
import { readDatabaseGauges } from "@/lib/metrics/collect";
import { workerHealth } from "@/lib/health";
import { createBenchDatabase } from "./pg-stats";
import { DEFAULT_PG_URL, orExit, readFlags } from "./flags";

const flags = orExit(() => readFlags(process.argv.slice(2), { values: ["connections", "pg-url"] }), "scrape-cost");
if (flags.bool("help")) {
  console.log(`tsx bench/scrape-cost.ts [--connections N (default 100000)] [--pg-url URL (default ${DEFAULT_PG_URL})]`);
  process.exit(0);
}
const connections = orExit(() => flags.int("connections", 100_000), "scrape-cost");
const orgCount = 500;
const pgdb = await createBenchDatabase(flags.text("pg-url", DEFAULT_PG_URL));
const database = await createPrismaClient(pgdb.url);
const db = database.prisma;
try {
  const now = new Date();
  const orgs = Array.from({ length: orgCount }, (_, i) => ({ id: randomUUID(), slug: `scrape-${i}`, name: `Org ${i}`, tenantId: randomUUID() }));
  await db.org.createMany({ data: orgs });
  const integrations = orgs.map((o, i) => ({ id: randomUUID(), orgId: o.id, name: "I", cloud: i % 10 === 0 ? "usgov" : "global", tenantMode: "single", tenant: o.tenantId, clientId: randomUUID(), credentialType: "SECRET" as const, purposes: ["graph-read", "imap"], extraScopes: [] }));
  await db.integration.createMany({ data: integrations });
  const health = ["HEALTHY", "HEALTHY", "HEALTHY", "HEALTHY", "DEGRADED", "FAILING", "AT_RISK", "UNKNOWN"] as const;
  const classes = ["blocked", "misconfigured", "needs_reconsent"];
  for (let start = 0; start < connections; start += 5000) {
    const rows: Prisma.ConnectionCreateManyInput[] = [];
    for (let i = start; i < Math.min(connections, start + 5000); i++) {
      const integration = integrations[i % orgCount]!;
      const h = health[i % health.length]!;
      rows.push({
        orgId: integration.orgId,
        integrationId: integration.id,
        mailbox: `user${i}@scrape.test`,
        mailboxKind: "USER",
        tenantId: integration.tenant,
        objectId: randomUUID(),
        upn: `user${i}@scrape.test`,
        consentType: "USER",
        consentedConfigVersion: 1,
        refreshTokenEncrypted: "x".repeat(600),
        status: i % 97 === 0 ? "REVOKED" : "CONNECTED",
        health: h,
        healthClass: h === "FAILING" ? classes[i % 3]! : null,
        graphResult: h === "UNKNOWN" ? null : h === "FAILING" ? "FAILED" : "OK",
        imapResult: h === "UNKNOWN" ? null : "OK",
        // A steady state: due times spread over the next 30 minutes, a few overdue.
        nextCheckAt: new Date(now.getTime() + ((i * 7919) % 1_800_000) - 20_000),
      });
    }
    await db.connection.createMany({ data: rows });
  }
  await db.$executeRawUnsafe('ANALYZE "Connection"');
  const time = async (label: string, fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await fn();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(`${label.padEnd(44)} median ${ms[2]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms[4]!.toFixed(1)})`);
  };
  console.log(`${connections} connections, ${orgCount} orgs`);
  await time("GET /metrics database gauges (all queries)", () => readDatabaseGauges(db));
  await time("/api/health worker query", () => workerHealth(db, { workerMode: "on" }));
} finally {
  await database.close();
  await pgdb.drop();
}
