import type { Metadata } from "next";
import { FailureView } from "@/components/connections/failure-view";
import { PublicPage } from "@/components/connections/public-page";

export const metadata: Metadata = { title: "Connection refused" };

const REASONS = new Set(["state_missing", "state_unknown", "state_browser", "state_expired", "state_used"]);

/** The callback refused the return from Microsoft before doing anything (state checks). */
export default async function RefusedPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  const code = reason && REASONS.has(reason) ? reason : "state_unknown";
  return (
    <PublicPage>
      <FailureView failure={{ code }} />
      <p className="text-sm text-slate-600">Nothing was stored.</p>
    </PublicPage>
  );
}
