// The worker as the bench drives it: lib/worker/worker.ts's startWorker (the pg-boss worker), or,
// until that module exists, the stand-in below it in bench/stand-in-worker.ts (same contract, no
// pg-boss), so the harness runs either way and every result says which one it measured.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Database } from "@/lib/db-client";
import type { TestDeps } from "@/lib/connections/connection-test";
import type { WorkerConfig } from "@/lib/worker/config";

export type WorkerStats = { inFlight: number; capacity: number; checksDone: number };
export type WorkerHandle = { id: string; stop(): Promise<void>; stats(): WorkerStats; tickNow(): Promise<number>; idle(): Promise<void> };
export type StartWorker = (opts: { database: Database; deps: Omit<TestDeps, "db">; config?: WorkerConfig; id?: string }) => Promise<WorkerHandle>;

const REAL = fileURLToPath(new URL("../lib/worker/worker.ts", import.meta.url));

export async function loadStartWorker(prefer: "real" | "stand-in" | "auto" = "auto"): Promise<{ startWorker: StartWorker; kind: "real" | "stand-in" }> {
  if (prefer !== "stand-in" && existsSync(REAL)) {
    // A computed specifier: the bench type-checks before the real worker lands on this branch.
    const mod = (await import(REAL)) as { startWorker: StartWorker };
    return { startWorker: mod.startWorker, kind: "real" };
  }
  if (prefer === "real") throw new Error("lib/worker/worker.ts does not exist on this branch: the real worker has not landed (use --worker stand-in)");
  const { startStandInWorker } = await import("./stand-in-worker");
  return { startWorker: startStandInWorker, kind: "stand-in" };
}

/** The worker's knobs for the bench: production defaults (lib/env.ts), ticks left to the bench. */
export function benchWorkerConfig(concurrency: number): WorkerConfig {
  return { concurrency, tenantConcurrency: 8, mailboxConcurrency: 4, tickSeconds: 300, leaseSeconds: 300, retentionDays: 30, dailyRetentionMonths: 13, alertGroupSeconds: 120 };
}
