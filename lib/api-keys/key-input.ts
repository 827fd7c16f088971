import { z } from "zod";
import { formList } from "@/lib/action-state";
import type { Resource } from "@/lib/connections/tokens";
import { RESOURCES, type CreateKeyInput } from "./keys";

// What an admin submits to create an API key, as the form sends it (FormData through orgAction:
// a checkbox group arrives as a list, one ticked box as a string). Every problem names its field
// and says what to do; all of them are reported at once, so one submit shows every mistake.

export const REACHES = ["ORG", "INTEGRATIONS", "CONNECTIONS"] as const;
export type Reach = (typeof REACHES)[number];
export const EXPIRY_CHOICES = ["never", "30", "90", "180", "365", "custom"] as const;
export type ExpiryChoice = (typeof EXPIRY_CHOICES)[number];
export const MAX_NAME = 80;
/** A custom expiry further out than this is almost certainly a typo (a year 20270). */
const MAX_CUSTOM_YEARS = 5;
const DAY_MS = 86_400_000;

const nameMessage = `Enter a name that says what uses the key, e.g. "Helpdesk production".`;

/** The form's fields with loose bounds: what orgAction checks before the handler parses with `keyInput`. */
export const keyFormFields = z.object({
  name: z.string().max(1000).optional(),
  reach: z.string().max(40).optional(),
  integrationIds: formList(z.string().max(100)).pipe(z.array(z.string()).max(1000)),
  connectionIds: formList(z.string().max(100)).pipe(z.array(z.string()).max(10_000)),
  resources: formList(z.string().max(40)).pipe(z.array(z.string()).max(10)),
  expiry: z.string().max(20).optional(),
  expiresOn: z.string().max(40).optional(),
});

const uuids = (what: string) => formList(z.string()).transform((list, ctx) => {
  const ids = [...new Set(list)];
  if (ids.some((id) => !z.uuid().safeParse(id).success)) ctx.addIssue({ code: "custom", message: `One of the chosen ${what} is not one Mailgrant knows. Reload the page and choose again.` });
  return ids;
});

/** A date as the date input sends it, YYYY-MM-DD; the key works through that whole day (UTC). */
function endOfDay(value: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const start = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== value) return null;
  return new Date(start.getTime() + DAY_MS);
}

const fields = z.object({
  name: z.string({ message: nameMessage }).trim().min(1, { message: nameMessage }).max(MAX_NAME, { message: `The name can be at most ${MAX_NAME} characters long; shorten it.` }),
  reach: z.enum(REACHES, { message: "Choose which mailboxes the key reaches: all of them, those of chosen integrations, or chosen mailboxes." }),
  integrationIds: uuids("integrations"),
  connectionIds: uuids("mailboxes"),
  resources: formList(z.string()).transform((list, ctx): Resource[] => {
    const unknown = list.find((r) => !(RESOURCES as readonly string[]).includes(r));
    if (unknown !== undefined) ctx.addIssue({ code: "custom", message: `"${unknown}" is not a kind of token Mailgrant hands out; choose Microsoft Graph, Outlook, or both.` });
    const chosen = RESOURCES.filter((r) => list.includes(r));
    if (unknown === undefined && chosen.length === 0) ctx.addIssue({ code: "custom", message: "Choose which tokens the key may get: Microsoft Graph, Outlook (IMAP, POP and SMTP), or both." });
    return chosen;
  }),
  expiry: z.enum(EXPIRY_CHOICES, { message: "Choose when the key expires, or \"Never\"." }),
  expiresOn: z.string().optional(),
});

const listOf = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Problems that depend on two fields, read from the raw form so they show beside the others. */
function crossFieldProblems(raw: Record<string, unknown>, now: Date): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (raw.reach === "INTEGRATIONS" && listOf(raw.integrationIds).length === 0)
    out.push({ path: "integrationIds", message: "Choose at least one integration whose mailboxes the key reaches, or let it reach all mailboxes." });
  if (raw.reach === "CONNECTIONS" && listOf(raw.connectionIds).length === 0)
    out.push({ path: "connectionIds", message: "Choose at least one mailbox for the key to reach, or let it reach all mailboxes." });
  if (raw.expiry !== "custom") return out;
  const typed = typeof raw.expiresOn === "string" ? raw.expiresOn.trim() : "";
  const at = endOfDay(typed);
  const message = !typed
    ? "Enter the last day the key works, or choose a fixed period."
    : !at
      ? `"${typed}" is not a date; enter it as YYYY-MM-DD, e.g. 2027-06-30.`
      : at.getTime() <= now.getTime() + DAY_MS
        ? "Choose a day after today: a key that has expired is of no use."
        : at.getTime() > now.getTime() + MAX_CUSTOM_YEARS * 366 * DAY_MS
          ? `Choose a day within ${MAX_CUSTOM_YEARS} years, or "Never" for a key that does not expire.`
          : null;
  if (message) out.push({ path: "expiresOn", message });
  return out;
}

/** The create form's schema: `now` fixes "in 30 days" and "in the future". */
export function keyInput(now = new Date()) {
  return z.record(z.string(), z.unknown()).transform((raw, ctx): CreateKeyInput => {
    const parsed = fields.safeParse(raw);
    for (const issue of parsed.error?.issues ?? []) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    for (const p of crossFieldProblems(raw, now)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
    if (!parsed.success || ctx.issues.length > 0) return z.NEVER;
    const v = parsed.data;
    const expiresAt = v.expiry === "never" ? null : v.expiry === "custom" ? endOfDay((v.expiresOn ?? "").trim()) : new Date(now.getTime() + Number(v.expiry) * DAY_MS);
    const base = { name: v.name, resources: v.resources, expiresAt };
    if (v.reach === "INTEGRATIONS") return { ...base, reach: "INTEGRATIONS", integrationIds: v.integrationIds };
    if (v.reach === "CONNECTIONS") return { ...base, reach: "CONNECTIONS", connectionIds: v.connectionIds };
    return { ...base, reach: "ORG" };
  });
}
