import { requireSupport } from "@/lib/auth/guards";
import { PortalShell } from "@/app/portal-shell";
import { SupportNav } from "./support-nav";

// Read-only cross-org console. Not a member of anything here: support sees health, never secrets.
export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const user = await requireSupport();
  return (
    <PortalShell user={user}>
      <div className="mb-6 space-y-3">
        <p className="text-sm font-medium text-amber-800">Support console · read-only</p>
        <SupportNav />
      </div>
      {children}
    </PortalShell>
  );
}
