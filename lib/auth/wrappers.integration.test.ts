import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { parseKeyring } from "@/lib/crypto";
import type { Database } from "@/lib/db-client";
import type { User } from "@/generated/prisma/client";
import { openTestDb, makeUser } from "@/test-support/test-db";
import { createOrg } from "@/lib/orgs/orgs";

// The action and route wrappers against a real database: who may call, what reaches the handler,
// and what the caller sees when something is wrong. Next's request-scoped modules are replaced by
// the smallest stand-ins that behave the same way (a redirect is a thrown control-flow error).

const state = vi.hoisted(() => ({ user: null as unknown, db: null as unknown, headers: new Headers(), revalidated: [] as string[] }));
vi.mock("server-only", () => ({}));
vi.mock("next/cache", () => ({ revalidatePath: (p: string) => state.revalidated.push(p) }));
vi.mock("next/navigation", () => {
  const control = (digest: string) => Object.assign(new Error(digest), { digest });
  return {
    redirect: (url: string) => { throw control(`NEXT_REDIRECT;${url}`); },
    notFound: () => { throw control("NEXT_HTTP_ERROR_FALLBACK;404"); },
    unstable_rethrow: (e: unknown) => { if (typeof (e as { digest?: unknown })?.digest === "string") throw e; },
  };
});
vi.mock("next/headers", () => ({ headers: async () => state.headers, cookies: async () => ({ get: () => undefined, set: () => undefined }) }));
vi.mock("@/lib/auth/guards", () => ({ currentUser: async () => state.user }));
vi.mock("@/lib/db", () => ({ db: async () => state.db }));
const keyring = parseKeyring(`k1:${randomBytes(32).toString("base64")}`);
vi.mock("@/lib/deployment", () => ({ appKeyring: () => keyring, publicUrl: () => "http://localhost:3000" }));

const { orgAction, userAction } = await import("./org-action");
const { withOrgRoute } = await import("./org-route");
const { idField, formList } = await import("@/lib/action-state");
const { AppError } = await import("@/lib/errors");

let database: Database;
let owner: User;
let viewer: User;
let outsider: User;
let slug: string;

beforeAll(async () => {
  database = await openTestDb();
  state.db = database.prisma;
  owner = await makeUser(database.prisma);
  viewer = await makeUser(database.prisma);
  outsider = await makeUser(database.prisma);
  slug = `wrap-${randomBytes(3).toString("hex")}`;
  const org = await createOrg(database.prisma, owner, { name: "Wrapped", slug });
  await database.prisma.membership.create({ data: { orgId: org.id, userId: viewer.id, role: "VIEWER" } });
  await createOrg(database.prisma, outsider, { name: "Elsewhere", slug: `${slug}-other` });
});
afterAll(() => database.close());
beforeEach(() => {
  state.revalidated = [];
  state.headers = new Headers({ "user-agent": "vitest" });
});

const form = (fields: Record<string, string | string[]>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const item of [v].flat()) f.append(k, item);
  return f;
};

async function redirectOf(p: Promise<unknown>): Promise<string> {
  const e = (await p.then(() => null, (err: unknown) => err)) as { digest?: string } | null;
  expect(e?.digest, "expected a redirect").toMatch(/^NEXT_REDIRECT;/);
  return e!.digest!.slice("NEXT_REDIRECT;".length);
}

describe("orgAction", () => {
  const seen: unknown[] = [];
  const rename = orgAction(
    { permission: "integrations.write", schema: z.object({ id: idField("That integration"), name: z.string().min(2, { message: "Name: at least 2 characters." }), secret: z.string().default(""), purposes: formList(z.string()) }), secretFields: ["secret"] },
    async (ctx) => {
      seen.push({ input: ctx.input, org: ctx.org.slug, role: ctx.role, ua: ctx.meta.userAgent, hasKeyring: typeof ctx.keyring });
      if (ctx.input.name === "boom") throw new Error("database on fire");
      if (ctx.input.name === "taken") throw new AppError("conflict", "That name is taken; pick another.", "name");
      if (ctx.input.name === "go") return { redirect: `/orgs/${ctx.slug}/done` };
      return { ok: true, message: "Saved." };
    },
  );
  const id = randomUUID();

  it("authorizes, parses and injects: the handler gets typed input, the org and the request's metadata", async () => {
    state.user = owner;
    seen.length = 0;
    const r = await rename({}, form({ slug, id, name: "Helpdesk", purposes: ["imap", "smtp"] }));
    expect(r).toEqual({ ok: true, message: "Saved." });
    expect(seen).toEqual([{ input: { id, name: "Helpdesk", secret: "", purposes: ["imap", "smtp"] }, org: slug, role: "OWNER", ua: "vitest", hasKeyring: "object" }]);
    expect(state.revalidated).toEqual([`/orgs/${slug}`]);
  });

  it("refuses a viewer before validating anything, and the handler never runs", async () => {
    state.user = viewer;
    seen.length = 0;
    const r = await rename({}, form({ slug, id: "not-a-uuid", name: "x" }));
    expect(r.ok).toBe(false);
    expect(r.message).toBe("Your role in this org does not allow that. Ask an owner or admin.");
    expect(r.fieldErrors).toBeUndefined();
    expect(seen).toEqual([]);
    expect(state.revalidated).toEqual([]);
  });

  it("answers a non-member and an unknown org alike, and a signed-out caller with a sign-in message", async () => {
    state.user = outsider;
    const foreign = await rename({}, form({ slug, id, name: "Helpdesk" }));
    const missing = await rename({}, form({ slug: "no-such-org", id, name: "Helpdesk" }));
    expect(foreign.message).toBe("That organization does not exist, or you are not a member of it.");
    expect(missing.message).toBe(foreign.message);
    expect(state.revalidated).toEqual([]); // nothing of an org the caller cannot reach is touched
    state.user = null;
    expect((await rename({}, form({ slug, id, name: "Helpdesk" }))).message).toMatch(/^Your session has ended/);
  });

  it("a bad id is a message about the item, never a database error; the form is echoed without secrets", async () => {
    state.user = owner;
    const r = await rename({}, form({ slug, id: "1; DROP TABLE", name: "Helpdesk", secret: "s3cr3t~value", purposes: ["imap", "pop"] }));
    expect(r).toMatchObject({ ok: false, message: "That integration does not exist (any more). Reload the page and try again.", fieldErrors: { id: "That integration does not exist (any more). Reload the page and try again." } });
    expect(r.values).toEqual({ slug, id: "1; DROP TABLE", name: "Helpdesk" });
    expect(r.lists).toEqual({ purposes: ["imap", "pop"] });
  });

  it("names each invalid field, and refuses fields the schema does not know", async () => {
    state.user = owner;
    expect(await rename({}, form({ slug, id, name: "x" }))).toMatchObject({ ok: false, fieldErrors: { name: "Name: at least 2 characters." } });
    const stale = await rename({}, form({ slug, id, name: "Helpdesk", colour: "blue" }));
    expect(stale.message).toBe("This form sent fields the server does not expect (colour). Reload the page and try again.");
  });

  it("maps domain errors to their field, unknown errors to a generic message, and performs redirects", async () => {
    state.user = owner;
    expect(await rename({}, form({ slug, id, name: "taken" }))).toMatchObject({ ok: false, message: "That name is taken; pick another.", fieldErrors: { name: "That name is taken; pick another." } });
    const boom = await rename({}, form({ slug, id, name: "boom" }));
    expect(boom.message).toBe("Something went wrong on our side and nothing was changed. Try again; if it keeps happening, contact support.");
    expect(JSON.stringify(boom)).not.toContain("fire");
    expect(await redirectOf(rename({}, form({ slug, id, name: "go" })))).toBe(`/orgs/${slug}/done`);
  });
});

describe("userAction", () => {
  const whoAmI = userAction({ schema: z.object({}) }, async ({ user }) => ({ ok: true, message: user.email }));
  it("needs a signed-in user", async () => {
    state.user = null;
    expect((await whoAmI({}, form({}))).ok).toBe(false);
    state.user = viewer;
    expect(await whoAmI({}, form({}))).toEqual({ ok: true, message: viewer.email });
  });
});

describe("withOrgRoute", () => {
  const route = withOrgRoute(
    { permission: "connections.write", params: z.object({ id: z.uuid() }), body: z.object({ sendTo: z.email({ message: "sendTo must be an email address" }).optional() }) },
    async ({ params, body, org }) => Response.json({ ran: true, id: params.id, body, org: org.slug }),
  );
  const id = randomUUID();
  const call = (init: { origin?: string | null; type?: string; body?: string; method?: string; slug?: string; id?: string }) => {
    const headers = new Headers();
    if (init.origin !== null) headers.set("origin", init.origin ?? "http://localhost:3000");
    if (init.type !== undefined) headers.set("content-type", init.type);
    else headers.set("content-type", "application/json");
    const request = new Request(`http://localhost:3000/api/orgs/${init.slug ?? slug}/connections/${init.id ?? id}/test`, { method: init.method ?? "POST", headers, body: init.body ?? "{}" });
    return route(request, { params: Promise.resolve({ slug: init.slug ?? slug, id: init.id ?? id }) });
  };
  const errorOf = async (r: Response) => ({ status: r.status, body: (await r.json()) as { error: { code: string; message: string; field?: string } } });

  it("runs for an owner with a same-origin JSON request", async () => {
    state.user = owner;
    const r = await call({ body: JSON.stringify({ sendTo: "megan@contoso.com" }) });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ran: true, id, body: { sendTo: "megan@contoso.com" }, org: slug });
  });

  it("refuses a cross-origin form post that carries the session cookie (same site, other port), and one without Origin", async () => {
    state.user = owner;
    const forged = await errorOf(await call({ origin: "http://localhost:3999", type: "text/plain", body: '{"sendTo":"attacker@evil.example"}' }));
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("forbidden");
    expect((await call({ origin: null })).status).toBe(403);
  });

  it("requires a JSON body from the portal's own origin", async () => {
    state.user = owner;
    const plain = await errorOf(await call({ type: "text/plain" }));
    expect(plain).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    const broken = await errorOf(await call({ body: "{not json" }));
    expect(broken).toMatchObject({ status: 400, body: { error: { code: "bad_request", message: "The request body is not valid JSON." } } });
  });

  it("answers signed-out 401, non-member 404, viewer 403, bad id 404, bad body 422 naming the field", async () => {
    state.user = null;
    expect((await errorOf(await call({}))).status).toBe(401);
    state.user = outsider;
    expect((await errorOf(await call({}))).status).toBe(404);
    state.user = viewer;
    expect((await errorOf(await call({}))).status).toBe(403);
    state.user = owner;
    expect((await errorOf(await call({ id: "../../etc" }))).status).toBe(404);
    expect(await errorOf(await call({ body: JSON.stringify({ sendTo: "nope" }) }))).toEqual({ status: 422, body: { error: { code: "invalid_input", message: "sendTo must be an email address", field: "sendTo" } } });
    expect((await errorOf(await call({ body: JSON.stringify({ extra: 1 }) }))).status).toBe(422);
  });
});
