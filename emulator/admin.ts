import type { ServerResponse } from "node:http";
import { z } from "zod";
import { ERROR_CATALOG } from "./error-catalog";
import type { EmulatorContext } from "./context";
import { sendJson } from "./http";
import { guid } from "./ids";
import { CertificateError } from "./certificates";
import { parseSeed, seedAppSchema, seedCertificateSchema, seedSecretSchema, seedTenantSchema, seedUserSchema, SeedError, subcloudCheck, subcloudIssue, type Seed } from "./seed";
import { canonicalScopes, findConsents, grantConsent, revokeConsents, type ConsentFilter } from "./consent";
import { partitionOf } from "./resources";
import { ConflictError, NotFoundError, ValidationError, type App, type Consent, type EmulatorState } from "./state";
import { describeFaultKinds, FaultBodyError, parseFault } from "./fault-kinds";
import { generate, generateBody, grantsBody, mintGrants } from "./generate";

export interface AdminRequest {
  ctx: EmulatorContext;
  method: string;
  /** Path segments after `/_emulator`. */
  path: string[];
  query: URLSearchParams;
  body: string;
  res: ServerResponse;
  /** Reloads the configured seed (for reset without a body). */
  loadDefaultSeed: () => Promise<Seed>;
}

class BadRequest extends Error {}

function parseJson(body: string): unknown {
  try {
    return body.trim() ? JSON.parse(body) : {};
  } catch {
    throw new BadRequest("body is not JSON");
  }
}

function parseBody<T extends z.ZodType>(schema: T, body: string): z.infer<T> {
  const raw = parseJson(body);
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new BadRequest(`${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

const tenantBody = seedTenantSchema
  .omit({ domains: true, users: true })
  .extend({ domain: z.string().min(3) })
  .strict()
  .refine(subcloudCheck, subcloudIssue);
const userBody = seedUserSchema;
const patchUserBody = z
  .object({
    admin: z.boolean().optional(),
    delegates: z.array(z.string().min(1)).optional(),
    displayName: z.string().min(1).optional(),
    /** Exchange's Set-CASMailbox -SmtpClientAuthenticationDisabled: true, false, or null to follow the tenant. */
    smtpAuthDisabled: z.boolean().nullable().optional(),
  })
  .strict();
const consentBody = z
  .object({
    clientId: z.string().min(1),
    /** Tenant GUID or verified domain. */
    tenant: z.string().min(1),
    /** Absent: tenant-wide (admin) consent. */
    upn: z.string().min(1).optional(),
    /** Scopes as /authorize takes them (`Mail.Read`, `https://outlook.office.com/IMAP.AccessAsUser.All`, `https://graph.microsoft.com/.default`); a string is split on spaces. */
    scopes: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
  })
  .strict();
const appBody = seedAppSchema.omit({ homeTenant: true }).extend({ secrets: z.array(seedSecretSchema).optional() }).strict();
const patchAppBody = z
  .object({
    redirectUris: z.array(z.url()).optional(),
    multiTenant: z.boolean().optional(),
    displayName: z.string().min(1).optional(),
    appPermissions: seedAppSchema.shape.appPermissions.optional(),
    preAuthorized: z.boolean().optional(),
  })
  .strict();
const patchTenantBody = z
  .object({
    exchangeOnline: z.boolean().optional(),
    displayName: z.string().min(1).optional(),
    userConsent: z.enum(["allowed", "disabled"]).optional(),
    smtpAuthDisabled: z.boolean().optional(),
  })
  .strict();
const uriBody = z.object({ uri: z.url() }).strict();
const clockBody = z.object({ advanceSeconds: z.number() }).strict();
const revokeBody = z.object({ upn: z.string().optional(), clientId: z.string().optional() }).strict();
/** Makes refresh tokens look unused for `days` (default 91): the next refresh answers 700082. */
const inactiveBody = revokeBody.extend({ days: z.number().positive().max(3650).default(91) }).strict();

function refreshTokensMatching(req: AdminRequest, filter: { upn?: string | undefined; clientId?: string | undefined }) {
  const { state } = req.ctx;
  const user = filter.upn ? state.findUserByUpn(filter.upn) : undefined;
  if (filter.upn && !user) throw new NotFoundError(`no user ${filter.upn}`);
  return [...state.refreshTokens.values()].filter(
    (rt) => (!user || rt.userId === user.id) && (!filter.clientId || rt.clientId === filter.clientId.toLowerCase()),
  );
}

function findApp(req: AdminRequest, clientId: string | undefined): App {
  const app = req.ctx.state.apps.get((clientId ?? "").toLowerCase());
  if (!app) throw new NotFoundError(`no app ${clientId}`);
  return app;
}

function findTenantOrThrow(req: AdminRequest, key: string | undefined) {
  const tenant = req.ctx.state.findTenant(key ?? "");
  if (!tenant) throw new NotFoundError(`no tenant ${key}`);
  return tenant;
}

function findUserOrThrow(req: AdminRequest, idOrUpn: string | undefined) {
  let key = idOrUpn ?? "";
  try {
    key = decodeURIComponent(key); // a UPN in the path may come as user%40domain
  } catch {
    // not percent-encoded: use as is
  }
  const user = req.ctx.state.findUser(key);
  if (!user) throw new NotFoundError(`no user ${idOrUpn}`);
  return user;
}

/** `?clientId=&tenant=&upn=&tenantWide=` on GET/DELETE /consents; every filter given narrows. */
function consentFilter(req: AdminRequest): ConsentFilter {
  const q = req.query;
  const clientId = q.get("clientId");
  const tenant = q.get("tenant");
  const upn = q.get("upn");
  const tenantWide = q.get("tenantWide");
  if (tenantWide !== null && tenantWide !== "true" && tenantWide !== "false") throw new BadRequest("tenantWide: must be true or false");
  return {
    ...(clientId ? { clientId } : {}),
    ...(tenant ? { tenant: findTenantOrThrow(req, tenant) } : {}),
    ...(upn ? { user: findUserOrThrow(req, upn) } : {}),
    ...(tenantWide !== null ? { tenantWide: tenantWide === "true" } : {}),
  };
}

/** Consent records with the user's UPN alongside the id, for people reading the admin API. */
function describeConsent(state: EmulatorState, c: Consent): Consent & { upn?: string } {
  const upn = c.userId ? state.users.get(c.userId)?.upn : undefined;
  return { ...c, ...(upn ? { upn } : {}) };
}

type Answer = [number, unknown];
/** A route's handler gets the request and the `:name` segments of its path. */
type Handler = (req: AdminRequest, params: Record<string, string>) => Answer | Promise<Answer>;
interface AdminRoute {
  method: string;
  /** Segments after `/_emulator`; `:name` matches any one segment. */
  path: string;
  handler: Handler;
}

const stateAnswer = (req: AdminRequest): Answer => [200, { ...req.ctx.state.snapshot(), mail: req.ctx.mail }];

function patchUser(req: AdminRequest, p: Record<string, string>): Answer {
  const { state } = req.ctx;
  const user = findUserOrThrow(req, p.user);
  const body = parseBody(patchUserBody, req.body);
  if (body.admin && user.kind === "shared") throw new ValidationError("admin: a shared mailbox cannot sign in, so it cannot be an administrator");
  if (body.delegates !== undefined && user.kind !== "shared") throw new ValidationError("delegates: only a shared mailbox has delegates");
  const tenant = findTenantOrThrow(req, user.tenantId);
  const delegates = body.delegates !== undefined ? state.resolveDelegates(tenant, body.delegates) : undefined;
  if (body.admin !== undefined) user.admin = body.admin;
  if (delegates !== undefined) user.delegates = delegates;
  if (body.displayName !== undefined) user.displayName = body.displayName;
  if (body.smtpAuthDisabled !== undefined) user.smtpAuthDisabled = body.smtpAuthDisabled;
  return [200, user];
}

function postConsent(req: AdminRequest): Answer {
  const { state } = req.ctx;
  const body = parseBody(consentBody, req.body);
  const app = findApp(req, body.clientId);
  const tenant = findTenantOrThrow(req, body.tenant);
  if (app.homeTenantId !== tenant.id && !(app.multiTenant && state.tenants.get(app.homeTenantId)?.cloud === tenant.cloud)) {
    throw new ValidationError(`clientId: app ${app.clientId} is not available in tenant ${tenant.domains[0] ?? tenant.id} (single-tenant or another cloud)`);
  }
  const user = body.upn ? findUserOrThrow(req, body.upn) : undefined;
  if (user && (user.tenantId !== tenant.id || user.kind !== "user")) {
    throw new ValidationError(`upn: ${body.upn} is not a user of tenant ${tenant.domains[0] ?? tenant.id} who can sign in`);
  }
  const requested = typeof body.scopes === "string" ? body.scopes.split(/\s+/).filter(Boolean) : body.scopes;
  const { scopes, unknown } = canonicalScopes(requested, partitionOf(tenant));
  if (unknown.length > 0) throw new ValidationError(`scopes: tenant ${tenant.domains[0] ?? tenant.id} has no resource ${unknown[0]}`);
  const consent = grantConsent(state, { clientId: app.clientId, tenantId: tenant.id, ...(user ? { userId: user.id } : {}), scopes });
  return [201, describeConsent(state, consent)];
}

function patchApp(req: AdminRequest, p: Record<string, string>): Answer {
  const app = findApp(req, p.app);
  const body = parseBody(patchAppBody, req.body);
  if (body.redirectUris) app.redirectUris = [...body.redirectUris];
  if (body.multiTenant !== undefined) app.multiTenant = body.multiTenant;
  if (body.displayName !== undefined) app.displayName = body.displayName;
  if (body.appPermissions !== undefined) app.appPermissions = structuredClone(body.appPermissions);
  if (body.preAuthorized !== undefined) app.preAuthorized = body.preAuthorized;
  return [200, app];
}

function patchTenant(req: AdminRequest, p: Record<string, string>): Answer {
  const tenant = findTenantOrThrow(req, p.tenant);
  const body = parseBody(patchTenantBody, req.body);
  if (body.exchangeOnline !== undefined) tenant.exchangeOnline = body.exchangeOnline;
  if (body.displayName !== undefined) tenant.displayName = body.displayName;
  if (body.userConsent !== undefined) tenant.userConsent = body.userConsent;
  if (body.smtpAuthDisabled !== undefined) tenant.smtpAuthDisabled = body.smtpAuthDisabled;
  return [200, tenant];
}

/** Every admin route; the first whose method and path match answers. */
const ROUTES: AdminRoute[] = [
  { method: "GET", path: "state", handler: stateAnswer },
  { method: "GET", path: "errors", handler: () => [200, ERROR_CATALOG] },
  {
    method: "POST",
    path: "reset",
    handler: async (req) => {
      req.ctx.state.load(req.body.trim() ? parseSeed(JSON.parse(req.body), "request body") : await req.loadDefaultSeed());
      return stateAnswer(req);
    },
  },
  {
    method: "POST",
    path: "tenants",
    handler: (req) => {
      const { domain, ...rest } = parseBody(tenantBody, req.body);
      return [201, req.ctx.state.addTenant({ ...rest, domains: [domain] })];
    },
  },
  { method: "PATCH", path: "tenants/:tenant", handler: patchTenant },
  { method: "POST", path: "tenants/:tenant/users", handler: (req, p) => [201, req.ctx.state.addUser(findTenantOrThrow(req, p.tenant), parseBody(userBody, req.body))] },
  {
    method: "POST",
    path: "tenants/:tenant/apps",
    handler: (req, p) => {
      const body = parseBody(appBody, req.body);
      // Like the Azure portal's "New client secret": an app created here gets one unless told otherwise.
      return [201, req.ctx.state.addApp(findTenantOrThrow(req, p.tenant), { ...body, secrets: body.secrets ?? [{}] })];
    },
  },
  { method: "PATCH", path: "users/:user", handler: patchUser },
  { method: "GET", path: "consents", handler: (req) => [200, findConsents(req.ctx.state, consentFilter(req)).map((x) => describeConsent(req.ctx.state, x))] },
  { method: "DELETE", path: "consents", handler: (req) => [200, revokeConsents(req.ctx.state, consentFilter(req))] },
  { method: "POST", path: "consents", handler: postConsent },
  { method: "PATCH", path: "apps/:app", handler: patchApp },
  {
    method: "POST",
    path: "apps/:app/redirect-uris",
    handler: (req, p) => {
      const app = findApp(req, p.app);
      const { uri } = parseBody(uriBody, req.body);
      if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
      return [200, app];
    },
  },
  { method: "POST", path: "apps/:app/certificates", handler: (req, p) => [201, req.ctx.state.addCertificate(findApp(req, p.app), parseBody(seedCertificateSchema, req.body).certificatePem)] },
  { method: "POST", path: "apps/:app/secrets", handler: (req, p) => [201, req.ctx.state.addSecret(findApp(req, p.app), parseBody(seedSecretSchema, req.body))] },
  { method: "GET", path: "faults", handler: (req) => [200, req.ctx.state.faults] },
  { method: "GET", path: "faults/kinds", handler: () => [200, describeFaultKinds()] },
  {
    method: "DELETE",
    path: "faults",
    handler: (req) => {
      req.ctx.state.faults = [];
      return [200, req.ctx.state.faults];
    },
  },
  {
    method: "POST",
    path: "faults",
    handler: (req) => {
      const fault = parseFault(parseJson(req.body), guid());
      req.ctx.state.faults.push(fault);
      return [201, fault];
    },
  },
  {
    method: "POST",
    path: "clock",
    handler: (req) => {
      const { state } = req.ctx;
      state.advanceClock(parseBody(clockBody, req.body).advanceSeconds * 1000);
      return [200, { now: new Date(state.now()).toISOString(), clockOffsetMs: state.clockOffsetMs }];
    },
  },
  {
    method: "POST",
    path: "refresh-tokens/revoke",
    handler: (req) => {
      let revoked = 0;
      for (const rt of refreshTokensMatching(req, parseBody(revokeBody, req.body))) if (req.ctx.state.revokeRefreshToken(rt)) revoked += 1;
      return [200, { revoked }];
    },
  },
  {
    method: "POST",
    path: "refresh-tokens/inactive",
    handler: (req) => {
      const body = parseBody(inactiveBody, req.body);
      const lastUsedAt = req.ctx.state.now() - body.days * 86_400_000;
      const tokens = refreshTokensMatching(req, body);
      for (const rt of tokens) rt.lastUsedAt = Math.min(rt.lastUsedAt, lastUsedAt);
      return [200, { inactive: tokens.length, lastUsedAt: new Date(lastUsedAt).toISOString() }];
    },
  },
  { method: "POST", path: "generate", handler: (req) => [201, generate(req.ctx.state, parseBody(generateBody, req.body))] },
  { method: "POST", path: "grants", handler: (req) => [201, mintGrants(req.ctx.state, parseBody(grantsBody, req.body))] },
  {
    method: "GET",
    path: "outbox",
    handler: (req) => {
      const mailbox = req.query.get("mailbox")?.toLowerCase();
      return [200, req.ctx.state.outbox.filter((x) => !mailbox || x.mailbox.toLowerCase() === mailbox || x.from.toLowerCase() === mailbox)];
    },
  },
  {
    method: "DELETE",
    path: "outbox",
    handler: (req) => {
      const removed = req.ctx.state.outbox.length;
      req.ctx.state.outbox.clear();
      return [200, { removed }];
    },
  },
  { method: "GET", path: "mail-log", handler: (req) => [200, req.ctx.state.mailAuthLog] },
  {
    method: "GET",
    path: "mailboxes/:user",
    handler: (req, p) => {
      const { state } = req.ctx;
      const user = findUserOrThrow(req, p.user);
      const box = state.mailboxOf(user);
      return [200, { upn: user.upn, kind: user.kind, smtpAuthDisabled: state.smtpAuthDisabledFor(user), inbox: box.inbox, sentItems: box.sentItems }];
    },
  },
];

const COMPILED = ROUTES.map((r) => ({ ...r, segments: r.path.split("/") }));

function matchRoute(method: string, path: string[]): { handler: Handler; params: Record<string, string> } | undefined {
  for (const r of COMPILED) {
    if (r.method !== method || r.segments.length !== path.length) continue;
    const params: Record<string, string> = {};
    const ok = r.segments.every((seg, i) => {
      if (seg.startsWith(":")) params[seg.slice(1)] = path[i]!;
      return seg.startsWith(":") || seg === path[i];
    });
    if (ok) return { handler: r.handler, params };
  }
  return undefined;
}

async function route(req: AdminRequest): Promise<Answer> {
  const found = matchRoute(req.method, req.path);
  if (!found) throw new NotFoundError(`no admin route ${req.method} /_emulator/${req.path.join("/")}`);
  return found.handler(req, found.params);
}

export async function handleAdmin(req: AdminRequest): Promise<void> {
  try {
    const [status, body] = await route(req);
    sendJson(req.res, status, body);
  } catch (err) {
    const status =
      err instanceof NotFoundError ? 404 : err instanceof ConflictError ? 409 : err instanceof BadRequest || err instanceof FaultBodyError || err instanceof ValidationError || err instanceof SeedError || err instanceof CertificateError || err instanceof SyntaxError ? 400 : 500;
    if (status === 500) throw err;
    sendJson(req.res, status, { error: { code: status === 404 ? "not_found" : status === 409 ? "conflict" : "invalid_body", message: (err as Error).message } });
  }
}
