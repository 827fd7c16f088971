import { createHash } from "node:crypto";

// When each connection is checked. Every connection has a fixed slot in the period, an offset
// from a hash of its id, plus a little jitter: 10,000 connections every 30 minutes arrive as a
// steady ~5.5 checks per second, and a restart (nextCheckAt is stored) causes no herd.

export const MINUTE_MS = 60_000;
export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 24 * 60;
export const DEFAULT_INTERVAL_MINUTES = 30;
export const DEFAULT_KEEPALIVE_DAYS = 7;
export const MAX_KEEPALIVE_DAYS = 60;

/** The connection's offset within a period, from a hash of its id (stable across restarts). */
export function slotOffsetMs(id: string, periodMs: number): number {
  const h = createHash("sha1").update(id).digest();
  return h.readUIntBE(0, 6) % periodMs;
}

/** Jitter on top of the slot: 2% of the period, at most 30 s. */
export const jitterMs = (periodMs: number) => Math.min(30_000, Math.floor(periodMs * 0.02));

/** The first slot strictly after `after`, plus jitter. */
export function nextDueAt(id: string, periodMs: number, after: Date, random: () => number = Math.random): Date {
  const offset = slotOffsetMs(id, periodMs);
  const t = after.getTime();
  // The slot `after` falls in (its jitter is less than a period), then the next one.
  const slot = Math.floor((t - offset) / periodMs) * periodMs + offset + periodMs;
  return new Date(slot + Math.floor(random() * jitterMs(periodMs)));
}

export const periodMsOf = (intervalMinutes: number) => Math.min(MAX_INTERVAL_MINUTES, Math.max(MIN_INTERVAL_MINUTES, intervalMinutes)) * MINUTE_MS;
