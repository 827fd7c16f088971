"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { formList, idField } from "@/lib/action-state";
import { createBridgeCredential, revokeBridgeCredential, type CreatedBridgeCredential } from "@/lib/bridge/credentials";
import { BRIDGE_PROTOCOLS } from "@/lib/bridge/protocols";

// Mail bridge credentials from the mailbox page. The domain functions check the protocols against
// the integration's purposes and the address ranges, and name the field that is wrong.

const name = z.string({ message: "Name the client this is for, e.g. \"Office printer\"." }).trim().min(1, { message: "Name the client this is for, e.g. \"Office printer\"." }).max(80, { message: "The name can be at most 80 characters long." });

export const createBridgeCredentialAction = orgAction(
  {
    permission: "connections.write",
    schema: z.object({
      connectionId: idField("That mailbox connection"),
      name,
      username: z.enum(["mailbox", "generated"], { message: "Choose the username: the mailbox address or a generated one." }),
      protocols: formList(z.enum(BRIDGE_PROTOCOLS, { message: "Choose from SMTP, IMAP and POP3." })),
      allowedIps: z.string().max(2000, { message: "At most 2,000 characters of addresses." }).default(""),
    }),
  },
  async ({ db, org, user, meta, input }) => {
    const allowedIps = [...new Set(input.allowedIps.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
    const { password, view } = await createBridgeCredential(db, org.id, user, { connectionId: input.connectionId, name: input.name, username: input.username, protocols: input.protocols, allowedIps }, meta);
    return { ok: true, message: `Bridge credential “${view.name}” created.`, reveal: password, data: { username: view.username, protocols: view.protocols } satisfies CreatedBridgeCredential };
  },
);

export const revokeBridgeCredentialAction = orgAction({ permission: "connections.write", schema: z.object({ id: idField("That bridge credential") }) }, async ({ db, org, user, meta, input }) => {
  const revoked = await revokeBridgeCredential(db, org.id, user, input.id, meta);
  return { ok: true, message: `“${revoked.name}” revoked: within seconds its sign-ins are refused and its open sessions end.` };
});
