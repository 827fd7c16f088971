// GET /api/v1/connections — the connections the API key reaches, by mailbox address, in pages
// (?limit=&cursor=&mailbox=). Authorization: Bearer mgk_….
import { apiJson, apiMethodNotAllowed, withApiKey } from "@/lib/api/handler";
import { listQuery } from "@/lib/api/schemas";
import { listForKey } from "@/lib/api/connections";

export const dynamic = "force-dynamic";

export const GET = withApiKey({ operation: "list", query: listQuery }, async ({ db, key, query, requestId }) => apiJson(await listForKey(db, key, query), requestId));

export const POST = apiMethodNotAllowed(["GET"]);
