// GET /api/v1/openapi.json — the token API's OpenAPI 3.1 document, generated from the zod schemas
// the routes validate with (lib/api/openapi.ts). Public: it describes the API, it holds no data.
import { apiDocument } from "@/lib/api/openapi";
import { publicUrl } from "@/lib/deployment";

export const dynamic = "force-dynamic";

export const GET = async () => Response.json(apiDocument(publicUrl()), { headers: { "Cache-Control": "public, max-age=300" } });
