import { exactTime, type Health, healthLabel, healthTone, nextCheckWords, protocolChips, relativeTime, type HealthTone, type ProtocolChip } from "@/lib/checks/health-words";

// Health beside consent: does the mailbox work now? Words first, colour and a mark to back them
// (never colour alone); the reason is in the title and, where there is room, on a line beside.

const TONES: Record<HealthTone, { chip: string; mark: string; text: string }> = {
  green: { chip: "border-green-300 bg-green-50 text-green-900", mark: "✓", text: "text-green-900" },
  amber: { chip: "border-amber-300 bg-amber-50 text-amber-900", mark: "!", text: "text-amber-900" },
  red: { chip: "border-red-300 bg-red-50 text-red-900", mark: "✗", text: "text-red-900" },
  slate: { chip: "border-slate-300 bg-slate-50 text-slate-700", mark: "○", text: "text-slate-700" },
};

export type HealthFields = { health: Health; healthClass: string | null; healthReason: string | null };

export function HealthBadge({ health, healthClass, healthReason, size = "sm", showReason = false }: HealthFields & { size?: "sm" | "lg"; showReason?: boolean }) {
  const tone = TONES[healthTone(health)];
  const label = healthLabel(health, healthClass);
  const reason = healthReason ?? undefined;
  return (
    <span className={showReason ? "inline-flex max-w-full flex-col items-start gap-0.5" : "inline-flex"}>
      <span
        title={reason}
        data-health={health}
        className={`inline-flex items-center gap-1.5 whitespace-nowrap rounded-full border font-semibold ${tone.chip} ${size === "lg" ? "px-3 py-1 text-sm" : "px-2 py-0.5 text-xs"}`}
      >
        <span aria-hidden="true">{tone.mark}</span>
        <span>{label}</span>
      </span>
      {showReason && reason && health !== "HEALTHY" ? <span className={`text-xs ${tone.text} wrap-anywhere`}>{reason}</span> : null}
    </span>
  );
}

const CHIP: Record<string, string> = {
  OK: "border-green-300 bg-white text-green-900",
  FAILED: "border-red-300 bg-red-50 text-red-900",
  SKIPPED: "border-slate-300 bg-white text-slate-600",
  none: "border-dashed border-slate-300 bg-white text-slate-600",
};

/** "IMAP ✓", "SMTP ✗ smtp_auth_disabled", only for the protocols the integration uses. */
export function ProtocolChips({ chips }: { chips: ProtocolChip[] }) {
  if (chips.length === 0) return <span className="text-xs text-slate-600">—</span>;
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Protocol results">
      {chips.map((c) => (
        <li key={c.protocol} title={c.title} className={`rounded border px-1.5 py-0.5 font-mono text-[11px] leading-4 wrap-anywhere ${CHIP[c.result ?? "none"]}`}>
          <span aria-hidden="true">{c.text}</span>
          <span className="sr-only">{c.title}</span>
        </li>
      ))}
    </ul>
  );
}

export function ConnectionProtocolChips({ connection }: { connection: Parameters<typeof protocolChips>[0] }) {
  return <ProtocolChips chips={protocolChips(connection)} />;
}

/** "4 min ago", with the exact time in a title (and a machine-readable datetime). */
export function RelativeTime({ at, now, empty = "Never" }: { at: Date | null | undefined; now?: Date; empty?: string }) {
  if (!at) return <span className="text-slate-600">{empty}</span>;
  return <time dateTime={at.toISOString()} title={exactTime(at)}>{relativeTime(at, now)}</time>;
}

/** "in 12 min" or "due now", with the exact time in a title. */
export function NextCheck({ at, now }: { at: Date | null | undefined; now: Date }) {
  if (!at) return <span className="text-slate-600">Not scheduled</span>;
  return <time dateTime={at.toISOString()} title={exactTime(at)}>{nextCheckWords(at, now)}</time>;
}
