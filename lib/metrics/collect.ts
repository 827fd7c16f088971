import { Gauge, Registry } from "prom-client";
import type { Db } from "@/lib/db-client";
import { behindSeconds, workerSummary } from "./worker-summary";
import { metrics } from "./metrics";

// Gauges read from the database at scrape time, in a registry made for the scrape and merged with
// the process's own (counters and histograms, lib/metrics/metrics.ts). A fresh registry per scrape
// means a label set that no longer exists (the last FAILING connection of a class recovered)
// disappears instead of repeating its last value. A few small statements, each a single pass: one
// grouped scan of Connection joined to Integration (every connection dimension at once), the worker
// summary (heartbeats and the nextCheckAt index), pg-boss's queue for checks, and the paused alert
// channels and pending deliveries (read from Mailgrant's tables, not pg-boss's).

import { BOSS_SCHEMA, CHECK_QUEUE } from "@/lib/worker/queues";

const lower = (v: string | null | undefined, none = "none") => (v ? v.toLowerCase() : none);

type ConnectionGroup = {
  health: string;
  health_class: string | null;
  cloud: string;
  consent: string;
  graph: string | null;
  imap: string | null;
  pop: string | null;
  smtp: string | null;
  n: number;
};

type QueueRow = { state: string; n: number; oldest_start_after: Date | null };

export type DatabaseGauges = {
  connections: { health: string; class: string; cloud: string; n: number }[];
  protocols: { protocol: string; result: string; n: number }[];
  consent: { status: string; n: number }[];
  /** Null when pg-boss's schema does not exist yet (no worker has started on this database). */
  queue: { jobs: { state: string; n: number }[]; oldestDueSeconds: number } | null;
  overdue: number;
  oldestDueSeconds: number;
  workers: { processes: number; inFlight: number };
  /** Alert channels paused (after 3 days of failures, or by hand) and deliveries waiting for an attempt, by channel kind. */
  alerts: { paused: { kind: string; n: number }[]; pending: { kind: string; n: number }[] };
};

async function connectionGroups(db: Db): Promise<ConnectionGroup[]> {
  // Consent as the screens show it (lib/connections/connections.ts displayStatus): a grant given for
  // an older integration configuration needs re-consent even while its stored status says connected.
  return db.$queryRaw<ConnectionGroup[]>`
    SELECT c.health::text AS health, c."healthClass" AS health_class, i.cloud,
           CASE WHEN c.status = 'CONNECTED' AND c."consentedConfigVersion" < i."configVersion" THEN 'NEEDS_RECONSENT' ELSE c.status::text END AS consent,
           c."graphResult"::text AS graph, c."imapResult"::text AS imap, c."popResult"::text AS pop, c."smtpResult"::text AS smtp,
           count(*)::int AS n
    FROM "Connection" c JOIN "Integration" i ON i.id = c."integrationId"
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`;
}

async function checkQueue(db: Db, now: Date): Promise<DatabaseGauges["queue"]> {
  const [present] = await db.$queryRaw<{ present: boolean }[]>`SELECT to_regclass(${`${BOSS_SCHEMA}.job`}) IS NOT NULL AS present`;
  if (!present?.present) return null;
  // The schema name is a constant; pg-boss partitions job by queue name, so this reads one partition.
  const rows = await db.$queryRawUnsafe<QueueRow[]>(
    `SELECT state::text AS state, count(*)::int AS n, min(start_after) FILTER (WHERE start_after <= $2) AS oldest_start_after
     FROM ${BOSS_SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active') GROUP BY 1`,
    CHECK_QUEUE,
    now,
  );
  const waiting = rows.filter((r) => r.state !== "active" && r.oldest_start_after).map((r) => new Date(r.oldest_start_after!).getTime());
  const oldest = waiting.length ? Math.min(...waiting) : null;
  return {
    jobs: ["created", "retry", "active"].map((state) => ({ state, n: Number(rows.find((r) => r.state === state)?.n ?? 0) })),
    oldestDueSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
  };
}

async function alertGauges(db: Db): Promise<DatabaseGauges["alerts"]> {
  // The status index of AlertChannel and the (status, nextAttemptAt) index of AlertDelivery: both scans are of the few rows in that state.
  const rows = await db.$queryRaw<{ what: string; kind: string; n: number }[]>`
    SELECT 'paused' AS what, kind::text AS kind, count(*)::int AS n FROM "AlertChannel" WHERE status = 'PAUSED' GROUP BY kind
    UNION ALL
    SELECT 'pending', c.kind::text, count(*)::int FROM "AlertDelivery" d JOIN "AlertChannel" c ON c.id = d."channelId" WHERE d.status = 'PENDING' GROUP BY c.kind`;
  const of = (what: string) => ["WEBHOOK", "EMAIL"].map((kind) => ({ kind: kind.toLowerCase(), n: Number(rows.find((r) => r.what === what && r.kind === kind)?.n ?? 0) }));
  return { paused: of("paused"), pending: of("pending") };
}

/** Reads every database gauge (also useful to tests and the bench without a registry). */
export async function readDatabaseGauges(db: Db, now: Date = new Date()): Promise<DatabaseGauges> {
  const [groups, summary, queue, alerts] = await Promise.all([connectionGroups(db), workerSummary(db, now, { countOverdue: true }), checkQueue(db, now), alertGauges(db)]);
  const sum = new Map<string, number>();
  const add = (key: string, n: number) => sum.set(key, (sum.get(key) ?? 0) + n);
  for (const g of groups) {
    add(JSON.stringify(["c", lower(g.health), lower(g.health_class), lower(g.cloud)]), g.n);
    add(JSON.stringify(["s", lower(g.consent)]), g.n);
    for (const p of ["graph", "imap", "pop", "smtp"] as const) if (g[p]) add(JSON.stringify(["p", p, lower(g[p])]), g.n);
  }
  const out: DatabaseGauges = {
    connections: [],
    protocols: [],
    consent: [],
    queue,
    overdue: summary.overdue ?? 0,
    oldestDueSeconds: behindSeconds(summary, now),
    workers: { processes: summary.processes, inFlight: summary.inFlight },
    alerts,
  };
  for (const [key, n] of sum) {
    const [kind, a = "", b = "", c = ""] = JSON.parse(key) as string[];
    if (kind === "c") out.connections.push({ health: a, class: b, cloud: c, n });
    else if (kind === "s") out.consent.push({ status: a, n });
    else out.protocols.push({ protocol: a, result: b, n });
  }
  return out;
}

/** A registry holding this scrape's database gauges; `up` is 0 (and nothing else is set) when the database failed. */
export async function databaseRegistry(db: Db, opts: { now?: Date; capacityPerWorker?: number } = {}): Promise<Registry> {
  const registry = new Registry();
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) => new Gauge<L>({ name, help, labelNames, registers: [registry] });
  const up = gauge("mailgrant_database_up", "1 when the scrape's database queries succeeded.");
  const took = gauge("mailgrant_metrics_collect_seconds", "Time the scrape spent reading the database.");
  const started = performance.now();
  let g: DatabaseGauges;
  try {
    g = await readDatabaseGauges(db, opts.now);
  } catch {
    up.set(0);
    took.set((performance.now() - started) / 1000);
    return registry;
  }
  up.set(1);
  took.set((performance.now() - started) / 1000);
  const connections = gauge("mailgrant_connections", "Connections by health, failure class (none unless failing or degraded) and cloud.", ["health", "class", "cloud"]);
  for (const r of g.connections) connections.set({ health: r.health, class: r.class, cloud: r.cloud }, r.n);
  const protocols = gauge("mailgrant_connection_protocol_results", "Connections by protocol and the result of its last check (protocols the integration uses, once checked).", ["protocol", "result"]);
  for (const r of g.protocols) protocols.set({ protocol: r.protocol, result: r.result }, r.n);
  const consent = gauge("mailgrant_connection_consent", "Connections by consent status (connected, needs_reconsent, revoked).", ["status"]);
  for (const r of g.consent) consent.set({ status: r.status }, r.n);
  gauge("mailgrant_checks_overdue", "Connected connections whose next check is due now.").set(g.overdue);
  gauge("mailgrant_checks_oldest_due_seconds", "Age of the oldest due next check; 0 when nothing is due. How far behind the workers are.").set(g.oldestDueSeconds);
  const jobs = gauge("mailgrant_check_queue_jobs", "pg-boss jobs in the check queue by state (created and retry wait; active run).", ["state"]);
  const queueAge = gauge("mailgrant_check_queue_oldest_seconds", "Age of the oldest waiting check job whose start time has come; 0 when none.");
  gauge("mailgrant_check_queue_present", "1 when pg-boss's schema exists (a worker has started on this database).").set(g.queue ? 1 : 0);
  if (g.queue) {
    for (const j of g.queue.jobs) jobs.set({ state: j.state }, j.n);
    queueAge.set(g.queue.oldestDueSeconds);
  }
  const paused = gauge("mailgrant_alert_channels_paused", "Alert channels paused (3 days of failed deliveries, or by an admin), by kind.", ["kind"]);
  for (const r of g.alerts.paused) paused.set({ kind: r.kind }, r.n);
  const pending = gauge("mailgrant_alert_deliveries_pending", "Alert deliveries waiting for their next attempt, by channel kind.", ["kind"]);
  for (const r of g.alerts.pending) pending.set({ kind: r.kind }, r.n);
  gauge("mailgrant_workers_alive", "Worker processes with a heartbeat in the last 30 s.").set(g.workers.processes);
  gauge("mailgrant_workers_checks_in_flight", "Checks in flight across live worker processes, as of their last heartbeat.").set(g.workers.inFlight);
  if (opts.capacityPerWorker) {
    // Heartbeats carry no capacity: this assumes every worker runs with this process's MAILGRANT_WORKER_CONCURRENCY.
    gauge("mailgrant_workers_concurrency_limit", "Checks live worker processes may run at once (live processes × MAILGRANT_WORKER_CONCURRENCY of the scraped process).").set(
      g.workers.processes * opts.capacityPerWorker,
    );
  }
  return registry;
}

/** The text Prometheus scrapes: the process's registry and this scrape's database gauges. */
export async function scrape(db: Db, opts: { now?: Date; capacityPerWorker?: number } = {}): Promise<{ body: string; contentType: string }> {
  const merged = Registry.merge([metrics().registry, await databaseRegistry(db, opts)]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
