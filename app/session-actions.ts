"use server";
import { z } from "zod";
import { signOut } from "@/auth";
import { publicAction, userAction } from "@/lib/auth/org-action";
import { endAllPortalSessions } from "@/lib/users/portal-sessions";

/** Ends this browser's session (in the database too, see auth.ts events.signOut). Works even when it already ended. */
export const signOutAction = publicAction({ schema: z.object({}) }, async () => {
  await signOut({ redirectTo: "/signin" });
});

/** "Sign out everywhere": ends every session of the signed-in person, in every browser. */
export const signOutEverywhereAction = userAction({ schema: z.object({}) }, async ({ db, user, meta }) => {
  await endAllPortalSessions(db, user, meta);
  await signOut({ redirectTo: "/signin?signedOut=everywhere" });
});
