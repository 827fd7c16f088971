import type { Db } from "@/lib/db-client";
import { behindSeconds, workerSummary } from "@/lib/metrics/worker-summary";

/** Whether the database answers a trivial query, and how long it took. */
export async function databaseHealth(db: () => Promise<Db>): Promise<{ database: "ok" | "unreachable"; latencyMs: number }> {
  const started = performance.now();
  try {
    await (await db()).$queryRaw`SELECT 1`;
    return { database: "ok", latencyMs: Math.round(performance.now() - started) };
  } catch {
    return { database: "unreachable", latencyMs: Math.round(performance.now() - started) };
  }
}

export type WorkerHealth = {
  /** A worker process beat within the last 30 s (any process on this database, not only this one). */
  running: boolean;
  /** "running"; "off" when this process has MAILGRANT_WORKER=off and no worker beats; "stopped" otherwise. */
  state: "running" | "off" | "stopped";
  processes: number;
  inFlight: number;
  /** Age of the oldest overdue next check; 0 when nothing is overdue. */
  behindSeconds: number;
};

/**
 * The worker's part of /api/health: one statement over the heartbeats and the nextCheckAt index.
 * A stopped worker is reported, not treated as an outage: web processes run without one.
 */
export async function workerHealth(db: Db, opts: { workerMode: "on" | "off"; now?: Date }): Promise<WorkerHealth> {
  const now = opts.now ?? new Date();
  const s = await workerSummary(db, now);
  const running = s.processes > 0;
  return {
    running,
    state: running ? "running" : opts.workerMode === "off" ? "off" : "stopped",
    processes: s.processes,
    inFlight: s.inFlight,
    behindSeconds: behindSeconds(s, now),
  };
}

export type HealthBody = {
  status: "ok" | "degraded";
  database: "ok" | "unreachable";
  latencyMs: number;
  worker?: WorkerHealth;
};

/** The body and status of GET /api/health: 200 while the database answers, whatever the worker does. */
export async function healthReport(db: () => Promise<Db>, opts: { workerMode: "on" | "off"; now?: Date }): Promise<{ status: number; body: HealthBody }> {
  const { database, latencyMs } = await databaseHealth(db);
  if (database !== "ok") return { status: 503, body: { status: "degraded", database, latencyMs } };
  let worker: WorkerHealth | undefined;
  try {
    worker = await workerHealth(await db(), opts);
  } catch {
    // The database answered SELECT 1 a moment ago; a failure here (a migration not yet applied)
    // leaves the worker unknown rather than failing liveness.
  }
  return { status: 200, body: { status: "ok", database, latencyMs, ...(worker ? { worker } : {}) } };
}
