// GET /api/v1/connections/{id} — one connection the API key reaches, with its health, the
// diagnosis when it is not healthy, and its last check. Authorization: Bearer mgk_….
import { apiJson, apiMethodNotAllowed, withApiKey } from "@/lib/api/handler";
import { connectionParams } from "@/lib/api/schemas";
import { getForKey } from "@/lib/api/connections";

export const dynamic = "force-dynamic";

export const GET = withApiKey({ operation: "get", params: connectionParams }, async ({ db, key, params, portalUrl, requestId }) => apiJson(await getForKey(db, key, params.id, portalUrl), requestId));

export const POST = apiMethodNotAllowed(["GET"]);
