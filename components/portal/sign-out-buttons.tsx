"use client";
import { ActionForm, type FormAction } from "@/components/ui/action-form";

export function SignOutButtons({ signOut, signOutEverywhere }: { signOut: FormAction; signOutEverywhere: FormAction }) {
  return (
    <div className="mt-3 space-y-2">
      <ActionForm action={signOut} fields={{}} errorClassName="text-xs text-red-700">
        {({ pending }) => <button type="submit" disabled={pending} className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">Sign out</button>}
      </ActionForm>
      <ActionForm action={signOutEverywhere} fields={{}} confirm="Sign out of Mailgrant in every browser, including this one?" errorClassName="text-xs text-red-700">
        {({ pending }) => <button type="submit" disabled={pending} className="w-full rounded-md px-3 py-1.5 text-xs text-slate-700 hover:bg-slate-100">Sign out everywhere</button>}
      </ActionForm>
    </div>
  );
}
