import { redirect } from "next/navigation";
import { currentUser } from "@/lib/auth/guards";
import { Logo } from "@/components/logo";
import { ButtonLink } from "@/components/ui/button";

export default async function Home() {
  if (await currentUser()) redirect("/orgs");
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center px-6">
      <Logo />
      <h1 className="mt-8 text-4xl font-semibold tracking-tight">Connect Microsoft 365 mailboxes to your software, and keep them connected.</h1>
      <p className="mt-4 text-lg text-slate-700">
        Register your Azure app once with a guided, checked setup, grant consent with &ldquo;Sign in with Microsoft&rdquo;, and see every mailbox&apos;s
        health, with a clear explanation and fix for every error, before mail stops.
      </p>
      <div className="mt-8"><ButtonLink href="/signin">Sign in with Microsoft</ButtonLink></div>
    </main>
  );
}
