import { requireSupport } from "@/lib/auth/guards";
import { PortalShell } from "@/app/portal-shell";

// Read-only cross-org console. Not a member of anything here: support sees health, never secrets.
export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const user = await requireSupport();
  return (
    <PortalShell user={user}>
      <p className="mb-1 text-sm font-medium text-amber-800">Support console · read-only</p>
      {children}
    </PortalShell>
  );
}
