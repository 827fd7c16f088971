// POST /api/v1/connections/{id}/token — a fresh access token for the connection's mailbox
// ({"resource": "graph" | "outlook", "format"?: "xoauth2"}), cached or refreshed through the
// single-flight refresh. A POST so that no token sits in a URL or an access log; never the
// refresh token. Authorization: Bearer mgk_….
import { apiJson, apiMethodNotAllowed, withApiKey } from "@/lib/api/handler";
import { connectionParams, tokenRequest } from "@/lib/api/schemas";
import { tokenForKey } from "@/lib/api/connections";
import { deploymentHostMap } from "@/lib/deployment";

export const dynamic = "force-dynamic";

export const POST = withApiKey({ operation: "token", params: connectionParams, body: tokenRequest }, async ({ db, sql, keyring, key, params, body, ip, portalUrl, requestId, limiters, usage }) => {
  const token = await tokenForKey(
    { db, sql, keyring, hostMap: deploymentHostMap() },
    { key, id: params.id, resource: body.resource, ...(body.format ? { format: body.format } : {}), portalUrl },
    () => limiters.connection(params.id),
  );
  usage.tokenIssued({ orgId: key.orgId, key, connectionId: params.id, resource: body.resource, ip });
  return apiJson(token, requestId);
});

export const GET = apiMethodNotAllowed(["POST"]);
