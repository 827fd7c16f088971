import { z, ZodError } from "zod";
import { unstable_rethrow } from "next/navigation";
import { AppError } from "@/lib/errors";
import { logger } from "@/lib/logger";

/** What a form's server action returns to useActionState. */
export type ActionState = {
  ok?: boolean;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** Something to show once, e.g. an invitation link. */
  reveal?: string;
  /** A structured result for the form that sent it (a test delivery's request and answer); plain JSON. */
  data?: unknown;
  /** Echo of the submitted values, so a form with errors keeps what the person typed (secrets removed). */
  values?: Record<string, string>;
  /** Echo of fields submitted more than once (checkbox groups), so they stay as chosen. */
  lists?: Record<string, string[]>;
};

/** What a handler may return: a state for the form, a place to go next, or nothing (success). */
export type ActionResult = ActionState | { redirect: string } | void;

export type ServerAction = ((prev: ActionState, form: FormData) => Promise<ActionState>) & { readonly [ACTION_BRAND]: true };

/** Marks functions made by the action wrappers; a test checks every exported action carries it. */
export const ACTION_BRAND = Symbol.for("mailgrant.action");

export const GENERIC_FAILURE = "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, contact support.";

/** A form field that may be sent once or several times (a checkbox group) as a list. */
export const formList = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(item));

const ID_FIELD = "mailgrant:id";

/** An id carried in a hidden field or a URL: anything but a UUID means the thing is gone. */
export const idField = (what = "That item") => z.uuid({ message: `${what} does not exist (any more). Reload the page and try again.` }).describe(ID_FIELD);

function isIdField(schema: z.ZodType | undefined, key: string): boolean {
  const shape = (schema as { shape?: Record<string, z.ZodType> } | undefined)?.shape;
  return shape?.[key]?.description === ID_FIELD;
}

/**
 * FormData as a plain object: a key sent once is a string, a key sent several times a list.
 * Files are dropped (no action takes uploads) and so are React's own `$ACTION_…` fields.
 */
export function formObject(form: FormData): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value !== "string" || key.startsWith("$ACTION")) continue;
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function echo(raw: Record<string, string | string[]>, secretFields: readonly string[]): Pick<ActionState, "values" | "lists"> {
  const values: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (secretFields.includes(k)) continue;
    if (Array.isArray(v)) lists[k] = v;
    else values[k] = v;
  }
  return { values, lists };
}

/**
 * A ZodError as one message per form field. Unknown fields (a stale page) and a bad hidden id
 * (the thing is gone) become the form's message, since the person cannot see or fix those fields.
 */
export function zodToState(e: ZodError, schema?: z.ZodType): ActionState {
  const fieldErrors: Record<string, string> = {};
  let formMessage: string | undefined;
  for (const issue of e.issues) {
    if (issue.code === "unrecognized_keys") {
      formMessage ??= `This form sent fields the server does not expect (${issue.keys.join(", ")}). Reload the page and try again.`;
      continue;
    }
    const key = String(issue.path[0] ?? "form");
    if (isIdField(schema, key)) formMessage ??= issue.message;
    fieldErrors[key] ??= issue.message;
  }
  const message = formMessage ?? "Please correct the highlighted fields.";
  return { ok: false, message, ...(Object.keys(fieldErrors).length ? { fieldErrors } : {}) };
}

/**
 * The one error path of every server action: validation and domain errors become messages that
 * name the field; anything unexpected is logged and reported without internals. Redirects and
 * notFound() pass through (they are control flow).
 */
export async function mapActionErrors<T>(fn: () => Promise<T>, context: Record<string, unknown> = {}, schema?: z.ZodType): Promise<T | ActionState> {
  try {
    return await fn();
  } catch (e) {
    unstable_rethrow(e);
    if (e instanceof ZodError) return zodToState(e, schema);
    if (e instanceof AppError) return { ok: false, message: e.message, ...(e.field ? { fieldErrors: { [e.field]: e.message } } : {}) };
    logger.error({ err: e, ...context }, "server action failed");
    return { ok: false, message: GENERIC_FAILURE };
  }
}

export function isRedirect(r: ActionResult): r is { redirect: string } {
  return typeof r === "object" && r !== null && "redirect" in r && typeof r.redirect === "string";
}

/** Merges the echo of the submitted form into a failed state, so the form shows what was sent. */
export function withEcho(state: ActionState, raw: Record<string, string | string[]>, secretFields: readonly string[]): ActionState {
  return state.ok === false ? { ...state, ...echo(raw, secretFields) } : state;
}
