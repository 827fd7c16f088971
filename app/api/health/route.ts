// GET /api/health — liveness and database reachability, no sign-in needed.
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET() {
  const started = performance.now();
  let database: "ok" | "unreachable" = "ok";
  try {
    await (await db()).$queryRaw`SELECT 1`;
  } catch {
    database = "unreachable";
  }
  const body = { status: database === "ok" ? "ok" : "degraded", database, latencyMs: Math.round(performance.now() - started) };
  return Response.json(body, { status: database === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
