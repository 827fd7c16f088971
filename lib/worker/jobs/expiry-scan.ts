import type { Db } from "@/lib/db-client";

// The daily scan: secret and certificate expiry, inactivity deadlines and consent link expiry,
// recorded as ExpiryNotice rows for the alerts to act on. (Body by the worker-maintenance work.)

export type ExpiryScanResult = { created: number; resolved: number };

export async function scanExpiries(db: Db, opts: { now?: Date; horizonDays?: number } = {}): Promise<ExpiryScanResult> {
  void db;
  void opts;
  return { created: 0, resolved: 0 };
}
