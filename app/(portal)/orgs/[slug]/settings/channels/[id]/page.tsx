import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getChannel, listDeliveries, type DeliveryView } from "@/lib/alerts/channels";
import { EVENT_LABELS, type AnyEventType } from "@/lib/alerts/events";
import { exactTime, relativeTime } from "@/lib/checks/health-words";
import { formatDuration } from "@/lib/connections/step-view";
import { Badge, Card, Notice } from "@/components/ui/card";
import { ButtonLink } from "@/components/ui/button";
import { ChannelStatus, emailTarget, KIND_LABELS, LastDelivery } from "../../notifications";
import { VerifyHint } from "../../channel-forms";
import { DeleteChannelForm, DeliveryRow, EditChannelForm, PauseForm, RotateSecretForm, SendTestForm, type DeliveryRowView } from "./channel-forms";

export const metadata: Metadata = { title: "Notification channel" };

const PAGE = 25;
const COLUMNS = 6;
const cursorParam = z.string().min(1).max(200).optional().catch(undefined);

function row(d: DeliveryView, now: Date): DeliveryRowView {
  return {
    id: d.id,
    label: EVENT_LABELS[d.eventType as AnyEventType]?.label ?? d.eventType,
    type: d.eventType,
    when: relativeTime(d.eventAt, now),
    whenExact: exactTime(d.eventAt),
    attempts: d.attempts,
    statusCode: d.lastStatusCode,
    duration: d.lastDurationMs !== null ? formatDuration(d.lastDurationMs) : null,
    status: d.status,
    nextRetry: d.status === "PENDING" && d.nextAttemptAt ? `${relativeTime(d.nextAttemptAt, now)} (${exactTime(d.nextAttemptAt)})` : null,
    error: d.lastError,
    mailbox: d.mailbox,
    manual: d.manual,
  };
}

export default async function ChannelPage({ params, searchParams }: { params: Promise<{ slug: string; id: string }>; searchParams: Promise<{ before?: string | string[] }> }) {
  const { slug, id } = await params;
  const before = cursorParam.parse((await searchParams).before);
  const ctx = await requireOrg(slug);
  if (!ctx.can("org.settings")) {
    return <Notice tone="error" title="Owners and admins only">Your role does not include notification channels. Ask an owner or admin of {ctx.org.name}.</Notice>;
  }
  if (!z.uuid().safeParse(id).success) notFound();
  const prisma = await db();
  const channel = await getChannel(prisma, ctx.org.id, id);
  if (!channel) notFound();
  const log = await listDeliveries(prisma, ctx.org.id, channel.id, { before, limit: PAGE });
  const now = new Date();
  const base = `/orgs/${slug}/settings/channels/${channel.id}`;
  const webhook = channel.kind === "WEBHOOK";
  const paused = channel.status === "PAUSED";
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm text-slate-600"><Link href={`/orgs/${slug}/settings#notifications`} className="hover:underline">Settings</Link> / Notifications /</p>
        <h2 className="text-xl font-semibold wrap-anywhere">{channel.name}</h2>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <Badge tone="blue">{KIND_LABELS[channel.kind]}</Badge>
          <ChannelStatus channel={channel} now={now} />
        </div>
        <p className={`mt-1 text-sm text-slate-700 wrap-anywhere ${webhook ? "font-mono text-xs" : ""}`}>{webhook ? channel.url : emailTarget(channel)}</p>
        <p className="mt-1 text-xs text-slate-600"><LastDelivery channel={channel} now={now} /></p>
      </div>

      <Card title="Send a test event" description={webhook ? "Posts a signed “test” event to the URL now and shows the request, the receiver's answer and how long it took. It appears in the delivery log." : "Sends a test email to the recipients now and shows what was sent and the mail server's answer. It appears in the delivery log."}>
        <SendTestForm slug={slug} id={channel.id} kind={channel.kind} paused={paused} />
      </Card>

      <Card title="Delivery log" description="Every event sent to this channel, newest first, with its attempts. A failed delivery is retried with backoff for about a day.">
        {log.deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">{before ? "No older deliveries." : "Nothing sent yet. Send a test event, or wait for a mailbox to change state."}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" aria-label="Delivery log">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th scope="col" className="py-2 pr-3">Event</th>
                  <th scope="col" className="py-2 pr-3 max-sm:hidden">When</th>
                  <th scope="col" className="py-2 pr-3 max-sm:hidden">Attempts</th>
                  <th scope="col" className="py-2 pr-3 max-sm:hidden">Last answer</th>
                  <th scope="col" className="py-2 pr-3">Status</th>
                  <th scope="col" className="py-2"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {log.deliveries.map((d) => <DeliveryRow key={d.id} slug={slug} d={row(d, now)} columns={COLUMNS} />)}
              </tbody>
            </table>
          </div>
        )}
        {before || log.next ? (
          <nav aria-label="Delivery log pages" className="mt-4 flex flex-wrap gap-3">
            {before ? <ButtonLink variant="ghost" href={base}>Newest</ButtonLink> : null}
            {log.next ? <ButtonLink variant="secondary" href={`${base}?before=${encodeURIComponent(log.next)}`}>Older</ButtonLink> : null}
          </nav>
        ) : null}
      </Card>

      <Card title="Edit" description={webhook ? "The name, URL and events. The signing secret stays; rotate it below." : "The name, recipients and events."}>
        <EditChannelForm slug={slug} channel={channel} />
      </Card>

      <div className={`grid gap-6 ${webhook ? "lg:grid-cols-3" : "lg:grid-cols-2"}`}>
        {webhook ? (
          <Card title="Signing secret" description="Rotating creates a new secret, shown once; the old one stops verifying at once.">
            <RotateSecretForm slug={slug} id={channel.id} name={channel.name} />
            <VerifyHint />
          </Card>
        ) : null}
        <Card title={paused ? "Resume" : "Pause"} description={paused ? "Send new events to this channel again. Events that happened while it was paused are in the log as skipped." : "Stop sending events to this channel for now; they are recorded as skipped. A channel failing for 3 days in a row is paused on its own."}>
          <PauseForm slug={slug} id={channel.id} paused={paused} />
        </Card>
        <Card title="Delete" description="Removes the channel and its delivery log. Events keep happening; nothing more is sent here.">
          <DeleteChannelForm slug={slug} id={channel.id} name={channel.name} />
        </Card>
      </div>
    </div>
  );
}
