// Fault kinds: one entry per shape, with its admin-API schema, where it matches and what it does.
// A new fault shape is one more entry in FAULT_KINDS (and a branch where its endpoint answers it).
import { z } from "zod";
import { ERROR_CATALOG } from "./error-catalog";

export type IdentityEndpoint = "authorize" | "token" | "adminconsent";
export type MailProtocol = "imap" | "pop" | "smtp";
/** The identity platform's metadata documents: OpenID configuration and the JWKS. */
export type MetadataEndpoint = "discovery" | "keys";
export type FaultEndpoint = IdentityEndpoint | MetadataEndpoint | "graph" | MailProtocol;
export const FAULT_ENDPOINTS = ["authorize", "token", "adminconsent", "discovery", "keys", "graph", "imap", "pop", "smtp"] as const satisfies readonly FaultEndpoint[];

/** HTTP statuses a Graph fault may answer with (each with Graph's error body, see graph.ts). */
export const GRAPH_FAULT_STATUSES = [401, 403, 429, 500, 502, 503, 504] as const;
/** HTTP statuses the token and metadata endpoints may answer with (a throttled or failing front door). */
export const HTTP_FAULT_STATUSES = [429, 500, 502, 503, 504] as const;
/** How an HTTP fault mangles the body (of the real answer, or of its `status` answer). */
export const HTTP_FAULT_BODIES = ["malformed", "truncated", "empty", "html", "aborted"] as const;

const MAIL = new Set<string>(["imap", "pop", "smtp"]);
const METADATA = new Set<string>(["discovery", "keys"]);

const delayMs = z.number().int().positive().max(600_000);
const retryAfterSeconds = z.number().int().min(0).max(86_400);
/** A count, or "untilCleared" (DELETE /faults) for an outage that lasts. */
const times = z.union([z.number().int().positive(), z.literal("untilCleared")]).default(1);
const filters = { clientId: z.string().optional(), tenant: z.string().optional(), upn: z.string().optional() };

type Issue = (path: string, message: string) => void;
function refine<T>(check: (f: T, issue: Issue) => void) {
  return (f: T, ctx: z.RefinementCtx) => check(f, (path, message) => ctx.addIssue({ code: "custom", path: [path], message }));
}

const identitySchema = z
  .object({
    kind: z.literal("identity").optional(),
    endpoint: z.enum(["authorize", "token", "adminconsent"]),
    /** The AADSTS code to answer with (only codes in the catalog). */
    code: z.number().int().positive(),
    ...filters,
    grantType: z.string().optional(),
    times,
    delivery: z.enum(["redirect", "page"]).default("redirect"),
    /** Token endpoint only: answer this late (matched before validation). */
    delayMs: delayMs.optional(),
    /** Token endpoint only: close the socket instead (the code is kept but never sent). */
    drop: z.literal(true).optional(),
  })
  .strict()
  .superRefine(
    refine((f, issue) => {
      if (f.endpoint !== "token" && (f.delayMs !== undefined || f.drop)) issue("endpoint", "delayMs and drop are only for the token endpoint, discovery, keys, graph, imap, pop and smtp");
      if (f.grantType !== undefined && f.endpoint !== "token") issue("grantType", "grantType is only for the token endpoint");
      if (!ERROR_CATALOG[f.code]) issue("code", `AADSTS${f.code} is not in the emulator's catalog`);
    }),
  );

const httpSchema = z
  .object({
    kind: z.literal("http").optional(),
    endpoint: z.enum(["token", "discovery", "keys"]),
    /** Answer with this status and an OAuth-style JSON error body instead of the real answer. */
    status: z.union(HTTP_FAULT_STATUSES.map((s) => z.literal(s))).optional(),
    /** The Retry-After header (seconds); 429 defaults to 60, as the identity platform sends. */
    retryAfterSeconds: retryAfterSeconds.optional(),
    /** Mangle the body: not JSON, cut short, empty, an HTML error page, or the connection closed mid-body. */
    body: z.enum(HTTP_FAULT_BODIES).optional(),
    /** Send this Content-Type instead of the real one. */
    contentType: z.string().min(1).max(200).optional(),
    /** Send the headers at once, then the body in pieces over this many milliseconds. */
    slowBodyMs: delayMs.optional(),
    /** Wait this long before answering at all. */
    delayMs: delayMs.optional(),
    ...filters,
    grantType: z.string().optional(),
    times,
  })
  .strict()
  .superRefine(
    refine((f, issue) => {
      if (f.status === undefined && f.body === undefined && f.contentType === undefined && f.slowBodyMs === undefined) {
        issue("status", "needs status, body, contentType or slowBodyMs");
      }
      if (f.retryAfterSeconds !== undefined && f.status === undefined) issue("retryAfterSeconds", "Retry-After goes with a status");
      if (METADATA.has(f.endpoint) && (f.clientId !== undefined || f.upn !== undefined || f.grantType !== undefined)) {
        issue("endpoint", "discovery and keys faults match tenant only");
      }
      if (f.grantType !== undefined && f.endpoint !== "token") issue("grantType", "grantType is only for the token endpoint");
    }),
  );

const graphSchema = z
  .object({
    kind: z.literal("graph").optional(),
    endpoint: z.literal("graph"),
    /** Answer with this status and Graph's error body once the token checks pass (401 for a claims challenge). */
    status: z.number().int().optional(),
    retryAfterSeconds: retryAfterSeconds.optional(),
    /** 401 with a CAE claims challenge (`error="insufficient_claims"`). */
    claimsChallenge: z.literal(true).optional(),
    /** Answer this late (matched before validation). */
    delayMs: delayMs.optional(),
    ...filters,
    times,
  })
  .strict()
  .superRefine(
    refine((f, issue) => {
      if (f.status !== undefined && !(GRAPH_FAULT_STATUSES as readonly number[]).includes(f.status)) issue("status", `must be one of ${GRAPH_FAULT_STATUSES.join(", ")}`);
      if (f.claimsChallenge && f.status !== undefined && f.status !== 401) issue("status", "a claims challenge is a 401");
      if (f.status === undefined && !f.claimsChallenge) issue("status", "needs status, claimsChallenge, delayMs or drop");
    }),
  )
  .transform((f) => (f.claimsChallenge ? { ...f, status: 401 } : f));

const mailSchema = z
  .object({
    kind: z.literal("mail").optional(),
    endpoint: z.enum(["imap", "pop", "smtp"]),
    /** Exchange's busy answers. */
    code: z.literal("throttle").optional(),
    /**
     * A refused XOAUTH2 sign-in first answers with a SASL challenge carrying a base64 JSON error (as Dovecot and
     * Google do, RFC 7628 §3.2.3) and waits for the client's empty line (or `*`) before the final failure. Used up
     * only by a failed sign-in.
     */
    challengeOnFailure: z.literal(true).optional(),
    /** Wait this long before the busy answer. */
    delayMs: delayMs.optional(),
    ...filters,
    times,
  })
  .strict()
  .superRefine(
    refine((f, issue) => {
      if ((f.code === undefined) === (f.challengeOnFailure === undefined)) issue("code", 'needs code: "throttle" or challengeOnFailure: true (one of them)');
      if (f.challengeOnFailure && f.delayMs !== undefined) issue("delayMs", "delayMs goes with a throttle (use a network fault to delay AUTH)");
    }),
  );

const networkSchema = z
  .object({
    kind: z.literal("network").optional(),
    endpoint: z.enum(["token", "discovery", "keys", "graph", "imap", "pop", "smtp"]),
    /** HTTP: answer this late; mail: greet (no filter) or answer AUTH (a filter) this late. */
    delayMs: delayMs.optional(),
    /** HTTP: destroy the socket without an answer; mail: close before TLS (no filter) or instead of the AUTH reply. */
    drop: z.literal(true).optional(),
    ...filters,
    grantType: z.string().optional(),
    times,
  })
  .strict()
  .superRefine(
    refine((f, issue) => {
      if (f.delayMs === undefined && !f.drop) issue("delayMs", "needs delayMs or drop");
      if (f.grantType !== undefined && f.endpoint !== "token") issue("grantType", "grantType is only for the token endpoint");
      if (METADATA.has(f.endpoint) && (f.clientId !== undefined || f.upn !== undefined)) issue("endpoint", "discovery and keys faults match tenant only");
    }),
  );

type Stored<S extends z.ZodType, K extends string> = Omit<z.output<S>, "kind" | "times"> & {
  kind: K;
  id: string;
  /** Uses left; null fires until the faults are cleared. */
  remaining: number | null;
};

export type IdentityFault = Stored<typeof identitySchema, "identity">;
export type HttpFault = Stored<typeof httpSchema, "http">;
export type GraphFault = Stored<typeof graphSchema, "graph">;
export type MailFault = Stored<typeof mailSchema, "mail">;
export type NetworkFault = Stored<typeof networkSchema, "network">;
export type Fault = IdentityFault | HttpFault | GraphFault | MailFault | NetworkFault;
export type FaultKind = Fault["kind"];

interface FaultKindSpec {
  /** Where the kind can be injected. */
  endpoints: readonly FaultEndpoint[];
  schema: z.ZodType<{ endpoint: FaultEndpoint; times: number | "untilCleared" }>;
  /** Whether a body without `kind` means this kind (the admin API's older, flat requests). */
  recognizes(body: Record<string, unknown>): boolean;
  /**
   * Early faults are matched as the request arrives, before any validation (so even a malformed request hangs,
   * drops or gets a 503); late ones once the request is understood (an AADSTS answer, a Graph status after the token check).
   */
  early(f: Fault): boolean;
  /** For the README: where it matches and what it does. */
  doc: string;
}

const has = (b: Record<string, unknown>, ...keys: string[]) => keys.some((k) => b[k] !== undefined);

/** In recognition order: the first kind that recognizes a body without `kind` parses it. */
export const FAULT_KINDS: Record<FaultKind, FaultKindSpec> = {
  http: {
    endpoints: ["token", "discovery", "keys"],
    schema: httpSchema,
    recognizes: (b) => (b.endpoint === "token" || METADATA.has(String(b.endpoint))) && has(b, "status", "body", "contentType", "slowBodyMs", "retryAfterSeconds"),
    early: () => true,
    doc: "token, discovery, keys: before validation; answers a status with Retry-After, or mangles the (real or status) answer",
  },
  identity: {
    endpoints: ["authorize", "adminconsent", "token"],
    schema: identitySchema,
    recognizes: (b) => b.endpoint === "authorize" || b.endpoint === "adminconsent" || (b.endpoint === "token" && has(b, "code")),
    early: (f) => f.kind === "identity" && (f.delayMs !== undefined || f.drop === true),
    doc: "authorize, adminconsent, token: once the app (and user, with upn) is known; answers the AADSTS error",
  },
  graph: {
    endpoints: ["graph"],
    schema: graphSchema,
    recognizes: (b) => b.endpoint === "graph" && (has(b, "status", "claimsChallenge", "retryAfterSeconds", "code") || !has(b, "delayMs", "drop")),
    early: (f) => f.kind === "graph" && f.delayMs !== undefined,
    doc: "graph: after the token checks; answers Graph's error body",
  },
  mail: {
    endpoints: ["imap", "pop", "smtp"],
    schema: mailSchema,
    recognizes: (b) => MAIL.has(String(b.endpoint)) && has(b, "code", "challengeOnFailure"),
    early: () => false,
    doc: "imap, pop, smtp: at AUTH; Exchange's busy answers (code: throttle), or a SASL error challenge before a refused XOAUTH2 (challengeOnFailure)",
  },
  network: {
    endpoints: ["token", "discovery", "keys", "graph", "imap", "pop", "smtp"],
    schema: networkSchema,
    recognizes: () => true,
    early: () => true,
    doc: "token, discovery, keys, graph: before validation; imap, pop, smtp: at connect (no filter) or AUTH",
  },
};

/** What `GET /_emulator/faults/kinds` answers: each kind, where it can go and what it does. */
export function describeFaultKinds(): { kind: FaultKind; endpoints: readonly FaultEndpoint[]; doc: string }[] {
  return (Object.keys(FAULT_KINDS) as FaultKind[]).map((kind) => ({ kind, endpoints: FAULT_KINDS[kind].endpoints, doc: FAULT_KINDS[kind].doc }));
}

export class FaultBodyError extends Error {}

/** Parses an admin-API fault request (with or without `kind`) into a stored fault, or throws naming the field. */
export function parseFault(raw: unknown, id: string): Fault {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new FaultBodyError("body: must be an object");
  const body = raw as Record<string, unknown>;
  if (!FAULT_ENDPOINTS.includes(body.endpoint as FaultEndpoint)) throw new FaultBodyError(`endpoint: must be one of ${FAULT_ENDPOINTS.join(", ")}`);
  if (body.kind !== undefined && !(typeof body.kind === "string" && body.kind in FAULT_KINDS)) {
    throw new FaultBodyError(`kind: must be one of ${Object.keys(FAULT_KINDS).join(", ")}`);
  }
  if (body.code === "throttle" && !MAIL.has(String(body.endpoint))) throw new FaultBodyError('code: "throttle" is only for imap, pop and smtp');
  const kind = (body.kind as FaultKind | undefined) ?? (Object.keys(FAULT_KINDS) as FaultKind[]).find((k) => FAULT_KINDS[k].recognizes(body))!;
  if (!FAULT_KINDS[kind].endpoints.includes(body.endpoint as FaultEndpoint)) {
    throw new FaultBodyError(`endpoint: a ${kind} fault goes on ${FAULT_KINDS[kind].endpoints.join(", ")}`);
  }
  const result = FAULT_KINDS[kind].schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FaultBodyError(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"} (a ${kind} fault)`);
  }
  const { times: count, ...rest } = result.data as { times: number | "untilCleared" } & Record<string, unknown>;
  return { ...rest, kind, id, remaining: count === "untilCleared" ? null : count } as Fault;
}
