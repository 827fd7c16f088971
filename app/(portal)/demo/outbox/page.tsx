import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { env } from "@/lib/env";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listOutbox } from "@/lib/mail/outbox";
import { PortalShell } from "@/app/portal-shell";
import { Card, EmptyState, Notice } from "@/components/ui/card";
import { RelativeTime } from "@/components/connections/health-badge";
import { exactTime } from "@/lib/checks/health-words";
import { LinkedText } from "./linked-text";

// Demo mode sends no mail: what the portal would have sent (alerts, consent links) is kept here.
// Outside demo mode the page does not exist.

export const metadata: Metadata = { title: "Demo outbox" };

const LIMIT = 100;

export default async function DemoOutboxPage() {
  if (env().MAILGRANT_DEMO !== "1") notFound();
  const user = await requireUser("/demo/outbox");
  const mails = await listOutbox(await db(), { limit: LIMIT });
  const now = new Date();
  return (
    <PortalShell user={user}>
      <div className="mb-6">
        <h1 className="text-2xl font-semibold">Demo outbox</h1>
      </div>
      <div className="space-y-6">
        <Notice tone="info">
          In demo mode the portal sends no mail. Email alerts and consent links it would have sent land here instead, newest first (the last {LIMIT}), for every organization of this demo. A real deployment sends them through <code className="font-mono text-xs">MAILGRANT_SMTP_URL</code>.
        </Notice>
        {mails.length === 0 ? (
          <EmptyState title="No mail yet">
            Send a test event to an email channel on an organization&apos;s Settings, or send a mailbox owner a consent link by email, and the message shows here.
          </EmptyState>
        ) : (
          <Card title="Messages" description={`${mails.length} message${mails.length === 1 ? "" : "s"}.`}>
            <ul className="divide-y divide-slate-200">
              {mails.map((m, i) => (
                <li key={m.id} className="py-3 first:pt-0 last:pb-0">
                  <article aria-label={m.subject} className="space-y-1 text-sm">
                    <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                      <h2 className="font-semibold wrap-anywhere">{m.subject}</h2>
                      <span className="text-xs text-slate-600"><RelativeTime at={m.createdAt} now={now} /> · {exactTime(m.createdAt)}</span>
                    </div>
                    <p className="text-slate-700 wrap-anywhere"><span className="text-slate-600">To:</span> {m.to.join(", ")}</p>
                    <details open={i === 0}>
                      <summary className="cursor-pointer text-sm font-medium text-brand-700">Text of the message</summary>
                      <pre className="mt-2 max-h-[32rem] overflow-auto whitespace-pre-wrap rounded border border-slate-200 bg-slate-50 p-3 font-mono text-xs wrap-anywhere"><LinkedText text={m.text} /></pre>
                    </details>
                  </article>
                </li>
              ))}
            </ul>
          </Card>
        )}
      </div>
    </PortalShell>
  );
}
