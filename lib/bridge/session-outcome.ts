import type { Prisma } from "@/generated/prisma/client";

// How a bridge session ended, and which endings are failures: the one definition read by the
// code that records a session (sign-in.ts), the timeline's "Problems only" filter (a WHERE on the
// stored event) and the timeline's problem styling (the same test on a row read back).

export const BRIDGE_SESSION_KIND = "bridge_session";

/**
 * ok; refused_upstream (Microsoft said no to the grant's sign-in: code has its diagnosis);
 * token_failed (no access token for the grant); revoked (cut when its credential was revoked);
 * error (Microsoft unreachable, or the bridge itself failed).
 */
export const BRIDGE_SESSION_OUTCOMES = ["ok", "refused_upstream", "token_failed", "revoked", "error"] as const;
export type BridgeSessionOutcome = (typeof BRIDGE_SESSION_OUTCOMES)[number];

/** Every ending but "ok" is a failure someone should look at. */
export const FAILED_BRIDGE_OUTCOMES = BRIDGE_SESSION_OUTCOMES.filter((o): o is Exclude<BridgeSessionOutcome, "ok"> => o !== "ok");
export type FailedBridgeOutcome = (typeof FAILED_BRIDGE_OUTCOMES)[number];

/** Whether a stored ConnectionEvent is a bridge session that failed. */
export function isFailedBridgeSession(kind: string, detail: unknown): boolean {
  const outcome = (detail as { outcome?: unknown } | null)?.outcome;
  return kind === BRIDGE_SESSION_KIND && (FAILED_BRIDGE_OUTCOMES as readonly unknown[]).includes(outcome);
}

/** The same test as a WHERE on ConnectionEvent (its outcome is in the JSON detail). */
export const failedBridgeSessionWhere: Prisma.ConnectionEventWhereInput = {
  kind: BRIDGE_SESSION_KIND,
  OR: FAILED_BRIDGE_OUTCOMES.map((outcome) => ({ detail: { path: ["outcome"], equals: outcome } })),
};
