import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/guards";
import { PortalShell } from "@/app/portal-shell";
import { Card } from "@/components/ui/card";
import { CreateOrgForm } from "./create-org-form";

export const metadata: Metadata = { title: "New organization" };

export default async function NewOrgPage() {
  const user = await requireUser("/orgs/new");
  return (
    <PortalShell user={user}>
      <div className="mx-auto max-w-xl">
        <h1 className="mb-6 text-2xl font-semibold">New organization</h1>
        <Card description="An organization holds your company's Azure app registrations, mailbox connections and members. You will be its owner.">
          <CreateOrgForm tenantId={user.tenantId} />
        </Card>
      </div>
    </PortalShell>
  );
}
