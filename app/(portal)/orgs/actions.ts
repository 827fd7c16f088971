"use server";
import { z } from "zod";
import { userAction } from "@/lib/auth/org-action";
import { idField } from "@/lib/action-state";
import { createOrg } from "@/lib/orgs/orgs";
import { acceptInvitation } from "@/lib/invitations/invitations";

export const createOrgAction = userAction({ schema: z.object({ name: z.string().default(""), slug: z.string().default("") }) }, async ({ db, user, meta, input }) => {
  const org = await createOrg(db, user, input, meta);
  return { redirect: `/orgs/${org.slug}` };
});

export const acceptInvitationAction = userAction({ schema: z.object({ invitationId: idField("That invitation") }) }, async ({ db, user, meta, input }) => {
  const org = await acceptInvitation(db, { id: input.invitationId }, user, meta);
  return { redirect: `/orgs/${org.slug}` };
});

export const acceptInvitationByTokenAction = userAction({ schema: z.object({ token: z.string().min(1).max(200) }) }, async ({ db, user, meta, input }) => {
  const org = await acceptInvitation(db, { token: input.token }, user, meta);
  return { redirect: `/orgs/${org.slug}` };
});
