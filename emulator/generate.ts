// Bulk data for benchmarks: tenants, users, apps and mailboxes generated from a seed string, and grants
// (refresh tokens, with their consent) minted without a browser.
import { createHash } from "node:crypto";
import { z } from "zod";
import { canonicalScopes, grantConsent } from "./consent";
import { randomToken } from "./ids";
import { partitionOf } from "./resources";
import { ConflictError, ValidationError, type EmulatorState, type User } from "./state";

export const generateBody = z
  .object({
    tenants: z.number().int().min(1).max(10_000),
    usersPerTenant: z.number().int().min(0).max(10_000),
    /** Any string: the same seed gives the same ids, domains, UPNs and secrets. */
    seed: z.union([z.string().min(1).max(200), z.number().int()]).transform(String),
    /** Single-tenant apps per tenant (besides the one multi-tenant app every call creates). */
    appsPerTenant: z.number().int().min(0).max(10).default(1),
    /** Generated Inbox messages per mailbox. */
    inboxCount: z.number().int().min(0).max(50).default(1),
    cloud: z.enum(["global", "usgov", "china"]).default("global"),
    redirectUri: z.url().default("http://localhost:3000/api/connections/callback"),
  })
  .strict()
  .refine((b) => b.tenants * b.usersPerTenant <= 200_000, { message: "at most 200,000 users per call", path: ["usersPerTenant"] });

export type GenerateInput = z.output<typeof generateBody>;

/** A v4-shaped GUID derived from the seed and a name, so generation is repeatable. */
function seededGuid(seed: string, name: string): string {
  const h = createHash("sha256").update(`${seed}\0${name}`).digest("hex");
  const variant = ((parseInt(h[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** An Entra-shaped secret value (3 characters, `8Q~`, 34 more) derived from the seed. */
function seededSecret(seed: string, name: string): string {
  const tail = createHash("sha256").update(`${seed}\0secret\0${name}`).digest("base64url").replace(/[^A-Za-z0-9]/g, "x");
  return `Gen8Q~${tail.slice(0, 34)}`;
}

const DOMAIN_SUFFIX: Record<GenerateInput["cloud"], string> = { global: "onmicrosoft.com", usgov: "onmicrosoft.us", china: "partner.onmschina.cn" };

export interface GeneratedApp {
  clientId: string;
  secret: string;
  homeTenantId: string;
  multiTenant: boolean;
}

export interface GenerateResult {
  seed: string;
  /** A multi-tenant app usable in every generated tenant (home: the first one). */
  app: GeneratedApp;
  tenants: { id: string; domain: string; apps: GeneratedApp[]; users: { id: string; upn: string }[] }[];
  counts: { tenants: number; users: number; apps: number; mailboxes: number };
}

/** Creates everything in one go; a clash with existing data (same seed twice without reset) is a 409 before anything is added. */
export function generate(state: EmulatorState, input: GenerateInput): GenerateResult {
  const { seed, cloud } = input;
  const tag = createHash("sha256").update(seed).digest("hex").slice(0, 8);
  const domainOf = (t: number) => `gen${tag}t${t}.${DOMAIN_SUFFIX[cloud]}`;
  if (state.findTenant(domainOf(0)) || state.tenants.has(seededGuid(seed, "tenant:0"))) {
    throw new ConflictError(`seed: "${seed}" was already generated (reset first, or use another seed)`);
  }
  const tenants: GenerateResult["tenants"] = [];
  let users = 0;
  let apps = 0;
  for (let t = 0; t < input.tenants; t++) {
    const domain = domainOf(t);
    const tenant = state.addTenant({ id: seededGuid(seed, `tenant:${t}`), displayName: `Generated ${tag} ${t}`, domains: [domain], cloud });
    const made: GenerateResult["tenants"][number] = { id: tenant.id, domain, apps: [], users: [] };
    for (let u = 0; u < input.usersPerTenant; u++) {
      const user = state.addUser(tenant, {
        id: seededGuid(seed, `user:${t}:${u}`),
        upn: `user${u}@${domain}`,
        displayName: `User ${u} of ${t}`,
        admin: u === 0,
        inboxCount: input.inboxCount,
      });
      made.users.push({ id: user.id, upn: user.upn });
      users += 1;
    }
    for (let a = 0; a < input.appsPerTenant; a++) {
      const secret = seededSecret(seed, `app:${t}:${a}`);
      const app = state.addApp(tenant, {
        clientId: seededGuid(seed, `app:${t}:${a}`),
        displayName: `Generated app ${a} of ${t}`,
        redirectUris: [input.redirectUri],
        secrets: [{ secretId: seededGuid(seed, `secret:${t}:${a}`), value: secret, expiresAt: null }],
      });
      made.apps.push({ clientId: app.clientId, secret, homeTenantId: tenant.id, multiTenant: false });
      apps += 1;
    }
    tenants.push(made);
  }
  const home = state.tenants.get(tenants[0]!.id)!;
  const secret = seededSecret(seed, "app:multi");
  const multi = state.addApp(home, {
    clientId: seededGuid(seed, "app:multi"),
    displayName: `Generated multi-tenant app ${tag}`,
    multiTenant: true,
    redirectUris: [input.redirectUri],
    secrets: [{ secretId: seededGuid(seed, "secret:multi"), value: secret, expiresAt: null }],
  });
  return {
    seed,
    app: { clientId: multi.clientId, secret, homeTenantId: home.id, multiTenant: true },
    tenants,
    counts: { tenants: tenants.length, users, apps: apps + 1, mailboxes: users },
  };
}

export const grantsBody = z
  .object({
    clientId: z.string().min(1),
    /** As /authorize takes them; `offline_access` is added (a grant is a refresh token). */
    scopes: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]),
    /** UPNs or object ids. */
    users: z.array(z.string().min(1)).max(200_000).optional(),
    /** Tenant GUIDs or domains: every user who can sign in there. */
    tenants: z.array(z.string().min(1)).max(10_000).optional(),
    /** Also record the users' consent, so /authorize won't ask (default true). */
    consent: z.boolean().default(true),
  })
  .strict()
  .refine((b) => (b.users?.length ?? 0) + (b.tenants?.length ?? 0) > 0, { message: "needs users or tenants", path: ["users"] });

export interface MintedGrant {
  upn: string;
  userId: string;
  tenantId: string;
  refreshToken: string;
}

/**
 * Mints refresh tokens as if each user had signed in and consented at /authorize: redeemable at the token endpoint
 * by the app (with its credential) exactly like one from a code. Checked like a sign-in: the app must be available in
 * the user's tenant, the user must be able to sign in, the scopes must name the tenant's resources.
 */
export function mintGrants(state: EmulatorState, input: z.output<typeof grantsBody>): { clientId: string; scopes: string[]; grants: MintedGrant[] } {
  const app = state.apps.get(input.clientId.toLowerCase());
  if (!app) throw new ValidationError(`clientId: no app ${input.clientId}`);
  const appCloud = state.tenants.get(app.homeTenantId)?.cloud;
  const requested = typeof input.scopes === "string" ? input.scopes.split(/\s+/).filter(Boolean) : input.scopes;
  const scopes = requested.some((s) => s.toLowerCase() === "offline_access") ? requested : [...requested, "offline_access"];
  const people: User[] = [];
  for (const ref of input.users ?? []) {
    const user = state.findUser(ref);
    if (!user) throw new ValidationError(`users: no user ${ref}`);
    people.push(user);
  }
  for (const ref of input.tenants ?? []) {
    const tenant = state.findTenant(ref);
    if (!tenant) throw new ValidationError(`tenants: no tenant ${ref}`);
    people.push(...state.usersOf(tenant).filter((u) => u.kind === "user"));
  }
  // Check everything before minting anything, so a refused request leaves no half-made grants.
  const canonical = new Map<string, string[]>();
  for (const user of people) {
    const tenant = state.tenants.get(user.tenantId)!;
    if (user.kind !== "user") throw new ValidationError(`users: ${user.upn} is a shared mailbox (sign-in blocked)`);
    if (app.homeTenantId !== tenant.id && !(app.multiTenant && tenant.cloud === appCloud)) {
      throw new ValidationError(`clientId: app ${app.clientId} is not available in tenant ${tenant.domains[0] ?? tenant.id} (single-tenant or another cloud)`);
    }
    if (!canonical.has(tenant.id)) {
      const { scopes: c, unknown } = canonicalScopes(scopes, partitionOf(tenant));
      if (unknown.length > 0) throw new ValidationError(`scopes: tenant ${tenant.domains[0] ?? tenant.id} has no resource ${unknown[0]}`);
      canonical.set(tenant.id, c);
    }
  }
  const grants = people.map((user): MintedGrant => {
    if (input.consent) grantConsent(state, { clientId: app.clientId, tenantId: user.tenantId, userId: user.id, scopes: canonical.get(user.tenantId)! });
    const token = `1.A${randomToken(192)}`;
    state.addRefreshToken({ token, userId: user.id, clientId: app.clientId, tenantId: user.tenantId, scopes });
    return { upn: user.upn, userId: user.id, tenantId: user.tenantId, refreshToken: token };
  });
  return { clientId: app.clientId, scopes, grants };
}
