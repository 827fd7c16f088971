import type { Metadata } from "next";
import { currentUser } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { findInvitationByToken, invitationProblem } from "@/lib/invitations/invitations";
import { MicrosoftSignInButton } from "@/components/microsoft-sign-in";
import { Logo } from "@/components/logo";
import { Notice } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { AcceptByTokenForm } from "./accept-form";

export const metadata: Metadata = { title: "Invitation" };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const [user, invitation] = await Promise.all([currentUser(), findInvitationByToken(await db(), token)]);
  const here = `/invite/${encodeURIComponent(token)}`;
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-md space-y-5 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Logo />
        {!invitation ? (
          <Notice tone="error" title="This invitation link is not valid">Check that you copied the whole link, or ask an admin of the org for a new one.</Notice>
        ) : (
          <>
            <h1 className="text-xl font-semibold">Join {invitation.org.name}</h1>
            <p className="text-sm text-slate-700">
              You are invited as <strong>{ROLE_LABELS[invitation.role]}</strong>. The invitation is for <strong>{invitation.email}</strong>.
            </p>
            {!user ? (
              <MicrosoftSignInButton redirectTo={here} label="Sign in with Microsoft to accept" />
            ) : (
              (() => {
                const problem = invitationProblem(invitation, user.email);
                return problem ? <Notice tone="error" title="You can't accept this invitation">{problem}</Notice> : <AcceptByTokenForm token={token} orgName={invitation.org.name} />;
              })()
            )}
          </>
        )}
      </div>
    </main>
  );
}
