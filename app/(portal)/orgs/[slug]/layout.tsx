import { requireOrg } from "@/lib/auth/guards";
import { PortalShell } from "@/app/portal-shell";
import { TabNav } from "@/components/ui/tab-nav";

export default async function OrgLayout({ children, params }: { children: React.ReactNode; params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const tabs = [
    { href: `/orgs/${slug}`, label: "Overview", exact: true },
    { href: `/orgs/${slug}/integrations`, label: "Integrations" },
    { href: `/orgs/${slug}/mailboxes`, label: "Mailboxes" },
    { href: `/orgs/${slug}/members`, label: "Members" },
    ...(ctx.can("api_keys.manage") ? [{ href: `/orgs/${slug}/api-keys`, label: "API keys" }] : []),
    ...(ctx.can("audit.read") ? [{ href: `/orgs/${slug}/audit`, label: "Audit log" }] : []),
    { href: `/orgs/${slug}/settings`, label: "Settings" },
  ];
  return (
    <PortalShell user={ctx.user} currentSlug={slug}>
      <div className="mb-6">
        <p className="text-sm text-slate-600">Organization</p>
        <h1 className="text-2xl font-semibold">{ctx.org.name}</h1>
      </div>
      <TabNav label="Organization sections" tabs={tabs} />
      <div className="mt-6">{children}</div>
    </PortalShell>
  );
}
