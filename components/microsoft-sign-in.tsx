import { signIn } from "@/auth";

/** A plain form posting to a server action, so it works without JavaScript too. */
export function MicrosoftSignInButton({ redirectTo, label = "Sign in with Microsoft" }: { redirectTo: string; label?: string }) {
  return (
    <form
      action={async () => {
        "use server";
        await signIn("microsoft-entra-id", { redirectTo });
      }}
    >
      <button type="submit" className="inline-flex w-full items-center justify-center gap-3 rounded-md border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50">
        <svg aria-hidden="true" viewBox="0 0 21 21" className="h-5 w-5">
          <rect x="1" y="1" width="9" height="9" fill="#f25022" />
          <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
          <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
          <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
        </svg>
        {label}
      </button>
    </form>
  );
}
