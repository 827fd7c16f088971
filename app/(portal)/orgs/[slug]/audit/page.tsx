import type { Metadata } from "next";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listAuditEvents } from "@/lib/audit/record";
import { Card, Notice } from "@/components/ui/card";

export const metadata: Metadata = { title: "Audit log" };

const ACTIONS: Record<string, string> = {
  "user.signed_in": "Signed in",
  "org.created": "Created the organization",
  "invitation.created": "Invited a person",
  "invitation.revoked": "Withdrew an invitation",
  "invitation.accepted": "Accepted an invitation",
  "member.role_changed": "Changed a member's role",
  "member.removed": "Removed a member",
  "integration.created": "Registered an integration",
  "integration.updated": "Changed an integration",
  "integration.credential_rotated": "Replaced an integration's credential",
  "integration.deleted": "Deleted an integration",
  "integration.admin_consent_granted": "Granted admin consent for a tenant",
  "integration.admin_consent_reported": "Recorded admin consent reported by Microsoft's redirect",
  "integration.admin_consent_verified": "Recorded admin consent (app verified installed in the tenant)",
  "connection.created": "Connected a mailbox",
  "connection.reconsented": "Re-consented a mailbox",
  "connection.disconnected": "Disconnected a mailbox",
  "consent_link.created": "Created a mailbox consent link",
  "consent_link.revoked": "Withdrew a mailbox consent link",
  "connection.tested": "Tested a mailbox connection",
  "connection.refreshed_by_hand": "Refreshed a mailbox's tokens by hand",
  "integration.credentials_checked": "Checked an integration's credentials",
  "support.viewed_org": "Support staff opened this organization",
  "org.settings_updated": "Changed the check settings",
  "org.check_all_requested": "Queued a check of every mailbox",
  "org.reconsent_policy_changed": "Changed what happens when a mailbox needs re-consent",
  "alert_channel.created": "Added a notification channel",
  "alert_channel.updated": "Changed a notification channel",
  "alert_channel.secret_rotated": "Rotated a webhook's signing secret",
  "alert_channel.paused": "Paused a notification channel",
  "alert_channel.resumed": "Resumed a notification channel",
  "alert_channel.deleted": "Deleted a notification channel",
  "alert_channel.test_sent": "Sent a test event to a notification channel",
  "alert_delivery.redelivered": "Redelivered an alert by hand",
  "connection.heal_link_sent": "Mailed a mailbox's owner a fresh consent link (re-consent policy)",
  "access.forbidden": "Was refused (role does not allow it)",
};

export default async function AuditPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  if (!ctx.can("audit.read")) return <Notice tone="error" title="Owners and admins only">Your role does not include the audit log. Ask an owner or admin of {ctx.org.name}.</Notice>;
  const events = await listAuditEvents(await db(), ctx.org.id, { take: 200 });
  return (
    <Card title="Audit log" description="Who changed what, newest first (last 200 events).">
      <div className="overflow-x-auto">
      <table className="w-full min-w-[40rem] text-left text-sm">
        <thead className="text-xs uppercase text-slate-600">
          <tr><th scope="col" className="py-2">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Details</th><th scope="col">From</th></tr>
        </thead>
        <tbody className="divide-y divide-slate-200">
          {events.map((e) => (
            <tr key={e.id} className="align-top">
              <td className="py-2 pr-3 whitespace-nowrap font-mono text-xs">{e.createdAt.toISOString().slice(0, 19).replace("T", " ")}</td>
              <td className="py-2 pr-3 break-all">{e.actorEmail ?? "system"}</td>
              <td className="py-2 pr-3">{ACTIONS[e.action] ?? e.action}</td>
              <td className="max-w-md py-2 pr-3 font-mono text-xs wrap-anywhere">{e.data ? Object.entries(e.data as Record<string, unknown>).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : String(v)}`).join("; ") : ""}</td>
              <td className="text-xs text-slate-600"><div>{e.ip ?? ""}</div><div className="max-w-48 truncate" title={e.userAgent ?? ""}>{e.userAgent ?? ""}</div></td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </Card>
  );
}
