import { Badge } from "@/components/ui/card";
import type { DisplayStatus } from "@/lib/connections/connections";
import type { LinkState } from "@/lib/connections/links";

const STATUS: Record<DisplayStatus, { label: string; tone: "green" | "amber" | "red" }> = {
  connected: { label: "Connected", tone: "green" },
  needs_reconsent: { label: "Needs re-consent", tone: "amber" },
  revoked: { label: "Revoked", tone: "red" },
};

export function ConnectionStatusBadge({ status }: { status: DisplayStatus }) {
  const s = STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

export const CONSENT_LABELS = { USER: "User consent", ADMIN: "Admin consent reported (tenant-wide)", DELEGATE: "Delegate of a shared mailbox" } as const;

const LINK: Record<LinkState, { label: string; tone: "slate" | "blue" | "green" | "amber" | "red" }> = {
  pending: { label: "Not opened", tone: "slate" },
  sent: { label: "Sent", tone: "blue" },
  opened: { label: "Opened", tone: "blue" },
  connected: { label: "Connected", tone: "green" },
  expired: { label: "Expired", tone: "amber" },
  revoked: { label: "Withdrawn", tone: "slate" },
};

export function LinkStateBadge({ state }: { state: LinkState }) {
  const s = LINK[state];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

export const formatDate = (d: Date | null | undefined) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");

/** A mailbox address that may wrap after the "@" (and only there), so table columns stay narrow without splitting words. */
export function MailboxAddress({ address }: { address: string }) {
  const at = address.lastIndexOf("@");
  if (at <= 0) return <>{address}</>;
  return <>{address.slice(0, at)}<wbr />{address.slice(at)}</>;
}
