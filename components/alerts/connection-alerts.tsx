import type { ConnectionAlert } from "@/lib/alerts/history";
import { RelativeTime } from "@/components/connections/health-badge";
import { exactTime } from "@/lib/checks/health-words";

// The mailbox page's list of alerts this connection caused, and what each channel did with them.

const OUTCOME = {
  DELIVERED: { mark: "✓", words: "delivered", cls: "text-green-800" },
  PENDING: { mark: "…", words: "retrying", cls: "text-amber-800" },
  FAILED: { mark: "✗", words: "failed", cls: "text-red-800" },
  SKIPPED: { mark: "–", words: "skipped (channel paused)", cls: "text-slate-600" },
} as const;

export function ConnectionAlerts({ alerts, now }: { alerts: ConnectionAlert[]; now: Date }) {
  if (alerts.length === 0) return <p className="text-sm text-slate-600">No alert yet. When this mailbox starts failing, recovers or is about to stop working, the org&apos;s notification channels are told and it shows here.</p>;
  return (
    <ul className="divide-y divide-slate-100 text-sm" aria-label="Alerts for this mailbox">
      {alerts.map((a) => (
        <li key={a.id} className="space-y-1 py-2">
          <div className="flex flex-wrap justify-between gap-x-3 gap-y-1">
            <span><span className="font-medium">{a.label}</span>{a.summary ? <span className="text-slate-700">: {a.summary}</span> : null}</span>
            <span className="text-xs text-slate-600"><RelativeTime at={a.createdAt} now={now} /> · {exactTime(a.createdAt)}</span>
          </div>
          {a.inDigest ? <p className="text-xs text-slate-600">Sent as part of a tenant digest: five or more mailboxes of the tenant failed together.</p> : null}
          {a.deliveries.length ? (
            <ul className="flex flex-wrap gap-x-4 gap-y-0.5 text-xs" aria-label="Deliveries">
              {a.deliveries.map((d) => {
                const o = OUTCOME[d.status];
                return (
                  <li key={d.id} className={o.cls}>
                    <span aria-hidden="true">{o.mark} </span>
                    {d.channelName} ({d.channelKind === "WEBHOOK" ? "webhook" : "email"}): {o.words}
                    {d.lastStatusCode !== null && d.status !== "SKIPPED" ? `, ${d.lastStatusCode}` : ""}
                    {d.attempts > 1 ? `, ${d.attempts} attempts` : ""}
                    {d.status === "PENDING" && d.nextAttemptAt ? <span>, next <RelativeTime at={d.nextAttemptAt} now={now} /></span> : null}
                  </li>
                );
              })}
            </ul>
          ) : !a.inDigest ? <p className="text-xs text-slate-600">No channel takes this event.</p> : null}
        </li>
      ))}
    </ul>
  );
}
