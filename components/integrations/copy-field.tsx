"use client";
import { useState } from "react";

export function CopyField({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  const id = `copy-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">{label}</label>
      <div className="flex gap-2">
        <input id={id} readOnly value={value} className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
        <button type="button" className="rounded-md border border-slate-300 px-3 text-sm hover:bg-slate-100" onClick={async () => { await navigator.clipboard?.writeText(value); setCopied(true); setTimeout(() => setCopied(false), 2000); }}>
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}
