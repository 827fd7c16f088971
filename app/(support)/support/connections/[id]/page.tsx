import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { requireSupport } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { requestMeta } from "@/lib/request-meta";
import { getSupportConnection, recordSupportConnectionView } from "@/lib/support/connection";
import { SupportConnectionView } from "@/components/support/connection-view";

export const metadata: Metadata = { title: "Connection · Support" };

export default async function SupportConnectionPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireSupport();
  const { id } = await params;
  const database = await db();
  const detail = await getSupportConnection(database, id);
  if (!detail) notFound();
  // Read first, then record: the audit list shows what happened before this visit.
  await recordSupportConnectionView(database, viewer, { id: detail.connection.id, orgId: detail.connection.orgId, mailbox: detail.connection.mailbox }, await requestMeta());
  return <SupportConnectionView detail={detail} now={new Date()} />;
}
