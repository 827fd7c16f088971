import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import { Prisma } from "@/generated/prisma/client";
import type { ConnectionStatus } from "@/generated/prisma/enums";
import { record } from "@/lib/audit/record";
import { diagnose } from "@/lib/diagnosis/catalog";
import { displayStatus } from "@/lib/connections/connections";
import { getAccessToken, usableToken, type Resource, type TokenDeps } from "@/lib/connections/tokens";
import { runConnectionTest, saveTestRun, type TestDeps } from "@/lib/connections/connection-test";
import { resourcesFor } from "@/lib/integrations/check-credentials";
import { mailboxUrl } from "@/lib/alerts/payloads";
import { xoauth2 } from "@/lib/microsoft/probes/probe-result";
import type { Purpose } from "@/lib/microsoft/scopes";
import { keyActorLabel, reachWhere, type AuthenticatedKey } from "@/lib/api-keys/keys";
import { epochMs, sqlOf, type SqlReader } from "@/lib/db-sql";
import { ApiError } from "./errors";
import type { CheckResultOut, ConnectionDetailOut, ConnectionOut, DiagnosisOut, TokenOut } from "./schemas";

// What the token API does for an authenticated key. Every query is the key's reach (its org, and
// its integrations or connections) in the where clause, so a connection outside it is simply not
// found: the answer is the same 404 whether it exists in another org or nowhere.

const listSelect = {
  id: true,
  mailbox: true,
  mailboxKind: true,
  status: true,
  consentedConfigVersion: true,
  grantedScopes: true,
  health: true,
  healthReason: true,
  lastCheckAt: true,
  integration: { select: { id: true, name: true, configVersion: true, purposes: true } },
} satisfies Prisma.ConnectionSelect;

type ListRow = Prisma.ConnectionGetPayload<{ select: typeof listSelect }>;

const resourcesOf = (row: Pick<ListRow, "integration">) => resourcesFor(row.integration.purposes as Purpose[]);

function connectionOut(row: ListRow): ConnectionOut {
  return {
    id: row.id,
    mailbox: row.mailbox,
    kind: row.mailboxKind === "SHARED" ? "shared" : "user",
    integration: { id: row.integration.id, name: row.integration.name },
    status: displayStatus(row),
    health: row.health.toLowerCase() as ConnectionOut["health"],
    health_reason: row.healthReason,
    granted_scopes: row.grantedScopes,
    resources: resourcesOf(row),
    last_check_at: row.lastCheckAt?.toISOString() ?? null,
  };
}

export function diagnosisOut(code: string): DiagnosisOut {
  const d = diagnose(code);
  return { code: d.code, title: d.title, meaning: d.meaning, cause: d.cause, fix: d.fix, ...(d.class ? { class: d.class } : {}) };
}

const notFound = () => new ApiError("not_found", "No connection with that id within this API key's reach. List the key's connections with GET /api/v1/connections.");

type Cursor = { m: string; i: string };
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString("base64url");
function decodeCursor(raw: string | undefined): Cursor | null {
  if (!raw) return null;
  try {
    const c = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof c.m === "string" && typeof c.i === "string" && /^[0-9a-f-]{36}$/i.test(c.i)) return { m: c.m, i: c.i };
  } catch {
    // fall through
  }
  throw new ApiError("invalid_request", "cursor is not one this API gave out; pass next_cursor from the previous page unchanged, or leave it out for the first page.", { field: "cursor" });
}

/** The key's connections by mailbox address, in keyset pages. */
export async function listForKey(db: Db, key: AuthenticatedKey, q: { limit: number; cursor?: string; mailbox?: string }): Promise<{ data: ConnectionOut[]; next_cursor: string | null }> {
  const after = decodeCursor(q.cursor);
  const rows = await db.connection.findMany({
    where: {
      AND: [
        reachWhere(key),
        q.mailbox ? { mailbox: q.mailbox } : {},
        after ? { OR: [{ mailbox: { gt: after.m } }, { mailbox: after.m, id: { gt: after.i } }] } : {},
      ],
    },
    select: listSelect,
    orderBy: [{ mailbox: "asc" }, { id: "asc" }],
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { data: page.map(connectionOut), next_cursor: rows.length > q.limit && last ? encodeCursor({ m: last.mailbox, i: last.id }) : null };
}

/** One connection with its health, the diagnosis when it is not healthy, and its last check. */
export async function getForKey(db: Db, key: AuthenticatedKey, id: string, portalUrl: string): Promise<ConnectionDetailOut> {
  const row = await db.connection.findFirst({
    where: { AND: [reachWhere(key), { id }] },
    select: {
      ...listSelect,
      healthCode: true,
      checks: { orderBy: { startedAt: "desc" }, take: 1, select: { startedAt: true, outcome: true, trigger: true, durationMs: true, results: true, failureCode: true } },
    },
  });
  if (!row) throw notFound();
  const check = row.checks[0];
  const results = (check?.results ?? {}) as Record<string, string>;
  const protocols = Object.fromEntries(
    (["graph", "imap", "pop", "smtp"] as const).filter((p) => typeof results[p] === "string").map((p) => [p, results[p]!.toLowerCase() as "ok" | "failed" | "skipped"]),
  );
  return {
    ...connectionOut(row),
    health_code: row.healthCode,
    diagnosis: row.health !== "HEALTHY" && row.healthCode ? diagnosisOut(row.healthCode) : null,
    last_check: check
      ? {
          at: check.startedAt.toISOString(),
          outcome: check.outcome.toLowerCase() as "passed" | "degraded" | "failed",
          trigger: check.trigger.toLowerCase() as "scheduled" | "manual" | "api",
          duration_ms: check.durationMs,
          protocols,
          failure: check.failureCode ? diagnosisOut(check.failureCode) : null,
        }
      : null,
    mailbox_url: mailboxUrl(portalUrl, key.orgSlug, row.id),
  };
}

type TokenRowOut = {
  id: string;
  mailbox: string;
  status: ConnectionStatus;
  consentedConfigVersion: number;
  healthCode: string | null;
  lastFailure: Prisma.JsonValue | null;
  configVersion: number;
  purposes: string[];
  tokenEncrypted: string | null;
  expiresAt: number | null;
  scopes: string[] | null;
};

const TOKEN_ROW = `
  SELECT c.id::text AS id, c.mailbox, c.status::text AS status, c."consentedConfigVersion", c."healthCode", c."lastFailure",
         i."configVersion", i.purposes::text[] AS purposes, t."tokenEncrypted", ${epochMs('t."expiresAt"')} AS "expiresAt", t.scopes::text[] AS scopes
    FROM "Connection" c
    JOIN "Integration" i ON i.id = c."integrationId"
    LEFT JOIN "ConnectionAccessToken" t ON t."connectionId" = c.id AND t.resource = $3
   WHERE c.id = $1::uuid AND c."orgId" = $2::uuid`;

/** The key's reach beyond its org, as SQL on the connection `c` with its list as $4 (a key of an unknown reach reaches nothing). */
function reachSql(key: AuthenticatedKey): { clause: string; list: string[] | null; name: string } {
  if (key.reach === "ORG") return { clause: "", list: null, name: "mg_token_row_org" };
  if (key.reach === "INTEGRATIONS") return { clause: ` AND c."integrationId" = ANY($4::uuid[])`, list: key.integrationIds, name: "mg_token_row_integrations" };
  if (key.reach === "CONNECTIONS") return { clause: " AND c.id = ANY($4::uuid[])", list: key.connectionIds, name: "mg_token_row_connections" };
  return { clause: " AND FALSE", list: null, name: "mg_token_row_none" };
}

/**
 * The connection within the key's reach (its org, and its integrations or connections), its
 * integration's version and purposes and the cached token for the resource, in one statement sent
 * straight to the driver when the caller has it (this runs on every token call).
 */
async function tokenRow(db: Db | SqlReader, key: AuthenticatedKey, id: string, resource: Resource): Promise<TokenRowOut | null> {
  const reach = reachSql(key);
  const params: unknown[] = [id, key.orgId, resource];
  if (reach.list) params.push(reach.list);
  const [row] = await sqlOf(db).rows<TokenRowOut>(TOKEN_ROW + reach.clause, params, reach.name);
  return row ?? null;
}

export type TokenCall = { key: AuthenticatedKey; id: string; resource: Resource; format?: "xoauth2"; portalUrl: string };

/**
 * An access token with at least five minutes left: the cached one, or one fresh from the single-
 * flight refresh every other caller uses. `beforeUse` runs once the connection is known to be in
 * the key's reach (the per-connection rate limit), before any refresh.
 */
export async function tokenForKey(deps: TokenDeps & { sql?: SqlReader }, call: TokenCall, beforeUse: () => Promise<void> = async () => {}): Promise<TokenOut> {
  const { key, id, resource } = call;
  if (!key.resources.includes(resource)) {
    throw new ApiError("resource_not_allowed", `This API key may not get ${resource === "graph" ? "Microsoft Graph" : "Outlook (IMAP, POP, SMTP)"} tokens. Its resources: ${key.resources.join(", ") || "none"}. An admin can create a key that includes it on the portal's API keys page.`);
  }
  const row = await tokenRow(deps.sql ?? deps.db, key, id, resource);
  if (!row) throw notFound();
  await beforeUse();
  if (!resourcesFor(row.purposes as Purpose[]).includes(resource)) {
    throw new ApiError("resource_not_configured", `This connection's integration does not ask Microsoft for ${resource === "graph" ? "Microsoft Graph" : "Exchange Online (IMAP, POP, SMTP)"} permissions, so there is no such token. An admin can add that purpose to the integration (the mailbox then signs in again).`);
  }
  const url = mailboxUrl(call.portalUrl, key.orgSlug, row.id);
  if (displayStatus({ status: row.status, consentedConfigVersion: row.consentedConfigVersion, integration: { configVersion: row.configVersion } }) !== "connected") {
    const code = (row.lastFailure as { code?: string } | null)?.code ?? row.healthCode ?? "needs_reconsent";
    throw new ApiError("needs_reconsent", `The mailbox ${row.mailbox} must grant access again before Mailgrant can hand out tokens for it. An admin can send its owner a fresh consent link from the mailbox page.`, { diagnosis: diagnosisOut(code), mailbox_url: url });
  }
  const cached = usableToken(deps, key.orgId, row.id, resource, row.tokenEncrypted && row.expiresAt !== null ? { tokenEncrypted: row.tokenEncrypted, expiresAt: new Date(row.expiresAt), scopes: row.scopes ?? [] } : null);
  const result = cached ? { ok: true as const, value: cached } : await getAccessToken(deps, key.orgId, row.id, resource);
  if (!result.ok) {
    const { failure, classification } = result;
    if (failure.code === "connection_gone") throw notFound();
    if (classification === "transient") {
      const seconds = Math.max(1, Math.min(3600, failure.retryAfterSeconds ?? 30));
      throw new ApiError("microsoft_unavailable", `Microsoft did not hand out a token just now (${failure.code}). Retry after ${seconds} seconds.`, { retry_after: seconds, diagnosis: diagnosisOut(failure.code) }, { "Retry-After": String(seconds) });
    }
    const diagnosis = diagnosisOut(failure.code);
    if (classification === "needs_reconsent") {
      throw new ApiError("needs_reconsent", `Microsoft refused the grant of ${row.mailbox} (${failure.code}: ${diagnosis.title}). The mailbox must sign in again; an admin can send a fresh consent link from the mailbox page.`, { diagnosis, mailbox_url: url });
    }
    throw new ApiError("connection_failing", `Microsoft refused the token for ${row.mailbox} (${failure.code}: ${diagnosis.title}). The fix is an admin's: ${diagnosis.fix}`, { diagnosis, mailbox_url: url });
  }
  const t = result.value;
  const expiresIn = Math.floor((t.expiresAt.getTime() - Date.now()) / 1000);
  return {
    access_token: t.token,
    token_type: "Bearer",
    expires_at: t.expiresAt.toISOString(),
    expires_in: expiresIn,
    scope: t.scopes.join(" "),
    mailbox: row.mailbox,
    resource,
    ...(call.format === "xoauth2" ? { xoauth2: xoauth2(row.mailbox, t.token) } : {}),
  };
}

/** Runs the connection test now (as "Test now" does), records it as an API check and audits it. */
export async function checkForKey(deps: TestDeps, key: AuthenticatedKey, id: string, meta: { ip?: string | null; userAgent?: string | null }, beforeRun: () => Promise<void> = async () => {}): Promise<CheckResultOut> {
  const row = await deps.db.connection.findFirst({ where: { AND: [reachWhere(key), { id }] }, select: { id: true } });
  if (!row) throw notFound();
  await beforeRun();
  const run = await runConnectionTest(deps, key.orgId, id);
  const recorded = await saveTestRun(deps.db, key.orgId, id, run, { trigger: "API" });
  await record(deps.db, {
    action: "connection.tested",
    orgId: key.orgId,
    actor: { id: null, email: keyActorLabel(key) },
    targetType: "connection",
    targetId: id,
    data: { ok: run.ok ?? false, apiKeyId: key.id, failed: run.steps.filter((s) => s.status === "failed").map((s) => `${s.id}${s.code ? `:${s.code}` : ""}`) },
    meta,
  });
  return {
    ok: run.ok ?? false,
    health: (recorded?.health.health ?? "UNKNOWN").toLowerCase() as CheckResultOut["health"],
    started_at: run.startedAt,
    finished_at: run.finishedAt ?? new Date().toISOString(),
    steps: run.steps.map((s) => ({
      id: s.id,
      label: s.label,
      status: s.status === "failed" ? "failed" : s.status === "ok" ? "ok" : "skipped",
      ...(s.detail ? { detail: s.detail } : {}),
      ...(s.code ? { diagnosis: diagnosisOut(s.code) } : {}),
      ...(s.reply ? { reply: s.reply } : {}),
    })),
  };
}

export type { Keyring };
