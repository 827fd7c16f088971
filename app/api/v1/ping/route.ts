// GET /api/v1/ping — a constant answer with no key and no database: for a downstream app's
// reachability check, and the framework's floor the token API benchmark (bench/api.ts) compares with.
import { NO_STORE } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

const BODY = JSON.stringify({ ok: true });

export const GET = async () => new Response(BODY, { headers: { "Content-Type": "application/json", ...NO_STORE } });
