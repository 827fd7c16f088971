import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import type { Failure } from "./failure";
import type { TestRun } from "./connection-test";
import { displayStatus, getConnection } from "./connections";
import { missingScopes } from "./granted-scopes";
import { listEvents, tokenStatus } from "./tokens";
import { inactivityDeadline } from "./inactivity";

export type StoredFailure = Failure & { classification?: string; at?: string };

/** Everything the mailbox page shows, read within the org (never by id alone). Never a token. */
export async function getConnectionDetail(db: Db, keyring: Keyring, orgId: string, id: string) {
  const connection = await getConnection(db, orgId, id);
  if (!connection) return null;
  const [tokens, events, extra] = await Promise.all([
    tokenStatus(db, keyring, orgId, connection.id),
    listEvents(db, orgId, connection.id, 20),
    db.connection.findFirstOrThrow({ where: { id: connection.id, orgId }, select: { lastFailure: true, lastRefreshedAt: true, lastTest: true } }),
  ]);
  return {
    connection,
    status: displayStatus(connection),
    missingScopes: missingScopes(connection.requestedScopes, connection.grantedScopes),
    diesAt: inactivityDeadline(connection.refreshTokenLastUsedAt),
    tokens,
    events,
    lastFailure: (extra.lastFailure as StoredFailure | null) ?? null,
    lastTest: (extra.lastTest as TestRun | null) ?? null,
    lastRefreshedAt: extra.lastRefreshedAt,
  };
}

export type ConnectionDetail = NonNullable<Awaited<ReturnType<typeof getConnectionDetail>>>;
