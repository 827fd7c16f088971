"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export type Tab = { href: string; label: string; /** Active on its own path only, not on the pages below it (an overview). */ exact?: boolean };

/**
 * A row of section tabs; the current one is marked with aria-current. `wrap` lets short labels
 * wrap onto a second line on a phone; otherwise the row scrolls inside its own box.
 */
export function TabNav({ label, tabs, wrap = false }: { label: string; tabs: Tab[]; wrap?: boolean }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className={`border-b border-slate-200 ${wrap ? "" : "overflow-x-auto"}`}>
      <ul className={`-mb-px flex ${wrap ? "flex-wrap gap-x-6 gap-y-1" : "gap-6 whitespace-nowrap"}`}>
        {tabs.map((t) => {
          const active = pathname === t.href || (!t.exact && pathname.startsWith(`${t.href}/`));
          return (
            <li key={t.href}>
              <Link
                href={t.href}
                aria-current={active ? "page" : undefined}
                className={`inline-block border-b-2 px-1 pb-3 text-sm font-medium ${active ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900"}`}
              >
                {t.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
