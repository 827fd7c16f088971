"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

export function OrgNav({ tabs }: { tabs: { href: string; label: string }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Organization sections" className="overflow-x-auto border-b border-slate-200">
      <ul className="-mb-px flex gap-6 whitespace-nowrap">
        {tabs.map((t) => {
          // Overview is exact; other tabs stay active on their sub-pages.
          const active = pathname === t.href || (t.href.split("/").length > 3 && pathname.startsWith(`${t.href}/`));
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
