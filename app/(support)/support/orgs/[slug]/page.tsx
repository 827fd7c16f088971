import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { getOrgForSupport } from "@/lib/orgs/orgs";
import { Badge, Card } from "@/components/ui/card";
import { ROLE_LABELS } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Organization · Support" };

export default async function SupportOrgPage({ params }: { params: Promise<{ slug: string }> }) {
  await requireSupport();
  const { slug } = await params;
  const org = await getOrgForSupport(await db(), slug);
  if (!org) notFound();
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">{org.name}</h1>
      <Card title="Members">
        <ul className="divide-y divide-slate-200 text-sm">
          {org.memberships.map((m) => (
            <li key={m.user.email} className="flex justify-between py-2">
              <span>{m.user.name} <span className="text-slate-600">{m.user.email}</span></span>
              <Badge>{ROLE_LABELS[m.role]}</Badge>
            </li>
          ))}
        </ul>
      </Card>
    </div>
  );
}
