import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getIntegration } from "@/lib/integrations/integrations";
import { allowCustomHosts, connectionRedirectUri } from "@/lib/deployment";
import { IntegrationForm } from "@/components/integrations/integration-form";
import { Notice } from "@/components/ui/card";
import type { CloudId } from "@/lib/microsoft/clouds";
import type { TenantMode } from "@/lib/microsoft/endpoints";
import type { Purpose } from "@/lib/microsoft/scopes";
import { updateIntegrationAction } from "../../actions";

export const metadata: Metadata = { title: "Edit integration" };

export default async function EditIntegrationPage({ params }: { params: Promise<{ slug: string; id: string }> }) {
  const { slug, id } = await params;
  const ctx = await requireOrg(slug);
  const i = await getIntegration(await db(), ctx.org.id, id);
  if (!i) notFound();
  if (!ctx.can("integrations.write")) return <Notice tone="error" title="Owners and admins only">Ask an owner or admin of {ctx.org.name} to change this integration.</Notice>;
  return (
    <div className="space-y-4">
      <h2 className="text-xl font-semibold">Edit {i.name}</h2>
      <Notice>Changing the cloud, tenant, app, purposes, scopes or endpoints means every mailbox connected through this integration must consent again.</Notice>
      <IntegrationForm
        slug={slug}
        integrationId={i.id}
        redirectUri={connectionRedirectUri()}
        allowCustomHosts={allowCustomHosts()}
        action={updateIntegrationAction}
        defaults={{ name: i.name, cloud: i.cloud as CloudId, tenantMode: i.tenantMode as TenantMode, tenant: i.tenant ?? "", clientId: i.clientId, purposes: i.purposes as Purpose[], extraScopes: i.extraScopes.join(" "), authorizeEndpoint: i.authorizeEndpoint ?? "", tokenEndpoint: i.tokenEndpoint ?? "" }}
      />
    </div>
  );
}
