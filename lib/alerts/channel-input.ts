import { z } from "zod";
import { AppError } from "@/lib/errors";
import { EVENT_TYPES, isEventType, type EventType } from "./events";

// What an admin submits for a notification channel. A problem becomes an AppError naming the field
// (name, url, recipients, events), so the form shows the message under it.

export const MAX_RECIPIENTS = 20;

const name = z
  .string({ message: "Enter a name for the channel, e.g. \"On-call pager\"." })
  .trim()
  .min(1, { message: "Enter a name for the channel, e.g. \"On-call pager\"." })
  .max(80, { message: "The name can be at most 80 characters long." });

const events = z
  .array(z.string(), { message: "Choose the events this channel receives." })
  .transform((list, ctx): EventType[] => {
    const unknown = list.find((e) => !isEventType(e));
    if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `"${unknown}" is not an event Mailgrant sends; choose from: ${EVENT_TYPES.join(", ")}.` });
    const chosen = EVENT_TYPES.filter((e) => list.includes(e));
    if (unknown === undefined && chosen.length === 0) ctx.addIssue({ code: "custom", message: "Choose at least one event for this channel to receive." });
    return chosen;
  });

const email = z.email();

/** Addresses separated by commas, semicolons, spaces or new lines; lower-cased, each once. */
export const recipientsField = z.string({ message: "Enter the addresses, separated by commas or new lines." }).transform((raw, ctx): string[] => {
  const list = [...new Set(raw.split(/[\s,;]+/).map((s) => s.trim().toLowerCase()).filter(Boolean))];
  const bad = list.find((a) => !email.safeParse(a).success);
  if (bad !== undefined) ctx.addIssue({ code: "custom", message: `"${bad}" is not an email address; separate addresses with commas or new lines.` });
  else if (list.length > MAX_RECIPIENTS) ctx.addIssue({ code: "custom", message: `At most ${MAX_RECIPIENTS} addresses (you entered ${list.length}); use a distribution list for more.` });
  return list;
});

export const webhookInput = z.object({ name, url: z.string({ message: "Enter the URL events should be POSTed to." }), events });
export const emailInput = z.object({ name, includeAdmins: z.boolean({ message: "Say whether the org's owners and admins receive it." }), recipients: recipientsField, events });
export const updateInput = z.object({
  name: name.optional(),
  url: z.string({ message: "Enter the URL events should be POSTed to." }).optional(),
  includeAdmins: z.boolean({ message: "Say whether the org's owners and admins receive it." }).optional(),
  recipients: recipientsField.optional(),
  events: events.optional(),
});

/** Parses with `schema`; the first problem becomes an AppError on its field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new AppError("invalid_input", issue.message, String(issue.path[0] ?? "form"));
}
