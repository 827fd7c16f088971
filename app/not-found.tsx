import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <p className="text-sm font-semibold text-brand-700">404</p>
        <h1 className="mt-2 text-2xl font-semibold">Page not found</h1>
        <p className="mt-2 text-sm text-slate-600">This page does not exist, or you do not have access to it. If a colleague sent you this link, ask them to invite you to their organization.</p>
        <Link href="/orgs" className={`${buttonClass("primary")} mt-6`}>Go to your organizations</Link>
      </div>
    </main>
  );
}
