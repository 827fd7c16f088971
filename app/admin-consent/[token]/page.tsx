import type { Metadata } from "next";
import { db } from "@/lib/db";
import { linkSigningSecret } from "@/lib/deployment";
import { verifyAdminConsentToken } from "@/lib/connections/links";
import { getIntegration } from "@/lib/integrations/integrations";
import { orgNameById } from "@/lib/orgs/orgs";
import { requestedScopesOf } from "@/lib/connections/consent";
import { PublicPage } from "@/components/connections/public-page";
import { StartWithMicrosoft } from "@/components/connections/start-button";
import { Notice } from "@/components/ui/card";
import { startLinkAdminConsentAction } from "./actions";

export const metadata: Metadata = { title: "Grant admin consent", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

/** For the Microsoft 365 administrator an org admin forwarded the link to. */
export default async function AdminConsentLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const verified = await verifyAdminConsentToken(linkSigningSecret(), token);
  const database = await db();
  const integration = verified.ok ? await getIntegration(database, verified.orgId, verified.integrationId) : null;
  const orgName = verified.ok ? await orgNameById(database, verified.orgId) : null;
  if (!verified.ok || !integration || !orgName) {
    return (
      <PublicPage>
        <Notice tone="error" title={verified.ok ? "This link's integration was removed" : verified.problem === "expired" ? "This admin consent link has expired" : "This admin consent link is not valid"}>
          Ask the person who sent it for a new link.
        </Notice>
      </PublicPage>
    );
  }
  const scopes = requestedScopesOf(integration).scopes.filter((s) => s.resource !== "openid");
  return (
    <PublicPage>
      <h1 className="text-xl font-semibold">Grant admin consent for {integration.name}</h1>
      <p className="text-sm text-slate-700">
        <strong>{orgName}</strong> asks a Microsoft 365 administrator of your organization to consent, for everyone in it, to these delegated permissions of app <code className="text-xs">{integration.clientId}</code>:
      </p>
      <ul className="divide-y divide-slate-100 text-sm">
        {scopes.map((s) => <li key={s.scope} className="py-1.5"><code className="font-mono text-xs">{s.scope}</code><span className="block text-xs text-slate-600">{s.meaning}</span></li>)}
      </ul>
      <p className="text-xs text-slate-600">Each mailbox still signs in itself; admin consent only removes the consent prompt. Sign in as a Global Administrator, Privileged Role Administrator or Cloud Application Administrator.</p>
      <StartWithMicrosoft token={token} label="Grant admin consent with Microsoft" action={startLinkAdminConsentAction} />
    </PublicPage>
  );
}
