import type { Db } from "@/lib/db-client";

// Retention: raw checks older than retentionDays are rolled up into CheckDaily, then deleted;
// daily rows older than dailyRetentionMonths are deleted. (Body by the worker-maintenance work.)

export type RetentionResult = { daysRolledUp: number; checksDeleted: number; dailyDeleted: number };

export async function rollUpAndPrune(db: Db, opts: { now?: Date; retentionDays: number; dailyRetentionMonths: number }): Promise<RetentionResult> {
  void db;
  void opts;
  return { daysRolledUp: 0, checksDeleted: 0, dailyDeleted: 0 };
}
