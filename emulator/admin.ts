import type { ServerResponse } from "node:http";
import { z } from "zod";
import { ERROR_CATALOG } from "./error-catalog";
import type { EmulatorContext } from "./context";
import { sendJson } from "./http";
import { guid } from "./ids";
import { CertificateError } from "./certificates";
import { parseSeed, seedAppSchema, seedCertificateSchema, seedSecretSchema, seedTenantSchema, seedUserSchema, SeedError, subcloudCheck, subcloudIssue, type Seed } from "./seed";
import { ConflictError, NotFoundError, type App, type Fault } from "./state";

export interface AdminRequest {
  ctx: EmulatorContext;
  method: string;
  /** Path segments after `/_emulator`. */
  path: string[];
  body: string;
  res: ServerResponse;
  /** Reloads the configured seed (for reset without a body). */
  loadDefaultSeed: () => Promise<Seed>;
}

class BadRequest extends Error {}

function parseBody<T extends z.ZodType>(schema: T, body: string): z.infer<T> {
  let raw: unknown;
  try {
    raw = body.trim() ? JSON.parse(body) : {};
  } catch {
    throw new BadRequest("body is not JSON");
  }
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
const appBody = seedAppSchema.omit({ homeTenant: true }).extend({ secrets: z.array(seedSecretSchema).optional() }).strict();
const patchAppBody = z
  .object({
    redirectUris: z.array(z.url()).optional(),
    multiTenant: z.boolean().optional(),
    displayName: z.string().min(1).optional(),
    appPermissions: seedAppSchema.shape.appPermissions.optional(),
  })
  .strict();
const patchTenantBody = z.object({ exchangeOnline: z.boolean().optional(), displayName: z.string().min(1).optional() }).strict();
const uriBody = z.object({ uri: z.url() }).strict();
const faultBody = z
  .object({
    endpoint: z.enum(["authorize", "token"]),
    code: z.number().int().positive().optional(),
    clientId: z.string().optional(),
    tenant: z.string().optional(),
    upn: z.string().optional(),
    grantType: z.string().optional(),
    times: z.number().int().positive().default(1),
    delivery: z.enum(["redirect", "page"]).default("redirect"),
    /** Token endpoint only: answer after this many milliseconds (with `code`, or normally without). */
    delayMs: z.number().int().positive().max(600_000).optional(),
    /** Token endpoint only: close the connection without answering. */
    drop: z.literal(true).optional(),
  })
  .strict()
  .refine((f) => f.endpoint === "token" || (f.delayMs === undefined && f.drop === undefined), {
    message: "delayMs and drop are only for the token endpoint",
    path: ["endpoint"],
  })
  .refine((f) => f.code !== undefined || f.delayMs !== undefined || f.drop !== undefined, {
    message: "needs code, delayMs or drop",
    path: ["code"],
  });
const clockBody = z.object({ advanceSeconds: z.number() }).strict();
const revokeBody = z.object({ upn: z.string().optional(), clientId: z.string().optional() }).strict();

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

async function route(req: AdminRequest): Promise<[number, unknown]> {
  const { state } = req.ctx;
  const [a, b, c] = req.path;
  const m = req.method;

  if (m === "GET" && a === "state" && !b) return [200, state.snapshot()];
  if (m === "GET" && a === "errors" && !b) return [200, ERROR_CATALOG];
  if (m === "POST" && a === "reset" && !b) {
    const seed = req.body.trim() ? parseSeed(JSON.parse(req.body), "request body") : await req.loadDefaultSeed();
    state.load(seed);
    return [200, state.snapshot()];
  }
  if (m === "POST" && a === "tenants" && !b) {
    const body = parseBody(tenantBody, req.body);
    const { domain, ...rest } = body;
    return [201, state.addTenant({ ...rest, domains: [domain] })];
  }
  if (m === "POST" && a === "tenants" && c === "users" && req.path.length === 3) {
    return [201, state.addUser(findTenantOrThrow(req, b), parseBody(userBody, req.body))];
  }
  if (m === "POST" && a === "tenants" && c === "apps" && req.path.length === 3) {
    const body = parseBody(appBody, req.body);
    // Like the Azure portal's "New client secret": an app created here gets one unless told otherwise.
    return [201, state.addApp(findTenantOrThrow(req, b), { ...body, secrets: body.secrets ?? [{}] })];
  }
  if (m === "PATCH" && a === "apps" && b && !c) {
    const app = findApp(req, b);
    const body = parseBody(patchAppBody, req.body);
    if (body.redirectUris) app.redirectUris = [...body.redirectUris];
    if (body.multiTenant !== undefined) app.multiTenant = body.multiTenant;
    if (body.displayName !== undefined) app.displayName = body.displayName;
    if (body.appPermissions !== undefined) app.appPermissions = structuredClone(body.appPermissions);
    return [200, app];
  }
  if (m === "POST" && a === "apps" && c === "redirect-uris" && req.path.length === 3) {
    const app = findApp(req, b);
    const { uri } = parseBody(uriBody, req.body);
    if (!app.redirectUris.includes(uri)) app.redirectUris.push(uri);
    return [200, app];
  }
  if (m === "PATCH" && a === "tenants" && b && !c) {
    const tenant = findTenantOrThrow(req, b);
    const body = parseBody(patchTenantBody, req.body);
    if (body.exchangeOnline !== undefined) tenant.exchangeOnline = body.exchangeOnline;
    if (body.displayName !== undefined) tenant.displayName = body.displayName;
    return [200, tenant];
  }
  if (m === "POST" && a === "apps" && c === "certificates" && req.path.length === 3) {
    const app = findApp(req, b);
    const { certificatePem } = parseBody(seedCertificateSchema, req.body);
    return [201, state.addCertificate(app, certificatePem)];
  }
  if (m === "POST" && a === "apps" && c === "secrets" && req.path.length === 3) {
    const app = findApp(req, b);
    return [201, state.addSecret(app, parseBody(seedSecretSchema, req.body))];
  }
  if (a === "faults" && !b) {
    if (m === "GET") return [200, state.faults];
    if (m === "DELETE") {
      state.faults = [];
      return [200, state.faults];
    }
    if (m === "POST") {
      const { times, ...body } = parseBody(faultBody, req.body);
      if (body.code !== undefined && !ERROR_CATALOG[body.code]) throw new BadRequest(`code: AADSTS${body.code} is not in the emulator's catalog`);
      const fault = { id: guid(), ...body, remaining: times } as Fault;
      state.faults.push(fault);
      return [201, fault];
    }
  }
  if (m === "POST" && a === "clock" && !b) {
    state.advanceClock(parseBody(clockBody, req.body).advanceSeconds * 1000);
    return [200, { now: new Date(state.now()).toISOString(), clockOffsetMs: state.clockOffsetMs }];
  }
  if (m === "POST" && a === "refresh-tokens" && b === "revoke" && !c) {
    const body = parseBody(revokeBody, req.body);
    const user = body.upn ? state.findUserByUpn(body.upn) : undefined;
    if (body.upn && !user) throw new NotFoundError(`no user ${body.upn}`);
    let revoked = 0;
    for (const rt of state.refreshTokens.values()) {
      if (user && rt.userId !== user.id) continue;
      if (body.clientId && rt.clientId !== body.clientId.toLowerCase()) continue;
      if (!rt.revoked) revoked += 1;
      rt.revoked = true;
    }
    return [200, { revoked }];
  }
  throw new NotFoundError(`no admin route ${m} /_emulator/${req.path.join("/")}`);
}

export async function handleAdmin(req: AdminRequest): Promise<void> {
  try {
    const [status, body] = await route(req);
    sendJson(req.res, status, body);
  } catch (err) {
    const status =
      err instanceof NotFoundError ? 404 : err instanceof ConflictError ? 409 : err instanceof BadRequest || err instanceof SeedError || err instanceof CertificateError || err instanceof SyntaxError ? 400 : 500;
    if (status === 500) throw err;
    sendJson(req.res, status, { error: { code: status === 404 ? "not_found" : status === 409 ? "conflict" : "invalid_body", message: (err as Error).message } });
  }
}
