// Everything under /orgs needs a signed-in user; each org's own layout checks membership.
export default function PortalLayout({ children }: { children: React.ReactNode }) {
  return <>{children}</>;
}
