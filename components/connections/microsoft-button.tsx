import type { ButtonHTMLAttributes } from "react";

/** Microsoft's "Sign in with Microsoft" button look, for forms that start a consent flow. */
export function MicrosoftButton({ children = "Sign in with Microsoft", className = "", ...props }: ButtonHTMLAttributes<HTMLButtonElement>) {
  return (
    <button
      type="submit"
      className={`inline-flex items-center justify-center gap-3 rounded-md border border-slate-300 bg-white px-4 py-2.5 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-50 disabled:opacity-60 ${className}`}
      {...props}
    >
      <svg aria-hidden="true" viewBox="0 0 21 21" className="h-5 w-5">
        <rect x="1" y="1" width="9" height="9" fill="#f25022" />
        <rect x="11" y="1" width="9" height="9" fill="#7fba00" />
        <rect x="1" y="11" width="9" height="9" fill="#00a4ef" />
        <rect x="11" y="11" width="9" height="9" fill="#ffb900" />
      </svg>
      {children}
    </button>
  );
}
