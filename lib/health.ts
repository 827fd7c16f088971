import type { Db } from "@/lib/db-client";

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
