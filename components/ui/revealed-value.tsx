"use client";
import { useRef, useState } from "react";

async function copy(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through: the clipboard API needs a secure context and permission
  }
  input?.select();
  return document.execCommand?.("copy") ?? false;
}

/** A value shown once (a link with a token in it): read-only, selected on focus, with a Copy button. */
export function RevealedValue({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState<"no" | "yes" | "failed">("no");
  const input = useRef<HTMLInputElement>(null);
  return (
    <div className="mt-2 flex gap-2">
      <input ref={input} aria-label={label} readOnly value={value} className="w-full min-w-0 rounded border border-green-300 bg-white px-2 py-1 font-mono text-xs" onFocus={(e) => e.currentTarget.select()} />
      <button
        type="button"
        className="shrink-0 rounded-md border border-green-400 bg-white px-3 py-1 text-sm font-medium text-green-900 hover:bg-green-100"
        onClick={async () => {
          setCopied((await copy(value, input.current)) ? "yes" : "failed");
          setTimeout(() => setCopied("no"), 2500);
        }}
      >
        {copied === "yes" ? "Copied" : "Copy"}
      </button>
      <span role="status" className="sr-only">{copied === "yes" ? `${label} copied to the clipboard` : copied === "failed" ? "Copying failed: select the text and copy it" : ""}</span>
    </div>
  );
}
