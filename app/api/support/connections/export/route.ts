// GET /api/support/connections/export — support's connections table as CSV, with the page's search and filters, in its order. Support staff only.
import { methodNotAllowed } from "@/lib/auth/org-route";
import { withSupportRoute } from "@/lib/auth/support-route";
import { csvCell } from "@/lib/audit/audit-list";
import { record } from "@/lib/audit/record";
import { CLIENT_IP_HEADER } from "@/lib/client-ip";
import { publicUrl } from "@/lib/deployment";
import { logger } from "@/lib/logger";
import { SUPPORT_FILTER_KEYS, parseSupportQuery, supportConnectionBatches, type SupportRow } from "@/lib/support/connection-list";

export const dynamic = "force-dynamic";

const HEADER = ["connection_id", "org_slug", "org_name", "mailbox", "mailbox_kind", "display_name", "tenant_id", "integration", "cloud", "status", "health", "health_class", "health_code", "health_reason", "health_changed_utc", "last_check_utc", "graph", "graph_code", "imap", "imap_code", "pop", "pop_code", "smtp", "smtp_code", "page"];

const iso = (d: Date | null) => (d ? d.toISOString() : "");

function line(r: SupportRow, base: string): string {
  return [
    r.id, r.orgSlug, r.orgName, r.mailbox, r.mailboxKind, r.displayName ?? "", r.tenantId, r.integrationName, r.cloud, r.status,
    r.health, r.healthClass ?? "", r.healthCode ?? "", r.healthReason ?? "", iso(r.healthChangedAt), iso(r.lastCheckAt),
    r.graphResult ?? "", r.graphCode ?? "", r.imapResult ?? "", r.imapCode ?? "", r.popResult ?? "", r.popCode ?? "", r.smtpResult ?? "", r.smtpCode ?? "",
    `${base}/support/connections/${r.id}`,
  ].map(csvCell).join(",");
}

export const GET = withSupportRoute(async ({ db, user, request, requestId }) => {
  const query = parseSupportQuery(Object.fromEntries(new URL(request.url).searchParams));
  // An export carries every org's mailboxes out of the portal: the platform's audit log (no org)
  // records who took which view, from where, before the first row leaves.
  const filters = Object.fromEntries(SUPPORT_FILTER_KEYS.filter((k) => query[k]).map((k) => [k, query[k]!]));
  await record(db, {
    action: "support.exported_connections",
    orgId: null,
    actor: { id: user.id, email: user.email },
    data: { filters, sort: query.sort, dir: query.dir },
    meta: { ip: request.headers.get(CLIENT_IP_HEADER), userAgent: request.headers.get("user-agent") },
  });
  const base = publicUrl();
  const encoder = new TextEncoder();
  // Streamed in keyset batches: an export of the whole fleet never sits in memory at once.
  const batches = supportConnectionBatches(db, { ...query, after: undefined, before: undefined }, 1000);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(HEADER.join(",") + "\r\n"));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) return controller.close();
        controller.enqueue(encoder.encode(next.value.map((r) => line(r, base)).join("\r\n") + "\r\n"));
      } catch (err) {
        logger.error({ err, requestId }, "support connections export failed");
        controller.error(err);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="connections-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});

export const POST = methodNotAllowed(["GET"]);
