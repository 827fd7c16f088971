import type { Db } from "@/lib/db-client";
import type { CheckOutcome } from "@/generated/prisma/enums";
import type { TestStep } from "@/lib/connections/connection-test";

// Per Microsoft tenant backoff. A tenant that throttles (429/503, Graph's graph_throttled, the
// token endpoint's AADSTS50196 or a bare 429/503) or keeps failing transiently is left alone for
// max(Retry-After, 30 s × 2^n), capped at 30 minutes, in one TenantBackoff row that every worker
// reads when it claims; other tenants are not slowed. A check of the tenant that passes clears it.

export const BACKOFF_BASE_SECONDS = 30;
export const BACKOFF_CAP_SECONDS = 30 * 60;
/** Transient failures (not throttling) in a row before the tenant backs off. */
export const TRANSIENT_FAILURES_BEFORE_BACKOFF = 3;

const THROTTLE_CODES = new Set(["graph_throttled", "AADSTS50196", "temporarily_unavailable", "imap_unavailable"]);

export type BackoffSignal = { kind: "throttled" | "transient"; code: string; retryAfterSeconds?: number };

/** What a finished check says about its tenant: nothing (it passed, or failed for its own reasons), throttling, or a transient failure. */
export function backoffSignal(steps: readonly TestStep[], outcome: CheckOutcome): BackoffSignal | null {
  if (outcome !== "DEGRADED") return null;
  const failed = steps.filter((s) => s.status === "failed");
  const throttled = failed.filter((s) => THROTTLE_CODES.has(s.code ?? "") || s.httpStatus === 429 || s.httpStatus === 503 || s.retryAfterSeconds !== undefined);
  const waits = failed.map((s) => s.retryAfterSeconds).filter((n): n is number => typeof n === "number" && Number.isFinite(n) && n >= 0);
  const retryAfterSeconds = waits.length ? Math.max(...waits) : undefined;
  const first = throttled[0] ?? failed[0];
  return { kind: throttled.length ? "throttled" : "transient", code: first?.code ?? "unknown", ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) };
}

/**
 * Counts the failure against the tenant and returns until when it backs off (null: not yet).
 * Failures that arrive while a backoff is running (the other checks that were in flight) don't
 * count again and don't extend it (unless their Retry-After asks for longer), so eight throttled
 * checks at once are one step of the exponent, not eight.
 */
export async function recordTenantFailure(db: Db, tenantId: string, signal: BackoffSignal, now: Date): Promise<Date | null> {
  const threshold = signal.kind === "throttled" ? 1 : TRANSIENT_FAILURES_BEFORE_BACKOFF;
  const retryAfter = Math.min(BACKOFF_CAP_SECONDS, Math.max(0, Math.floor(signal.retryAfterSeconds ?? 0)));
  const nf = `(CASE WHEN "TenantBackoff".until > $2::timestamp THEN "TenantBackoff".failures ELSE "TenantBackoff".failures + 1 END)`;
  const wait = (n: string) => `(CASE WHEN ${n} >= ${threshold} THEN LEAST(${BACKOFF_CAP_SECONDS}, GREATEST(${retryAfter}, ${BACKOFF_BASE_SECONDS} * power(2, LEAST(16, ${n} - ${threshold})))) ELSE 0 END)`;
  const rows = await db.$queryRawUnsafe<{ until_ms: number; failures: number }[]>(
    `INSERT INTO "TenantBackoff" ("tenantId", until, failures, reason, "updatedAt")
     VALUES ($1, $2::timestamp + ${wait("1")} * interval '1 second', 1, $3, $2::timestamp)
     ON CONFLICT ("tenantId") DO UPDATE SET
       failures = ${nf},
       until = CASE WHEN "TenantBackoff".until > $2::timestamp
         THEN GREATEST("TenantBackoff".until, $2::timestamp + ${retryAfter} * interval '1 second')
         ELSE $2::timestamp + ${wait(nf)} * interval '1 second' END,
       reason = $3,
       "updatedAt" = $2::timestamp
     RETURNING (extract(epoch FROM until) * 1000)::float8 AS until_ms, failures`,
    tenantId,
    now.toISOString(),
    signal.code,
  );
  const until = rows[0] ? new Date(Number(rows[0].until_ms)) : null;
  return until && until.getTime() > now.getTime() ? until : null;
}

/**
 * Clears the tenant's backoff after a passing check. Most tenants never have a row, so a worker
 * only deletes when it may exist: it wrote one, or it has not looked for a while (another worker's).
 */
export class BackoffClearer {
  private known = new Map<string, number>();
  constructor(private readonly recheckMs = 30_000) {}

  noteRow(tenantId: string) {
    this.known.set(tenantId, 0);
  }

  async passed(db: Db, tenantId: string, now: Date): Promise<void> {
    const lastLook = this.known.get(tenantId);
    if (lastLook !== undefined && lastLook !== 0 && now.getTime() - lastLook < this.recheckMs) return;
    this.known.set(tenantId, now.getTime());
    if (this.known.size > 50_000) this.known.clear();
    await db.tenantBackoff.deleteMany({ where: { tenantId } });
  }
}
