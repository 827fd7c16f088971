import { createHash, randomBytes } from "node:crypto";
import type { Db } from "@/lib/db-client";
import type { AuthorizationKind, MailboxKind, Prisma } from "@/generated/prisma/client";
import { decryptField, encryptField, type Keyring } from "@/lib/crypto";
import { newNonce, newPkce, newState } from "@/lib/microsoft/oauth-client";

// The state of one trip to Microsoft. `state` goes to Microsoft and comes back; only its hash is
// stored. The row is bound to the browser that started the flow (hash of a long-lived random
// cookie), can be used once, and expires after 10 minutes (MAILGRANT_CONSENT_FLOW_TTL_SECONDS).

export const FLOW_TTL_MS = 10 * 60_000;
/** A random id per browser. Not a session: it only proves "the same browser came back". */
export const BROWSER_COOKIE = "mailgrant.browser";

export const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");
export const newBrowserId = () => randomBytes(32).toString("base64url");

export type StartInput = {
  kind: AuthorizationKind;
  orgId: string;
  integrationId: string;
  mailbox?: string | null;
  mailboxKind?: MailboxKind;
  consentLinkId?: string | null;
  startedById?: string | null;
  tenantRequested?: string | null;
  requestedScopes: string[];
  configVersion: number;
  browserId: string;
};

export type StartedFlow = { id: string; state: string; nonce: string; codeChallenge: string };

export async function createAuthorizationRequest(db: Db, keyring: Keyring, input: StartInput, now = new Date(), ttlMs = FLOW_TTL_MS): Promise<StartedFlow> {
  const id = crypto.randomUUID();
  const state = newState();
  const nonce = newNonce();
  const pkce = await newPkce();
  await db.authorizationRequest.create({
    data: {
      id,
      stateHash: sha256(state),
      browserHash: sha256(input.browserId),
      kind: input.kind,
      orgId: input.orgId,
      integrationId: input.integrationId,
      mailbox: input.mailbox ?? null,
      mailboxKind: input.mailboxKind ?? "USER",
      consentLinkId: input.consentLinkId ?? null,
      startedById: input.startedById ?? null,
      tenantRequested: input.tenantRequested ?? null,
      codeVerifierEncrypted: encryptField(keyring, pkce.verifier, verifierContext(input.orgId, id)),
      nonce,
      requestedScopes: input.requestedScopes,
      configVersion: input.configVersion,
      expiresAt: new Date(now.getTime() + ttlMs),
    },
  });
  // Old rows are useless after their 10 minutes; keep the table small.
  await db.authorizationRequest.deleteMany({ where: { expiresAt: { lt: new Date(now.getTime() - 24 * 3600_000) } } });
  return { id, state, nonce, codeChallenge: pkce.challenge };
}

const verifierContext = (orgId: string, rowId: string) => ({ orgId, table: "AuthorizationRequest", rowId, field: "codeVerifier" });

export type FlowRow = Prisma.AuthorizationRequestGetPayload<object>;
export type ConsumedFlow = FlowRow & { codeVerifier: string };

/** Why a callback's state was refused. Every one of them means: nothing is stored, start again. */
export type StateProblem = "state_missing" | "state_unknown" | "state_browser" | "state_expired" | "state_used";

export type ConsumeResult = { ok: true; flow: ConsumedFlow } | { ok: false; problem: StateProblem; flowId?: string };

/**
 * Finds the flow for a callback's `state` and marks it used, atomically: a replayed callback
 * (or two racing ones) gets `state_used`. A state from another browser is refused without
 * consuming it, so an attacker who makes a victim open a callback link cannot burn the flow.
 */
export async function consumeAuthorizationRequest(db: Db, keyring: Keyring, state: string | null, browserId: string | undefined, now = new Date()): Promise<ConsumeResult> {
  if (!state) return { ok: false, problem: "state_missing" };
  const row = await db.authorizationRequest.findUnique({ where: { stateHash: sha256(state) } });
  if (!row) return { ok: false, problem: "state_unknown" };
  if (!browserId || sha256(browserId) !== row.browserHash) return { ok: false, problem: "state_browser" };
  if (row.usedAt) return { ok: false, problem: "state_used", flowId: row.id };
  if (row.expiresAt <= now) return { ok: false, problem: "state_expired", flowId: row.id };
  const claimed = await db.authorizationRequest.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
  if (claimed.count === 0) return { ok: false, problem: "state_used", flowId: row.id };
  const codeVerifier = row.codeVerifierEncrypted ? decryptField(keyring, row.codeVerifierEncrypted, verifierContext(row.orgId, row.id)) : "";
  return { ok: true, flow: { ...row, codeVerifier } };
}

/** The result page reads a flow only from the browser that ran it. */
export async function getFlowForBrowser(db: Db, id: string, browserId: string | undefined) {
  if (!browserId || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db.authorizationRequest.findUnique({
    where: { id },
    include: { org: { select: { name: true, slug: true } }, integration: { select: { id: true, name: true } } },
  });
  if (!row || row.browserHash !== sha256(browserId)) return null;
  return row;
}
