import type { Db } from "@/lib/db-client";
import type { RequestMeta } from "@/lib/audit/record";
import { AppError, notFound } from "@/lib/errors";
import { getIntegration, settingsOf, updateIntegration } from "./integrations";

// Graph reaches a shared mailbox (/users/{shared}/messages) only with the .Shared variants of the
// mail scopes; without them the delegate's token gets a 403 (ErrorAccessDenied). IMAP, POP and
// SMTP need nothing extra. Said before the connect, not at test time.

type Shape = { purposes: string[]; extraScopes: string[] };

export function missingSharedScopes(i: Shape): string[] {
  const have = new Set(i.extraScopes.map((s) => s.toLowerCase().replace(/^https:\/\/[^/]+\//, "")));
  const need: string[] = [];
  if (i.purposes.includes("graph-read") && !have.has("mail.read.shared") && !have.has("mail.readwrite.shared")) need.push("Mail.Read.Shared");
  if (i.purposes.includes("graph-send") && !have.has("mail.send.shared")) need.push("Mail.Send.Shared");
  return need;
}

/** Adds the missing .Shared scopes to the integration (its connections then need re-consent). */
export async function addSharedScopes(db: Db, orgId: string, actor: { id: string; email: string }, integrationId: string, meta?: RequestMeta) {
  const i = await getIntegration(db, orgId, integrationId);
  if (!i) throw notFound("That integration");
  const missing = missingSharedScopes(i);
  if (missing.length === 0) throw new AppError("conflict", `${i.name} already has the shared-mailbox scopes.`);
  await updateIntegration(db, orgId, actor, i.id, { ...settingsOf(i), extraScopes: [...i.extraScopes, ...missing] }, meta);
  return { name: i.name, added: missing };
}
