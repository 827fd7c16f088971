// GET /api/orgs/{slug}/audit/export — the org's audit log as CSV, with the page's filters
// (?action=&actor=&from=&to=), newest first, at most 10,000 rows. Owners and admins only.
import { z } from "zod";
import { methodNotAllowed, withOrgRoute } from "@/lib/auth/org-route";
import { actionLabel } from "@/lib/audit/action-labels";
import { auditCsv, parseAuditQuery } from "@/lib/audit/audit-list";

export const dynamic = "force-dynamic";

export const GET = withOrgRoute({ permission: "audit.read", params: z.object({}) }, async ({ db, org, request }) => {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const { before: _before, ...filters } = parseAuditQuery(params);
  void _before;
  const csv = await auditCsv(db, org.id, filters, actionLabel);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-${org.slug}-${new Date().toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});

export const POST = methodNotAllowed(["GET"]);
