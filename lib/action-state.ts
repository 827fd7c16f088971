import { ZodError } from "zod";
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
  /** Echo of the submitted values, so a form with errors keeps what the person typed. */
  values?: Record<string, string>;
};

/**
 * Runs a mutation and turns validation and domain errors into messages that name the field;
 * anything unexpected is logged and reported without internals.
 */
export async function runAction(form: FormData | null, fn: () => Promise<ActionState | void>): Promise<ActionState> {
  const values = form ? Object.fromEntries([...form.entries()].filter(([, v]) => typeof v === "string")) as Record<string, string> : undefined;
  try {
    return (await fn()) ?? { ok: true };
  } catch (e) {
    unstable_rethrow(e); // redirect() and notFound() are control flow, not failures
    if (e instanceof ZodError) {
      const fieldErrors: Record<string, string> = {};
      for (const issue of e.issues) {
        const key = String(issue.path[0] ?? "form");
        fieldErrors[key] ??= issue.message;
      }
      return { ok: false, message: "Please correct the highlighted fields.", fieldErrors, values };
    }
    if (e instanceof AppError) {
      return { ok: false, message: e.message, fieldErrors: e.field ? { [e.field]: e.message } : undefined, values };
    }
    logger.error({ err: e }, "server action failed");
    return { ok: false, message: "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, contact support.", values };
  }
}
