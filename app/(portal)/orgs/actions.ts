"use server";
import { redirect } from "next/navigation";
import { requireUser } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { createOrg } from "@/lib/orgs/orgs";
import { acceptInvitation } from "@/lib/invitations/invitations";
import { runAction, type ActionState } from "@/lib/action-state";
import { requestMeta } from "@/lib/request-meta";

export async function createOrgAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser("/orgs/new");
  let slug = "";
  const state = await runAction(form, async () => {
    const org = await createOrg(await db(), user, { name: String(form.get("name") ?? ""), slug: String(form.get("slug") ?? "") }, await requestMeta());
    slug = org.slug;
  });
  if (slug) redirect(`/orgs/${slug}`);
  return state;
}

export async function acceptInvitationAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const user = await requireUser("/orgs");
  let slug = "";
  const state = await runAction(form, async () => {
    const org = await acceptInvitation(await db(), { id: String(form.get("invitationId") ?? "") }, user, await requestMeta());
    slug = org.slug;
  });
  if (slug) redirect(`/orgs/${slug}`);
  return state;
}

export async function acceptInvitationByTokenAction(_prev: ActionState, form: FormData): Promise<ActionState> {
  const token = String(form.get("token") ?? "");
  const user = await requireUser(`/invite/${encodeURIComponent(token)}`);
  let slug = "";
  const state = await runAction(null, async () => {
    const org = await acceptInvitation(await db(), { token }, user, await requestMeta());
    slug = org.slug;
  });
  if (slug) redirect(`/orgs/${slug}`);
  return state;
}
