import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getCheckSettings, MIN_KEEPALIVE_DAYS } from "@/lib/checks/org-settings";
import { MAX_INTERVAL_MINUTES, MAX_KEEPALIVE_DAYS, MIN_INTERVAL_MINUTES } from "@/lib/checks/schedule";
import { workerConfig } from "@/lib/worker/config";
import { Card, Notice } from "@/components/ui/card";
import { CheckAllNowForm, CheckSettingsForm } from "./settings-forms";

export const metadata: Metadata = { title: "Settings" };

export default async function OrgSettingsPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  const settings = await getCheckSettings(await db(), ctx.org.id);
  const override = workerConfig().intervalOverrideSeconds;
  const canChange = ctx.can("org.settings");
  return (
    <div className="space-y-6">
      <div>
        <h2 className="text-xl font-semibold">Settings</h2>
        <p className="mt-1 text-sm text-slate-600">How the portal watches this organization&apos;s mailboxes.</p>
      </div>
      {override ? (
        <Notice tone="info" title="This deployment overrides the interval">
          Every mailbox is checked every {override} second{override === 1 ? "" : "s"} (MAILGRANT_CHECK_INTERVAL_OVERRIDE_SECONDS), whatever is set here.
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
            <>No mailbox is connected yet: connect one on the <Link className="text-brand-700 hover:underline" href={`/orgs/${slug}/mailboxes`}>Mailboxes</Link> page, and the worker checks it right away.</>
          ) : (
            <>
              {settings.connected} connected mailbox{settings.connected === 1 ? "" : "es"}{settings.due ? ` · ${settings.due} waiting for a check` : ""}. Results appear on the <Link className="text-brand-700 hover:underline" href={`/orgs/${slug}/mailboxes`}>Mailboxes</Link> page as each check finishes.
            </>
          )}
        </p>
        {canChange ? <CheckAllNowForm slug={slug} connected={settings.connected} /> : <p className="text-sm text-slate-600">Only owners and admins start checks for every mailbox.</p>}
      </Card>
    </div>
  );
}
