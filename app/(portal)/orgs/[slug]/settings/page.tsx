import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getCheckSettings, MIN_KEEPALIVE_DAYS } from "@/lib/checks/org-settings";
import { MAX_INTERVAL_MINUTES, MAX_KEEPALIVE_DAYS, MIN_INTERVAL_MINUTES } from "@/lib/checks/schedule";
import { workerConfig } from "@/lib/worker/config";
import { Card, Notice } from "@/components/ui/card";
import { listChannels } from "@/lib/alerts/channels";
import { getReconsentPolicy, RECONSENT_POLICIES, RECONSENT_POLICY_LABELS } from "@/lib/alerts/policy";
import { buttonClass } from "@/components/ui/button";
import { CheckAllNowForm, CheckSettingsForm, ReconsentPolicyForm } from "./settings-forms";
import { AddEmailChannelForm, AddWebhookForm } from "./channel-forms";
import { ChannelList } from "./notifications";

export const metadata: Metadata = { title: "Settings" };

export default async function OrgSettingsPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<{ channelDeleted?: string }> }) {
  const { slug } = await params;
  const flags = await searchParams;
  const ctx = await requireOrg(slug);
  const prisma = await db();
  const [settings, channels, policy] = await Promise.all([getCheckSettings(prisma, ctx.org.id), listChannels(prisma, ctx.org.id), getReconsentPolicy(prisma, ctx.org.id)]);
  const now = new Date();
  const override = workerConfig().intervalOverrideSeconds;
  const canChange = ctx.can("org.settings");
  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-xl font-semibold">Settings</h2>
        <p className="mt-1 text-sm text-slate-600">How the portal watches this organization&apos;s mailboxes, and whom it tells when one stops working.</p>
      </div>
      {override ? (
        <Notice tone="info" title="This deployment overrides the interval">
          Every mailbox is checked every {override} second{override === 1 ? "" : "s"} (<code className="break-all">MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS</code>), whatever is set here.
        </Notice>
      ) : null}
      <Card title="Scheduled checks" description="The worker tests each connected mailbox on its own, with the protocols its integration is for, and keeps idle grants alive.">
        {canChange ? (
          <CheckSettingsForm
            slug={slug}
            current={{ checkIntervalMinutes: settings.checkIntervalMinutes, keepAliveDays: settings.keepAliveDays }}
            limits={{ minInterval: MIN_INTERVAL_MINUTES, maxInterval: MAX_INTERVAL_MINUTES, minKeepAlive: MIN_KEEPALIVE_DAYS, maxKeepAlive: MAX_KEEPALIVE_DAYS }}
          />
        ) : (
          <>
            <dl className="grid grid-cols-[10rem_minmax(0,1fr)] gap-y-2 text-sm">
              <dt className="text-slate-600">Check interval</dt><dd>Every {settings.checkIntervalMinutes} minutes</dd>
              <dt className="text-slate-600">Keep-alive age</dt><dd>{settings.keepAliveDays} days</dd>
            </dl>
            <p className="mt-3 text-sm text-slate-600">Only owners and admins change these.</p>
          </>
        )}
      </Card>
      <Card title="Check all mailboxes now" description="Queues a check of every connected mailbox instead of waiting for its turn.">
        <p className="mb-3 text-sm text-slate-700">
          {settings.connected === 0 ? (
            <>No mailbox is connected yet: connect one on the <Link className="text-brand-700 underline" href={`/orgs/${slug}/mailboxes`}>Mailboxes</Link> page, and the worker checks it right away.</>
          ) : (
            <>
              {settings.connected} connected mailbox{settings.connected === 1 ? "" : "es"}{settings.due ? ` · ${settings.due} waiting for a check` : ""}. Results appear on the <Link className="text-brand-700 underline" href={`/orgs/${slug}/mailboxes`}>Mailboxes</Link> page as each check finishes.
            </>
          )}
        </p>
        {canChange ? <CheckAllNowForm slug={slug} connected={settings.connected} /> : <p className="text-sm text-slate-600">Only owners and admins start checks for every mailbox.</p>}
      </Card>
      <div id="notifications" className="scroll-mt-4">
        <Card title="Notifications" description="Where the portal tells people that a mailbox is failing, has recovered or is about to stop working, and that an integration's credentials are failing or expiring.">
          <div className="space-y-4">
            {flags.channelDeleted ? <Notice tone="success">The channel was deleted, with its delivery log. Nothing more is sent to it.</Notice> : null}
            <ChannelList slug={slug} channels={channels} canChange={canChange} now={now} />
            {canChange ? (
              <div className="space-y-3 border-t border-slate-200 pt-4">
                <details className="group">
                  <summary className={buttonClass("secondary", "cursor-pointer list-none [&::-webkit-details-marker]:hidden")}>Add webhook <span aria-hidden="true" className="transition-transform group-open:rotate-180">▾</span></summary>
                  <div className="mt-4"><AddWebhookForm slug={slug} /></div>
                </details>
                <details className="group">
                  <summary className={buttonClass("secondary", "cursor-pointer list-none [&::-webkit-details-marker]:hidden")}>Add email channel <span aria-hidden="true" className="transition-transform group-open:rotate-180">▾</span></summary>
                  <div className="mt-4"><AddEmailChannelForm slug={slug} /></div>
                </details>
              </div>
            ) : <p className="text-sm text-slate-600">Only owners and admins add or change channels.</p>}
          </div>
        </Card>
      </div>
      <Card title="When a mailbox needs re-consent" description="A mailbox whose grant Microsoft no longer accepts (revoked, password reset, consent withdrawn) or whose integration now needs more than it consented to.">
        {canChange ? (
          <ReconsentPolicyForm slug={slug} current={policy} options={RECONSENT_POLICIES.map((value) => ({ value, ...RECONSENT_POLICY_LABELS[value] }))} />
        ) : (
          <>
            <p className="text-sm"><span className="font-medium">{RECONSENT_POLICY_LABELS[policy].label}.</span> <span className="text-slate-700">{RECONSENT_POLICY_LABELS[policy].description}</span></p>
            <p className="mt-3 text-sm text-slate-600">Only owners and admins change this.</p>
          </>
        )}
      </Card>
    </div>
  );
}
