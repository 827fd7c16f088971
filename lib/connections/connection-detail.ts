import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { Failure } from "./failure";
import type { TestRun } from "./connection-test";
import { displayStatus, getConnection } from "./connections";
import { missingScopes } from "./granted-scopes";
import { tokenStatus } from "./tokens";
import { inactivityDeadline } from "./inactivity";
import { diagnose } from "@/lib/diagnosis/catalog";

export type StoredFailure = Failure & { classification?: string; at?: string };

/** Everything the mailbox page shows, read within the org (never by id alone). Never a token. */
export async function getConnectionDetail(db: Db, keyring: Keyring, orgId: string, id: string) {
  const connection = await getConnection(db, orgId, id);
  if (!connection) return null;
  // Checks and events are the page's timeline (lib/connections/timeline.ts), paged on their own.
  const [tokens, extra] = await Promise.all([
    tokenStatus(db, keyring, orgId, connection.id),
    db.connection.findFirstOrThrow({ where: { id: connection.id, orgId }, select: { lastFailure: true, lastRefreshedAt: true, lastTest: true } }),
  ]);
  return {
    connection,
    status: displayStatus(connection),
    missingScopes: missingScopes(connection.requestedScopes, connection.grantedScopes),
    diesAt: inactivityDeadline(connection.refreshTokenLastUsedAt),
    tokens,
    lastFailure: (extra.lastFailure as StoredFailure | null) ?? null,
    lastTest: (extra.lastTest as TestRun | null) ?? null,
    lastRefreshedAt: extra.lastRefreshedAt,
    /** What the catalog says about the code behind the health, when it has an entry (at-risk reasons carry their own fix). */
    healthDiagnosis: connection.healthCode && connection.health !== "HEALTHY" ? knownDiagnosis(connection.healthCode) : null,
  };
}

function knownDiagnosis(code: string) {
  const d = diagnose(code);
  return d.unknown ? null : d;
}

export type ConnectionDetail = NonNullable<Awaited<ReturnType<typeof getConnectionDetail>>>;
