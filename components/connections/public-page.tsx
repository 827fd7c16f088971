import type { ReactNode } from "react";
import { Logo } from "@/components/logo";

/** A centered page for people who may have no portal account (mailbox owners, Microsoft 365 admins). */
export function PublicPage({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4 py-10">
      <div className="w-full max-w-xl space-y-5 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Logo />
        {children}
      </div>
    </main>
  );
}
