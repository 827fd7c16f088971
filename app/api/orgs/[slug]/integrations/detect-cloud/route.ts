// POST /api/orgs/{slug}/integrations/detect-cloud — the integration wizard's cloud proposal:
// reads the typed tenant's OpenID discovery document at Microsoft (through the deployment's host
// map) and answers which cloud it names and why. Body: {"tenant": "contoso.onmicrosoft.com"}.
// Owners and admins only; nothing is stored.
import { z } from "zod";
import { methodNotAllowed, withOrgRoute } from "@/lib/auth/org-route";
import { AppError } from "@/lib/errors";
import { deploymentHostMap } from "@/lib/deployment";
import { validateTenant } from "@/lib/microsoft/endpoints";
import { lookUpTenantCloud } from "@/lib/microsoft/cloud-detection";
import { diagnoseAadsts } from "@/lib/diagnosis/catalog";

export const dynamic = "force-dynamic";

export const POST = withOrgRoute(
  { permission: "integrations.write", params: z.object({}), body: z.object({ tenant: z.string().max(256) }) },
  async ({ body }) => {
    const t = validateTenant(body.tenant);
    if (!t.ok) throw new AppError("invalid_input", `Tenant: ${t.message}`, "tenant");
    const lookup = await lookUpTenantCloud(t.tenant, { hostMap: deploymentHostMap() });
    // An unknown tenant is explained as the check would explain AADSTS90002, from the one catalog.
    const answer = lookup.kind === "not-found" ? { ...lookup, diagnosis: diagnoseAadsts(lookup.aadsts) } : lookup;
    return Response.json(answer, { headers: { "Cache-Control": "no-store" } });
  },
);

export const GET = methodNotAllowed(["POST"]);
