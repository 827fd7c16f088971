import type { Metadata } from "next";
import Link from "next/link";
import { diagnoseAadsts, diagnoseAuthError } from "@/lib/diagnosis/catalog";
import { Logo } from "@/components/logo";
import { buttonClass } from "@/components/ui/button";

export const metadata: Metadata = { title: "Sign-in problem" };

type Params = Record<string, string | string[] | undefined>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v)?.slice(0, 300);

export default async function AuthErrorPage({ searchParams }: { searchParams: Promise<Params> }) {
  const p = await searchParams;
  const aadsts = Number(one(p.aadsts));
  const d = Number.isInteger(aadsts) && aadsts > 0 ? diagnoseAadsts(aadsts) : diagnoseAuthError(one(p.error) ?? "Configuration");
  const details: [string, string | undefined][] = [
    ["Error", one(p.error)],
    ["Code", d.code],
    ["Microsoft's message", one(p.message)],
    ["Trace ID", one(p.trace)],
    ["Correlation ID", one(p.correlation)],
    ["Timestamp", one(p.timestamp)],
  ];
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-xl space-y-5 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Logo />
        <h1 className="text-xl font-semibold text-red-800">{d.title}</h1>
        <dl className="space-y-3 text-sm">
          <div><dt className="font-semibold">What happened</dt><dd className="text-slate-700">{d.meaning}</dd></div>
          <div><dt className="font-semibold">Likely cause</dt><dd className="text-slate-700">{d.cause}</dd></div>
          <div><dt className="font-semibold">What to do</dt><dd className="text-slate-700">{d.fix}</dd></div>
        </dl>
        <div className="flex flex-wrap gap-3">
          <Link href="/signin" className={buttonClass("primary")}>Try again</Link>
          {d.docs ? <a href={d.docs} className={buttonClass("secondary")} rel="noreferrer">Microsoft&apos;s explanation</a> : null}
        </div>
        <details className="rounded-md bg-slate-50 p-3 text-xs">
          <summary className="cursor-pointer font-medium">Details for a support ticket</summary>
          <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1">
            {details.filter(([, v]) => v).map(([k, v]) => (
              <div key={k} className="contents"><dt className="text-slate-600">{k}</dt><dd className="break-all font-mono">{v}</dd></div>
            ))}
          </dl>
        </details>
      </div>
    </main>
  );
}
