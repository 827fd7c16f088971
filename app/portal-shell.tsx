import { PortalHeader } from "@/components/portal/header";
import { signOutAction, signOutEverywhereAction } from "./session-actions";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { listOrgsForUser } from "@/lib/orgs/orgs";
import type { CurrentUser } from "@/lib/auth/guards";

/** The page frame for signed-in pages: header plus main content. */
export async function PortalShell({ user, currentSlug, children }: { user: CurrentUser; currentSlug?: string; children: React.ReactNode }) {
  const orgs = await listOrgsForUser(await db(), user.id);
  const current = orgs.find((o) => o.slug === currentSlug);
  return (
    <>
      <PortalHeader user={user} orgs={orgs} current={current} support={user.platformRole === "SUPPORT"} demo={env().MAILGRANT_DEMO === "1"} signOut={signOutAction} signOutEverywhere={signOutEverywhereAction} />
      <main id="main" className="mx-auto max-w-6xl px-4 py-8">{children}</main>
    </>
  );
}
