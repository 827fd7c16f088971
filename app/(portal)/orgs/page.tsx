import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listInvitationsForEmail, } from "@/lib/invitations/invitations";
import { listOrgsForUser } from "@/lib/orgs/orgs";
import { PortalShell } from "@/app/portal-shell";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { AcceptInvitationButton } from "./accept-invitation";

export const metadata: Metadata = { title: "Organizations" };

export default async function OrgsPage() {
  const user = await requireUser("/orgs");
  const prisma = await db();
  const [orgs, invitations] = await Promise.all([listOrgsForUser(prisma, user.id), listInvitationsForEmail(prisma, user.email)]);
  // Support staff without an org of their own work in the console, not on "create an organization".
  if (user.platformRole === "SUPPORT" && orgs.length === 0 && invitations.length === 0) redirect("/support");
  return (
    <PortalShell user={user}>
      <div className="mb-6 flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-2xl font-semibold">Organizations</h1>
        <ButtonLink href="/orgs/new">New organization</ButtonLink>
      </div>
      <div className="space-y-6">
        {invitations.length > 0 ? (
          <Card title="Invitations for you" description={`Addressed to ${user.email}.`}>
            <ul className="divide-y divide-slate-200">
              {invitations.map((inv) => (
                <li key={inv.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
                  <span className="text-sm">
                    Join <strong>{inv.org.name}</strong> as <Badge tone="blue">{ROLE_LABELS[inv.role]}</Badge>
                  </span>
                  <AcceptInvitationButton invitationId={inv.id} orgName={inv.org.name} />
                </li>
              ))}
            </ul>
          </Card>
        ) : null}
        {orgs.length === 0 ? (
          <EmptyState title="You are not in an organization yet" action={<ButtonLink href="/orgs/new">Create an organization</ButtonLink>}>
            Create one for your company to register its Azure app and connect mailboxes, or ask a colleague who already uses Mailgrant to invite {user.email}.
          </EmptyState>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2">
            {orgs.map((o) => (
              <li key={o.id}>
                <Link href={`/orgs/${o.slug}`} className="block rounded-lg border border-slate-200 bg-white p-5 shadow-sm hover:border-brand-600">
                  <span className="flex items-center justify-between">
                    <span className="font-semibold">{o.name}</span>
                    <Badge>{ROLE_LABELS[o.role]}</Badge>
                  </span>
                  <span className="mt-1 block text-sm text-slate-600">/orgs/{o.slug}</span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </div>
    </PortalShell>
  );
}
