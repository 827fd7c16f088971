import type { Metadata } from "next";
import { db } from "@/lib/db";
import { connectionRedirectUri, linkSigningSecret, publicUrl } from "@/lib/deployment";
import { getFlowForBrowser } from "@/lib/connections/flow-state";
import { readBrowserId } from "@/lib/connections/browser";
import { signAdminConsentToken } from "@/lib/connections/links";
import { scopeName } from "@/lib/connections/granted-scopes";
import type { Outcome } from "@/lib/connections/consent";
import { FailureView, needsAdminConsent } from "@/components/connections/failure-view";
import { PublicPage } from "@/components/connections/public-page";
import { CONSENT_LABELS } from "@/components/connections/status";
import { ButtonLink } from "@/components/ui/button";
import { Notice } from "@/components/ui/card";

export const metadata: Metadata = { title: "Mailbox connection" };
export const dynamic = "force-dynamic";

export default async function ConnectResultPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const flow = await getFlowForBrowser(await db(), id, await readBrowserId());
  const outcome = flow?.outcome as Outcome | null | undefined;
  if (!flow || !outcome) {
    return (
      <PublicPage>
        <Notice tone="error" title="There is no result to show here">This page shows the result of a mailbox connection in the browser that made it. Start again from the portal or from your consent link.</Notice>
      </PublicPage>
    );
  }
  const inPortal = Boolean(flow.startedById);
  const back = inPortal ? (
    <ButtonLink variant="secondary" href={flow.kind === "ADMIN_CONSENT" ? `/orgs/${flow.org.slug}/integrations/${flow.integration.id}` : `/orgs/${flow.org.slug}/mailboxes`}>
      {flow.kind === "ADMIN_CONSENT" ? "Back to the integration" : "Back to mailboxes"}
    </ButtonLink>
  ) : null;

  if (!outcome.ok) {
    const adminLink = needsAdminConsent(outcome.failure)
      ? `${publicUrl()}/admin-consent/${await signAdminConsentToken(linkSigningSecret(), { orgId: flow.orgId, integrationId: flow.integrationId })}`
      : undefined;
    return (
      <PublicPage>
        <FailureView failure={outcome.failure} redirectUri={connectionRedirectUri()} {...(adminLink ? { adminConsentLink: adminLink } : {})} />
        <p className="text-sm text-slate-600">{inPortal ? "Nothing was stored. You can try again from the portal." : "Nothing was stored. You can open your consent link again to retry."}</p>
        {back}
      </PublicPage>
    );
  }

  if (outcome.kind === "admin_consent") {
    return (
      <PublicPage>
        <h1 className="text-xl font-semibold text-green-800">{outcome.verification === "installed" ? "Admin consent granted" : "Microsoft reported admin consent"}</h1>
        <p className="text-sm text-slate-700">
          An administrator of tenant <code className="text-xs">{outcome.tenant}</code> consented, for everyone in it, to {flow.integration.name} of {flow.org.name}; mailboxes of that tenant should now connect without a consent prompt.
        </p>
        <p className="text-sm text-slate-700">
          {outcome.verification === "installed" ? "Verified: " : "Not verified: "}
          {outcome.verificationDetail}
        </p>
        <ul className="list-inside list-disc text-sm text-slate-700">{outcome.scopes.map((s) => <li key={s}>{scopeName(s)}</li>)}</ul>
        {back}
      </PublicPage>
    );
  }

  return (
    <PublicPage>
      <h1 className="text-xl font-semibold text-green-800">{outcome.updated ? "Mailbox reconnected" : "Mailbox connected"}</h1>
      <p className="text-sm text-slate-700">
        <strong>{outcome.mailbox}</strong> is connected to {flow.org.name} through {flow.integration.name}. Signed in as {outcome.signedInAs} ({CONSENT_LABELS[outcome.consentType as keyof typeof CONSENT_LABELS] ?? outcome.consentType}).
      </p>
      {outcome.missingScopes.length ? (
        <Notice tone="error" title="Some permissions were not granted">
          Missing: {outcome.missingScopes.map(scopeName).join(", ")}. The features that need them will fail until they are added to the app in Azure and consented again.
        </Notice>
      ) : null}
      {inPortal ? (
        <div className="flex gap-2">
          <ButtonLink href={`/orgs/${flow.org.slug}/mailboxes/${outcome.connectionId}`}>Open the mailbox</ButtonLink>
          {back}
        </div>
      ) : (
        <p className="text-sm text-slate-600">You can close this page. To withdraw access later, remove the app under <a className="text-brand-700 underline" href="https://myapps.microsoft.com">My Apps</a> or ask {flow.org.name}.</p>
      )}
    </PublicPage>
  );
}
