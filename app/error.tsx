"use client";
import { buttonClass } from "@/components/ui/button";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main id="main" className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center">
        <h1 className="text-2xl font-semibold">Something went wrong</h1>
        <p className="mt-2 text-sm text-slate-600">The page could not be shown because of an error on our side. Nothing you entered was lost on the server. Try again; if it keeps happening, contact support with the reference below.</p>
        {error.digest ? <p className="mt-3 font-mono text-xs text-slate-600">Reference: {error.digest}</p> : null}
        <button type="button" onClick={reset} className={`${buttonClass("primary")} mt-6`}>Try again</button>
      </div>
    </main>
  );
}
