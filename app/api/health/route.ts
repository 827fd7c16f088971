// GET /api/health — liveness and database reachability, no sign-in needed.
import { db } from "@/lib/db";
import { databaseHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const { database, latencyMs } = await databaseHealth(db);
  const body = { status: database === "ok" ? "ok" : "degraded", database, latencyMs };
  return Response.json(body, { status: database === "ok" ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
