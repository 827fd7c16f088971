"use server";
import { z } from "zod";
import { orgAction } from "@/lib/auth/org-action";
import { checkAllNow, checkSettingsSchema, updateCheckSettings } from "@/lib/checks/org-settings";
import { workerConfig } from "@/lib/worker/config";
import { reconsentPolicySchema, updateReconsentPolicy } from "@/lib/alerts/policy";

export const updateCheckSettingsAction = orgAction({ permission: "org.settings", schema: checkSettingsSchema }, async ({ db, org, user, meta, input }) => {
  const saved = await updateCheckSettings(db, org.id, input, user, meta, { intervalOverrideSeconds: workerConfig().intervalOverrideSeconds });
  const moved = saved.intervalChanged ? ` ${saved.rescheduled} scheduled mailbox${saved.rescheduled === 1 ? " was" : "es were"} moved into the new interval.` : "";
  return { ok: true, message: `Saved: every mailbox is checked every ${saved.checkIntervalMinutes} minutes, and a grant unused for ${saved.keepAliveDays} days is refreshed.${moved}` };
});

export const checkAllNowAction = orgAction({ permission: "org.settings", schema: z.object({}) }, async ({ db, org, user, meta }) => {
  const { queued } = await checkAllNow(db, org.id, user, meta);
  return {
    ok: true,
    message: queued === 0 ? "No connected mailbox to check." : `${queued} mailbox${queued === 1 ? "" : "es"} queued for a check. Results appear on the Mailboxes page as each check finishes.`,
  };
});

export const updateReconsentPolicyAction = orgAction({ permission: "org.settings", schema: reconsentPolicySchema }, async ({ db, org, user, meta, input }) => {
  const { policy, changed } = await updateReconsentPolicy(db, org.id, user, input.policy, meta);
  const what = policy === "EMAIL_OWNER" ? "a mailbox that needs re-consent alerts the admins and mails its owner a fresh consent link" : "a mailbox that needs re-consent alerts the admins only";
  return { ok: true, message: changed ? `Saved: ${what}.` : `No change: ${what} already.` };
});
