import type { ButtonHTMLAttributes } from "react";
import { MicrosoftLogo } from "@/components/microsoft-logo";

/** Microsoft's "Sign in with Microsoft" button look, for forms that start a consent flow. */
export function MicrosoftButton({ children = "Sign in with Microsoft", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="submit"
      className={`inline-flex items-center justify-center gap-3 rounded-md border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 disabled:opacity-60 ${className}`}
      {...props}
    >
      <MicrosoftLogo />
      {children}
    </button>
  );
}
