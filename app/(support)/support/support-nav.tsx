"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

// The support console's own tabs. Short labels that wrap onto a second line on a narrow phone
// rather than scroll out of sight.

const TABS = [
  { href: "/support", label: "Fleet", exact: true },
  { href: "/support/connections", label: "Connections", exact: false },
  { href: "/support/orgs", label: "Organizations", exact: false },
] as const;

export function SupportNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Support console" className="border-b border-slate-200">
      <ul className="-mb-px flex flex-wrap gap-x-6 gap-y-1">
        {TABS.map((t) => {
          const active = t.exact ? pathname === t.href : pathname === t.href || pathname.startsWith(`${t.href}/`);
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
