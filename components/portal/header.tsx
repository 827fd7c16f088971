import Link from "next/link";
import { Logo } from "@/components/logo";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import type { Role } from "@/lib/auth/permissions";
import type { FormAction } from "@/components/ui/action-form";
import { SignOutButtons } from "./sign-out-buttons";

type OrgLink = { slug: string; name: string; role: Role };

/** Top bar: org switcher and user menu. Menus are <details>, so they work without JavaScript. */
/** `demo`: demo mode, where mail lands in the outbox page instead of being sent. */
export function PortalHeader({ user, orgs, current, support, demo = false, signOut, signOutEverywhere }: { user: { name: string; email: string }; orgs: OrgLink[]; current?: OrgLink; support: boolean; demo?: boolean; signOut: FormAction; signOutEverywhere: FormAction }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl items-center justify-between gap-4 px-4 py-3">
        <div className="flex items-center gap-4">
          <Link href="/orgs" aria-label="Mailgrant home"><Logo /></Link>
          <details className="relative">
            <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50" aria-label={`Switch organization: ${current ? current.name : "Organizations"}`}>
              {current ? current.name : "Organizations"}
              <span aria-hidden="true">▾</span>
            </summary>
            <nav aria-label="Organizations" className="fixed inset-x-4 top-14 z-20 rounded-md sm:absolute sm:inset-x-auto sm:left-0 sm:top-auto sm:mt-1 sm:w-72 border border-slate-200 bg-white p-1 shadow-lg">
              <ul>
                {orgs.map((o) => (
                  <li key={o.slug}>
                    <Link href={`/orgs/${o.slug}`} aria-current={o.slug === current?.slug ? "page" : undefined} className="flex items-center justify-between rounded px-3 py-2 text-sm hover:bg-slate-100 aria-[current=page]:bg-brand-50">
                      <span>{o.name}</span>
                      <span className="text-xs text-slate-600">{ROLE_LABELS[o.role]}</span>
                    </Link>
                  </li>
                ))}
              </ul>
              <div className="mt-1 border-t border-slate-200 pt-1">
                <Link href="/orgs/new" className="block rounded px-3 py-2 text-sm text-brand-700 hover:bg-slate-100">+ New organization</Link>
              </div>
            </nav>
          </details>
          {/* On a phone these links move into the account menu, so the bar keeps to one line. */}
          {support ? <Link href="/support" className="hidden text-sm font-medium text-slate-700 hover:underline sm:inline">Support console</Link> : null}
          {demo ? <Link href="/demo/outbox" className="hidden text-sm font-medium text-slate-700 hover:underline sm:inline">Demo outbox</Link> : null}
        </div>
        <details className="relative">
          <summary className="flex cursor-pointer list-none items-center gap-2 rounded-full px-2 py-1 text-sm hover:bg-slate-100" aria-label={`Account menu: ${user.name}`}>
            {/* The initials are drawn by CSS, not text: the menu's accessible name is then all the text it shows (WCAG 2.5.3). */}
            <span aria-hidden="true" data-initials={initials(user.name)} className="flex h-8 w-8 items-center justify-center rounded-full bg-brand-600 text-xs font-semibold text-white before:content-[attr(data-initials)]" />
            <span className="hidden sm:inline">{user.name}</span>
          </summary>
          <div className="absolute right-0 z-20 mt-1 w-64 rounded-md border border-slate-200 bg-white p-3 shadow-lg">
            <p className="text-sm font-medium">{user.name}</p>
            <p className="truncate text-xs text-slate-600">{user.email}</p>
            {support ? <Link href="/support" className="mt-3 block rounded px-1 py-1 text-sm text-brand-700 hover:bg-slate-100 sm:hidden">Support console</Link> : null}
            {demo ? <Link href="/demo/outbox" className="mt-3 block rounded px-1 py-1 text-sm text-brand-700 hover:bg-slate-100 sm:hidden">Demo outbox</Link> : null}
            <SignOutButtons signOut={signOut} signOutEverywhere={signOutEverywhere} />
          </div>
        </details>
      </div>
    </header>
  );
}

function initials(name: string) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((p) => p[0]!.toUpperCase()).join("") || "?";
}
