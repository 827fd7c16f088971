// POST /api/orgs/{slug}/connections/{id}/test — "Test now": runs the connection test and streams
// its steps as newline-delimited JSON (one TestRun per line, the last one finished), then saves
// the run. Body (optional): {"sendTo": "someone@example.com"} to also send a test message.
// Owners and admins only; the session cookie authenticates, as for every portal page.
import { z } from "zod";
import { methodNotAllowed, withOrgRoute } from "@/lib/auth/org-route";
import { AppError } from "@/lib/errors";
import { deploymentHostMap, mailHostSettings } from "@/lib/deployment";
import { getConnection } from "@/lib/connections/connections";
import { testConnectionNow } from "@/lib/connections/test-now";

export const dynamic = "force-dynamic";

export const POST = withOrgRoute(
  {
    permission: "connections.write",
    params: z.object({ id: z.uuid() }),
    body: z.object({
      sendTo: z.union([z.literal(""), z.email({ message: "sendTo must be an email address, e.g. you@example.com" })]).optional(),
    }),
  },
  async ({ db, keyring, org, user, meta, params, body, requestId }) => {
    if (!(await getConnection(db, org.id, params.id))) throw new AppError("not_found", "No such mailbox connection in this organization.");
    const stream = testConnectionNow(
      { db, keyring, hostMap: deploymentHostMap(), mailHost: mailHostSettings() },
      { orgId: org.id, connectionId: params.id, actor: user, meta, requestId, ...(body.sendTo ? { sendTo: body.sendTo } : {}) },
    );
    return new Response(stream, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
  },
);

export const GET = methodNotAllowed(["POST"]);
