import Link from "next/link";
import type { ChannelView } from "@/lib/alerts/channels";
import { EVENT_TYPES } from "@/lib/alerts/events";
import { Badge } from "@/components/ui/card";
import { RelativeTime } from "@/components/connections/health-badge";

// The Settings tab's list of notification channels: what each is, where it sends, which events,
// whether it is active, and how its last delivery went.

export const KIND_LABELS = { WEBHOOK: "Webhook", EMAIL: "Email" } as const;

/**
 * Members and viewers see where a webhook goes but not its full URL: receivers such as chat
 * incoming-webhooks put their credential in the path.
 */
export function webhookTarget(url: string | null, full: boolean): string {
  if (!url) return "—";
  if (full) return url;
  try {
    return `${new URL(url).origin}/…`;
  } catch {
    return "—";
  }
}

export function emailTarget(c: Pick<ChannelView, "includeAdmins" | "recipients">): string {
  const parts = [...(c.includeAdmins ? ["The org's owners and admins"] : []), ...c.recipients];
  return parts.length ? parts.join(", ") : "Nobody (add an address or include the owners and admins)";
}

export function ChannelStatus({ channel: c, now }: { channel: ChannelView; now: Date }) {
  if (c.status === "PAUSED") {
    return (
      <span className="text-amber-900">
        <Badge tone="amber">Paused</Badge> {c.pausedReason ?? "Paused by hand."}
        {c.pausedAt ? <span className="text-slate-600"> · <RelativeTime at={c.pausedAt} now={now} /></span> : null}
      </span>
    );
  }
  return (
    <span>
      <Badge tone="green">Active</Badge>
      {c.failingSince ? <span className="text-red-800"> Failing since <RelativeTime at={c.failingSince} now={now} />; it is paused if it keeps failing for 3 days.</span> : null}
    </span>
  );
}

export function LastDelivery({ channel: c, now }: { channel: ChannelView; now: Date }) {
  if (!c.lastDeliveryAt) return <span className="text-slate-600">No delivery yet</span>;
  return c.lastDeliveryOk ? (
    <span className="text-green-800"><span aria-hidden="true">✓ </span>Last delivery succeeded <RelativeTime at={c.lastDeliveryAt} now={now} /></span>
  ) : (
    <span className="text-red-800"><span aria-hidden="true">✗ </span>Last delivery failed <RelativeTime at={c.lastDeliveryAt} now={now} /></span>
  );
}

export function ChannelList({ slug, channels, canChange, now }: { slug: string; channels: ChannelView[]; canChange: boolean; now: Date }) {
  if (channels.length === 0) {
    return <p className="text-sm text-slate-600">No channel: nobody is told when a mailbox fails. {canChange ? "Add a webhook or an email channel below." : "Ask an owner or admin to add one."}</p>;
  }
  return (
    <ul className="divide-y divide-slate-200" aria-label="Notification channels">
      {channels.map((c) => (
        <li key={c.id} className="space-y-1 py-3 text-sm first:pt-0 last:pb-0">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            {canChange ? <Link href={`/orgs/${slug}/settings/channels/${c.id}`} className="font-medium text-brand-700 hover:underline">{c.name}</Link> : <span className="font-medium">{c.name}</span>}
            <Badge tone="blue">{KIND_LABELS[c.kind]}</Badge>
            <ChannelStatus channel={c} now={now} />
          </div>
          <p className={`text-slate-700 wrap-anywhere ${c.kind === "WEBHOOK" ? "font-mono text-xs" : ""}`}>{c.kind === "WEBHOOK" ? webhookTarget(c.url, canChange) : emailTarget(c)}</p>
          <p className="flex flex-wrap gap-x-3 text-xs text-slate-600">
            <span>{c.events.length === EVENT_TYPES.length ? "All events" : `${c.events.length} of ${EVENT_TYPES.length} events`}</span>
            <LastDelivery channel={c} now={now} />
          </p>
        </li>
      ))}
    </ul>
  );
}
