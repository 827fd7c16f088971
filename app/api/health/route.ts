// GET /api/health — liveness, database reachability and whether the worker runs (and how far behind); no sign-in needed.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { healthReport } from "@/lib/health";

export const dynamic = "force-dynamic";

export async function GET() {
  const { status, body } = await healthReport(db, { workerMode: env().MAILGRANT_WORKER });
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}
