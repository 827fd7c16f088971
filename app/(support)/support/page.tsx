import type { Metadata } from "next";
import Link from "next/link";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { listAllOrgsForSupport } from "@/lib/orgs/orgs";
import { Card, EmptyState } from "@/components/ui/card";

export const metadata: Metadata = { title: "Support console" };

export default async function SupportPage() {
  await requireSupport();
  const orgs = await listAllOrgsForSupport(await db());
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">All organizations</h1>
      {orgs.length === 0 ? (
        <EmptyState title="No organizations yet">Organizations appear here as soon as someone creates one.</EmptyState>
      ) : (
        <Card>
          <table className="w-full text-left text-sm">
            <thead className="text-xs uppercase text-slate-600">
              <tr><th scope="col" className="py-2">Organization</th><th scope="col">Microsoft tenant</th><th scope="col">Members</th><th scope="col">Pending invitations</th><th scope="col">Integrations</th><th scope="col">Mailboxes</th><th scope="col">Created</th></tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {orgs.map((o) => (
                <tr key={o.id}>
                  <td className="py-2"><Link className="font-medium text-brand-700 hover:underline" href={`/support/orgs/${o.slug}`}>{o.name}</Link><div className="text-xs text-slate-600">{o.slug}</div></td>
                  <td className="font-mono text-xs">{o.tenantId}</td>
                  <td>{o._count.memberships}</td>
                  <td>{o._count.invitations}</td>
                  <td>{o._count.integrations}</td>
                  <td>{o._count.connections}</td>
                  <td>{o.createdAt.toISOString().slice(0, 10)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      )}
    </div>
  );
}
