import { z } from "zod";
import "zod-openapi";
import { API_ERRORS, type ApiErrorCode } from "./errors";

// The token API's requests and answers as zod schemas: the routes parse with the request schemas
// and build their answers as the response types, and lib/api/openapi.ts makes the OpenAPI
// document from these same objects, so the document cannot drift from what the code does.

export const resourceSchema = z.enum(["graph", "outlook"]).meta({
  id: "Resource",
  description: '"graph": a token for Microsoft Graph. "outlook": a token for Exchange Online, for IMAP, POP and SMTP with SASL XOAUTH2.',
});

const uuid = z.uuid();

export const connectionParams = z.object({ id: uuid.meta({ description: "The connection's id (GET /api/v1/connections lists them)." }) });

export const listQuery = z
  .object({
    limit: z.coerce.number({ message: "limit must be a number from 1 to 200" }).int({ message: "limit must be a whole number from 1 to 200" }).min(1, { message: "limit must be at least 1" }).max(200, { message: "limit can be at most 200" }).default(50).meta({ description: "Connections per page (1–200).", example: 50 }),
    cursor: z.string().max(500).optional().meta({ description: "next_cursor from the previous page." }),
    mailbox: z.string().trim().toLowerCase().max(320).optional().meta({ description: "Only the connection of this mailbox address (case-insensitive).", example: "support@contoso.com" }),
  })
  .strict();

export const tokenRequest = z
  .object({
    resource: resourceSchema,
    format: z.literal("xoauth2", { message: 'format can only be "xoauth2"' }).optional().meta({ description: 'With "xoauth2" the answer also carries the SASL XOAUTH2 string (base64) for IMAP, POP and SMTP clients.' }),
  })
  .strict()
  .meta({ id: "TokenRequest" });

const timestamp = z.iso.datetime().meta({ description: "ISO 8601, UTC." });

export const healthSchema = z.enum(["healthy", "degraded", "at_risk", "failing", "unknown"]).meta({
  id: "Health",
  description: "Whether the connection works now: healthy; degraded (transient failures); at_risk (works, but will stop unless someone acts); failing; unknown (not checked yet).",
});

export const diagnosisSchema = z
  .object({
    code: z.string().meta({ example: "AADSTS700082" }),
    title: z.string(),
    meaning: z.string(),
    cause: z.string(),
    fix: z.string(),
    class: z.enum(["needs_reconsent", "misconfigured", "blocked", "transient"]).optional(),
  })
  .meta({ id: "Diagnosis", description: "What an error means and how to fix it, from Mailgrant's diagnosis catalog." });

export const connectionSchema = z
  .object({
    id: uuid,
    mailbox: z.email().meta({ example: "support@contoso.com" }),
    kind: z.enum(["user", "shared"]).meta({ description: "shared: a shared mailbox reached through a delegate's grant (use the mailbox address as the XOAUTH2 user)." }),
    integration: z.object({ id: uuid, name: z.string() }),
    status: z.enum(["connected", "needs_reconsent", "revoked"]).meta({ description: "The grant's consent state." }),
    health: healthSchema,
    health_reason: z.string().nullable(),
    granted_scopes: z.array(z.string()),
    resources: z.array(resourceSchema).meta({ description: "The resources this connection's integration can get tokens for." }),
    last_check_at: timestamp.nullable(),
  })
  .meta({ id: "Connection" });

export const connectionListSchema = z
  .object({ data: z.array(connectionSchema), next_cursor: z.string().nullable().meta({ description: "Pass as cursor for the next page; null on the last page." }) })
  .meta({ id: "ConnectionList" });

export const protocolResultSchema = z.enum(["ok", "failed", "skipped"]);

export const lastCheckSchema = z
  .object({
    at: timestamp,
    outcome: z.enum(["passed", "degraded", "failed"]),
    trigger: z.enum(["scheduled", "manual", "api"]),
    duration_ms: z.number().int(),
    protocols: z.object({ graph: protocolResultSchema.optional(), imap: protocolResultSchema.optional(), pop: protocolResultSchema.optional(), smtp: protocolResultSchema.optional() }),
    failure: diagnosisSchema.nullable(),
  })
  .meta({ id: "LastCheck" });

export const connectionDetailSchema = connectionSchema
  .extend({
    health_code: z.string().nullable(),
    diagnosis: diagnosisSchema.nullable().meta({ description: "When not healthy: what is wrong and the fix." }),
    last_check: lastCheckSchema.nullable(),
    mailbox_url: z.url().meta({ description: "The mailbox's page in the portal (for an admin)." }),
  })
  .meta({ id: "ConnectionDetail" });

export const tokenSchema = z
  .object({
    access_token: z.string().meta({ description: "Send as `Authorization: Bearer …` to Graph, or inside XOAUTH2 to Exchange Online. Treat it as opaque." }),
    token_type: z.literal("Bearer"),
    expires_at: timestamp.meta({ description: "At least 5 minutes ahead. Reuse the token until shortly before." }),
    expires_in: z.number().int().meta({ description: "Seconds until expires_at." }),
    scope: z.string().meta({ description: "The scopes Microsoft granted for this token, space separated." }),
    mailbox: z.email().meta({ description: "The mailbox the token is for: the XOAUTH2 user (for a shared mailbox, the shared address)." }),
    resource: resourceSchema,
    xoauth2: z.string().optional().meta({ description: 'With format "xoauth2": base64 of "user=<mailbox>\\x01auth=Bearer <token>\\x01\\x01", ready for AUTHENTICATE XOAUTH2 (IMAP), AUTH XOAUTH2 (POP, SMTP).' }),
  })
  .meta({ id: "AccessToken" });

export const checkStepSchema = z.object({
  id: z.string().meta({ example: "imap" }),
  label: z.string(),
  status: z.enum(["ok", "failed", "skipped"]),
  detail: z.string().optional(),
  diagnosis: diagnosisSchema.optional(),
  reply: z.string().optional().meta({ description: "The server's exact reply, for a failed mail protocol step." }),
});

export const checkResultSchema = z
  .object({
    ok: z.boolean(),
    health: healthSchema,
    started_at: timestamp,
    finished_at: timestamp,
    steps: z.array(checkStepSchema),
  })
  .meta({ id: "CheckResult" });

export const pingSchema = z.object({ ok: z.literal(true) }).meta({ id: "Ping" });

const codes = Object.keys(API_ERRORS) as [ApiErrorCode, ...ApiErrorCode[]];
export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum(codes),
      message: z.string(),
      field: z.string().optional().meta({ description: "invalid_request: the parameter or body field at fault." }),
      diagnosis: diagnosisSchema.optional(),
      mailbox_url: z.url().optional(),
      retry_after: z.number().int().optional().meta({ description: "Seconds to wait (also the Retry-After header)." }),
      request_id: z.string().optional(),
    }),
  })
  .meta({ id: "Error" });

export type ConnectionOut = z.infer<typeof connectionSchema>;
export type ConnectionDetailOut = z.infer<typeof connectionDetailSchema>;
export type TokenOut = z.infer<typeof tokenSchema>;
export type CheckResultOut = z.infer<typeof checkResultSchema>;
export type DiagnosisOut = z.infer<typeof diagnosisSchema>;
