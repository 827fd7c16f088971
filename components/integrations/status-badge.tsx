import { Badge } from "@/components/ui/card";
import { daysUntil } from "@/lib/integrations/integrations";

type Props = { status: "UNCHECKED" | "CREDENTIALS_OK" | "FAILING"; expiresAt: Date | null };

/** Status as an admin reads it, expiry first: an expiring secret matters more than a green check. */
export function IntegrationStatusBadges({ status, expiresAt }: Props) {
  const days = daysUntil(expiresAt);
  return (
    <span className="inline-flex flex-wrap gap-1.5">
      {status === "CREDENTIALS_OK" ? <Badge tone="green">Credentials OK</Badge> : status === "FAILING" ? <Badge tone="red">Failing</Badge> : <Badge>Not checked yet</Badge>}
      {days !== null && days < 0 ? <Badge tone="red">Credential expired</Badge> : null}
      {days !== null && days >= 0 && days <= 30 ? <Badge tone="amber">{`Credential expires in ${days} day${days === 1 ? "" : "s"}`}</Badge> : null}
    </span>
  );
}
