// POST /api/orgs/{slug}/connections/{id}/test — "Test now": runs the connection test and streams
// its steps as newline-delimited JSON (one TestRun per line, the last one finished), then saves
// the run. Body (optional): {"sendTo": "someone@example.com"} to also send a test message.
// Owners and admins only; the session cookie authenticates, as for every portal page.
import { z } from "zod";
import { currentUser } from "@/lib/auth/guards";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db";
import { appKeyring, deploymentHostMap, mailHostSettings } from "@/lib/deployment";
import { logger } from "@/lib/logger";
import { findMembershipBySlug } from "@/lib/orgs/orgs";
import { runConnectionTest, saveTestRun, type TestRun } from "@/lib/connections/connection-test";

export const dynamic = "force-dynamic";

const bodySchema = z.object({
  sendTo: z.union([z.literal(""), z.email({ message: "sendTo must be an email address, e.g. you@example.com" })]).optional(),
});

const problem = (status: number, message: string, field?: string) => Response.json({ error: message, ...(field ? { field } : {}) }, { status, headers: { "Cache-Control": "no-store" } });

export async function POST(request: Request, { params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const user = await currentUser();
  if (!user) return problem(401, "Sign in first.");
  const database = await db();
  const membership = await findMembershipBySlug(database, user.id, slug);
  if (!membership) return problem(404, "No such organization, or you are not a member of it.");
  if (!can(membership.role, "connections.write")) return problem(403, "Only owners and admins can test connections.");
  const connection = await database.connection.findFirst({ where: { id, orgId: membership.org.id }, select: { id: true } });
  if (!connection) return problem(404, "No such mailbox connection in this organization.");

  const raw = await request.text();
  let json: unknown = {};
  try {
    json = raw ? JSON.parse(raw) : {};
  } catch {
    return problem(400, "The body must be JSON, e.g. {\"sendTo\": \"you@example.com\"}.");
  }
  const body = bodySchema.safeParse(json);
  if (!body.success) return problem(422, body.error.issues[0]?.message ?? "Invalid body.", String(body.error.issues[0]?.path[0] ?? ""));
  const sendTo = body.data.sendTo || undefined;

  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (run: TestRun) => controller.enqueue(encoder.encode(`${JSON.stringify(run)}\n`));
      try {
        const run = await runConnectionTest(
          { db: database, keyring: appKeyring(), hostMap: deploymentHostMap(), mailHost: mailHostSettings() },
          membership.org.id,
          id,
          { ...(sendTo ? { sendTo } : {}), onUpdate: send },
        );
        await saveTestRun(database, membership.org.id, id, run);
      } catch (e) {
        logger.error({ err: e, connectionId: id }, "connection test failed to run");
        controller.enqueue(encoder.encode(`${JSON.stringify({ error: "The test could not run; see the server log." })}\n`));
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, { headers: { "Content-Type": "application/x-ndjson", "Cache-Control": "no-store" } });
}
