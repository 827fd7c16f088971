import type { WizardWarning } from "@/lib/microsoft/endpoints";

const TONE = {
  error: { box: "border-red-300 bg-red-50 text-red-950", label: "Error", mark: "✗", markTone: "text-red-700" },
  warning: { box: "border-amber-300 bg-amber-50 text-amber-950", label: "Warning", mark: "!", markTone: "text-amber-800" },
  info: { box: "border-slate-200 bg-slate-50 text-slate-800", label: "Note", mark: "i", markTone: "text-slate-600" },
} as const;

/**
 * Configuration notices, errors above warnings above notes (the caller passes them ordered).
 * With `acknowledge`, each warning carries the "I understand" box the save requires.
 */
export function WizardNotices({ notices, label, acknowledge, acknowledged = [], ackError }: { notices: WizardWarning[]; label: string; acknowledge?: boolean; acknowledged?: string[]; ackError?: string }) {
  if (!notices.length) return null;
  const firstOpen = acknowledge && ackError ? notices.find((w) => w.level === "warning" && !acknowledged.includes(w.code))?.code : undefined;
  return (
    <ul className="space-y-2" aria-label={label}>
      {notices.map((w) => {
        const t = TONE[w.level];
        const needsAck = acknowledge && w.level === "warning";
        const describe = needsAck && w.code === firstOpen;
        return (
          <li key={w.code} className={`rounded-md border px-4 py-3 text-sm ${t.box}`}>
            <p className="flex gap-2">
              <span aria-hidden="true" className={`w-3 shrink-0 font-bold ${t.markTone}`}>{t.mark}</span>
              <span><span className="font-semibold">{t.label}: </span>{w.message}</span>
            </p>
            {needsAck ? (
              <label className="mt-2 flex items-center gap-2 pl-5 font-medium">
                <input type="checkbox" name="acknowledged" value={w.code} defaultChecked={acknowledged.includes(w.code)} aria-invalid={describe ? true : undefined} aria-describedby={describe ? "field-acknowledged-error" : undefined} />
                I understand; save with this configuration anyway
              </label>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
