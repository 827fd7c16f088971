// POST /api/v1/connections/{id}/check — runs the connection test now (token refresh, Graph, IMAP,
// POP, SMTP as the integration's purposes say), records it as an API check and answers with its
// steps. Limited per connection (each check signs in to Microsoft). Authorization: Bearer mgk_….
import { apiJson, apiMethodNotAllowed, withApiKey } from "@/lib/api/handler";
import { connectionParams } from "@/lib/api/schemas";
import { checkForKey } from "@/lib/api/connections";
import { deploymentHostMap, mailHostSettings } from "@/lib/deployment";

export const dynamic = "force-dynamic";

export const POST = withApiKey({ operation: "check", params: connectionParams }, async ({ db, keyring, key, params, ip, userAgent, requestId, limiters }) =>
  apiJson(
    await checkForKey({ db, keyring, hostMap: deploymentHostMap(), mailHost: mailHostSettings() }, key, params.id, { ip, userAgent }, () => limiters.check(params.id)),
    requestId,
  ),
);

export const GET = apiMethodNotAllowed(["POST"]);
