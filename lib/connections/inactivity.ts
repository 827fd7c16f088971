// Microsoft revokes a refresh token that goes unused for 90 days (reference §3.2): its
// inactivity clock restarts whenever the token is redeemed.
export const INACTIVITY_DAYS = 90;
const DAY_MS = 86_400_000;

/** When the grant dies if nobody uses it, or null when it has never been used (nothing to count from). */
export function inactivityDeadline(lastUsedAt: Date | null | undefined): Date | null {
  return lastUsedAt ? new Date(lastUsedAt.getTime() + INACTIVITY_DAYS * DAY_MS) : null;
}

/** Whole days left until the inactivity deadline (negative once passed). */
export function daysUntilInactive(lastUsedAt: Date | null | undefined, now = new Date()): number | null {
  const deadline = inactivityDeadline(lastUsedAt);
  return deadline ? Math.floor((deadline.getTime() - now.getTime()) / DAY_MS) : null;
}
