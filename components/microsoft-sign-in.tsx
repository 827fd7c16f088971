import { signIn } from "@/auth";
import { MicrosoftLogo } from "@/components/microsoft-logo";

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
        <MicrosoftLogo />
        {label}
      </button>
    </form>
  );
}
