import type { Metadata } from "next";
import { db } from "@/lib/db";
import { linkSigningSecret } from "@/lib/deployment";
import { openConsentLink } from "@/lib/connections/links";
import { PURPOSE_LABELS } from "@/lib/integrations/purposes";
import type { Purpose } from "@/lib/microsoft/scopes";
import { PublicPage } from "@/components/connections/public-page";
import { StartWithMicrosoft } from "@/components/connections/start-button";
import { Notice } from "@/components/ui/card";
import { markConsentLinkOpenedAction, startLinkConsentAction } from "./actions";
import { MarkOpened } from "@/components/connections/mark-opened";

export const metadata: Metadata = { title: "Connect your mailbox", referrer: "no-referrer" };
export const dynamic = "force-dynamic";

const PROBLEMS = {
  invalid: { title: "This link is not valid", text: "Check that you copied the whole link, or ask the organization that sent it for a new one." },
  expired: { title: "This link has expired", text: "Consent links work for 7 days. Ask the organization that sent it for a new one." },
  used: { title: "This link was already used", text: "The mailbox is connected. If you need to connect it again, ask the organization for a new link." },
  revoked: { title: "This link was withdrawn", text: "The organization withdrew it, or sent a newer one: use the newest link you received." },
} as const;

/** What a mailbox owner sees: who asks, for which mailbox, for what access, in plain words. */
export default async function ConsentLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  // A GET renders without side effects: mail scanners and link previews fetch links too.
  const opened = await openConsentLink(await db(), linkSigningSecret(), token, new Date(), { markOpened: false });
  if (!opened.ok) {
    const p = PROBLEMS[opened.problem];
    return (
      <PublicPage>
        <Notice tone="error" title={p.title}>{p.text}{"link" in opened && opened.link ? ` (${opened.link.org.name}, ${opened.link.mailbox})` : ""}</Notice>
      </PublicPage>
    );
  }
  const { link } = opened;
  const shared = link.mailboxKind === "SHARED";
  return (
    <PublicPage>
      <h1 className="text-xl font-semibold">Connect {shared ? "a shared mailbox" : "your mailbox"} to {link.org.name}</h1>
      <p className="text-sm text-slate-700">
        <strong>{link.org.name}</strong> asks for access to <strong>{link.mailbox}</strong> for <strong>{link.integration.name}</strong>.
        {shared ? " It is a shared mailbox: sign in with your own account, which must have Full Access to it." : " Sign in with that mailbox's Microsoft account."}
      </p>
      <div>
        <h2 className="text-sm font-semibold text-slate-900">It will be able to</h2>
        <ul className="mt-1 list-inside list-disc text-sm text-slate-700">
          {(link.integration.purposes as Purpose[]).map((p) => <li key={p}>{PURPOSE_LABELS[p]?.label ?? p}: {PURPOSE_LABELS[p]?.description}</li>)}
          <li>Keep this access until you or your admin remove it (Microsoft calls this “Maintain access to data you have given it access to”).</li>
        </ul>
      </div>
      <p className="text-xs text-slate-600">Microsoft shows you the exact permissions next and lets you accept or cancel. Mailgrant never sees your password.</p>
      <StartWithMicrosoft token={token} label="Sign in with Microsoft" action={startLinkConsentAction} />
      <MarkOpened token={token} action={markConsentLinkOpenedAction} />
      <p className="text-xs text-slate-500">This link works once and expires {link.expiresAt.toISOString().slice(0, 10)}.</p>
    </PublicPage>
  );
}
