import type { TokenDeps } from "@/lib/connections/tokens";

// Keep-alive: refresh every grant unused for the org's keepAliveDays (default 7), far inside
// Microsoft's 90 days, through the one single-flight refresh (lib/connections/tokens.ts).
// (Body by the worker-maintenance work; signature agreed.)

export type KeepAliveResult = { considered: number; refreshed: number; failed: number };

export async function keepAliveSweep(deps: TokenDeps, opts: { now?: Date; limit?: number } = {}): Promise<KeepAliveResult> {
  void deps;
  void opts;
  return { considered: 0, refreshed: 0, failed: 0 };
}
