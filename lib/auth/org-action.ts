import "server-only";
import { redirect } from "next/navigation";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import type { Db } from "@/lib/db-client";
import type { Keyring } from "@/lib/crypto";
import { appKeyring } from "@/lib/deployment";
import { requestMeta } from "@/lib/request-meta";
import type { RequestMeta } from "@/lib/audit/record";
import type { User } from "@/generated/prisma/client";
import { currentUser } from "@/lib/auth/guards";
import { authorizeOrg, type OrgAccess } from "@/lib/auth/authorize";
import type { Permission } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";
import { ACTION_BRAND, formObject, isRedirect, mapActionErrors, withEcho, type ActionResult, type ActionState, type ServerAction } from "@/lib/action-state";

// The one way into a server action. Each wrapper parses the form with a strict zod schema,
// resolves who is calling (and for org actions, their permission in the org named by the form's
// `slug`), injects the database, keyring and request metadata, maps every error through one path,
// echoes the form back on failure (secrets removed), and performs the redirect or revalidation the
// handler asks for. A handler holds only its own logic. (After inbox-zero's safe-action and dub's
// withWorkspace.)

export type Deps = { db: Db; keyring: Keyring; meta: RequestMeta };
export type PublicActionContext<I> = Deps & { input: I };
export type UserActionContext<I> = PublicActionContext<I> & { user: User };
export type OrgActionContext<I> = PublicActionContext<I> & OrgAccess & { slug: string };

type Options<S extends z.ZodObject> = {
  schema: S;
  /** Fields never echoed back to the browser (secrets, private keys). */
  secretFields?: readonly string[];
};

const slugField = z.string().min(1).max(64);

function brand(fn: (prev: ActionState, form: FormData) => Promise<ActionState>): ServerAction {
  return Object.assign(fn, { [ACTION_BRAND]: true as const });
}

async function deps(): Promise<Deps> {
  return { db: await db(), keyring: appKeyring(), meta: await requestMeta() };
}

function finish(result: ActionResult, raw: Record<string, string | string[]>, secretFields: readonly string[], after?: () => void): ActionState {
  // Revalidate whatever the outcome: a handler that reports a failure may still have recorded something.
  after?.();
  if (isRedirect(result)) redirect(result.redirect);
  return withEcho(result ?? { ok: true }, raw, secretFields);
}

/** An action anyone may call (consent links, forwarded admin-consent links): the token in the form is the authority. */
export function publicAction<S extends z.ZodObject>(opts: Options<S>, handler: (ctx: PublicActionContext<z.infer<S>>) => Promise<ActionResult>): ServerAction {
  const schema = opts.schema.strict();
  return brand(async (_prev, form) => {
    const raw = formObject(form);
    const result = await mapActionErrors(async () => handler({ ...(await deps()), input: schema.parse(raw) as z.infer<S> }), {}, schema);
    return finish(result, raw, opts.secretFields ?? []);
  });
}

/** An action for any signed-in person (create an org, accept an invitation). */
export function userAction<S extends z.ZodObject>(opts: Options<S>, handler: (ctx: UserActionContext<z.infer<S>>) => Promise<ActionResult>): ServerAction {
  const schema = opts.schema.strict();
  return brand(async (_prev, form) => {
    const raw = formObject(form);
    const result = await mapActionErrors(async () => {
      const user = await currentUser();
      if (!user) throw new AppError("unauthenticated", "Your session has ended. Sign in again, then retry.");
      return handler({ ...(await deps()), user, input: schema.parse(raw) as z.infer<S> });
    }, {}, schema);
    return finish(result, raw, opts.secretFields ?? []);
  });
}

/**
 * An action inside an org: the form's `slug` names the org, `permission` is what the caller's role
 * must allow. Authorization comes before validation, so someone without access learns nothing
 * from the form's messages. Once the caller is authorized, the org's pages are revalidated.
 */
export function orgAction<S extends z.ZodObject>(opts: Options<S> & { permission: Permission }, handler: (ctx: OrgActionContext<z.infer<S>>) => Promise<ActionResult>): ServerAction {
  const schema = opts.schema.extend({ slug: slugField }).strict();
  return brand(async (_prev, form) => {
    const raw = formObject(form);
    const slug = typeof raw.slug === "string" ? raw.slug : "";
    let authorized = false;
    const result = await mapActionErrors(async () => {
      const d = await deps();
      const access = await authorizeOrg(d.db, await currentUser(), slug, opts.permission);
      authorized = true;
      const input: Record<string, unknown> = schema.parse(raw);
      delete input.slug; // the handler gets the org's slug from the authorization, not the form
      return handler({ ...d, ...access, slug: access.org.slug, input: input as z.infer<S> });
    }, { slug }, schema);
    // Only an authorized caller's action can have changed the org's pages.
    return finish(result, raw, opts.secretFields ?? [], () => { if (authorized) revalidatePath(`/orgs/${slug}`, "layout"); });
  });
}
