import { requireSupport } from "@/lib/auth/guards";
import { PortalShell } from "@/app/portal-shell";
import { TabNav } from "@/components/ui/tab-nav";

// The console's tabs: short labels that wrap onto a second line on a narrow phone.
const TABS = [
  { href: "/support", label: "Fleet", exact: true },
  { href: "/support/connections", label: "Connections" },
  { href: "/support/orgs", label: "Organizations" },
];

// Read-only cross-org console. Not a member of anything here: support sees health, never secrets.
export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const user = await requireSupport();
  return (
    <PortalShell user={user}>
      <div className="mb-6 space-y-3">
        <p className="text-sm font-medium text-amber-800">Support console · read-only</p>
        <TabNav label="Support console" tabs={TABS} wrap />
      </div>
      {children}
    </PortalShell>
  );
}
