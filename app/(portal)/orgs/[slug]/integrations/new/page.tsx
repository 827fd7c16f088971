import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { allowCustomHosts, connectionRedirectUri } from "@/lib/deployment";
import { IntegrationForm } from "@/components/integrations/integration-form";
import { Notice } from "@/components/ui/card";
import { createIntegrationAction } from "../actions";

export const metadata: Metadata = { title: "New integration" };

export default async function NewIntegrationPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  if (!ctx.can("integrations.write")) return <Notice tone="error" title="Owners and admins only">Ask an owner or admin of {ctx.org.name} to register the Azure app.</Notice>;
  return (
    <div className="space-y-4">
      <h2 className="text-xl font-semibold">New integration</h2>
      <p className="max-w-3xl text-sm text-slate-600">Five steps: where your tenant lives and who signs in, what the integration is for, what to do in the Azure portal, the app&apos;s credential, then a review. Nothing is saved until the last step; Back keeps what you entered.</p>
      <IntegrationForm
        slug={slug}
        redirectUri={connectionRedirectUri()}
        allowCustomHosts={allowCustomHosts()}
        action={createIntegrationAction}
        defaults={{ name: "", cloud: "global", tenantMode: "single", tenant: "", clientId: "", purposes: ["imap", "smtp"], extraScopes: "", authorizeEndpoint: "", tokenEndpoint: "" }}
      />
    </div>
  );
}
