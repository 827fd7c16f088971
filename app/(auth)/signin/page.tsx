import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/guards";
import { MicrosoftSignInButton } from "@/components/microsoft-sign-in";
import { Logo } from "@/components/logo";
import { safeReturnPath } from "@/lib/safe-redirect";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const returnTo = safeReturnPath(params.callbackUrl);
  if (await currentUser()) redirect(returnTo);
  const demo = env().MAILGRANT_DEMO === "1";
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm space-y-6 rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
        <Logo />
        <div>
          <h1 className="text-xl font-semibold">Sign in to Mailgrant</h1>
          <p className="mt-1 text-sm text-slate-600">Use your Microsoft work or school account.</p>
        </div>
        <MicrosoftSignInButton redirectTo={returnTo} />
        {demo ? (
          <p className="rounded-md bg-amber-50 px-3 py-2 text-xs text-amber-900">
            Demo mode: sign-in goes to the built-in Microsoft emulator. Pick any demo account there, e.g. adele@contoso.onmicrosoft.com.
          </p>
        ) : null}
      </div>
    </main>
  );
}
