import { expect, test } from "@playwright/test";
import { makeApp, ownerWithOrg, registerIntegration } from "./fixtures";

// The org's check settings through the real UI: refused input names its field and keeps what was
// typed, a valid save says what changed, and "Check all mailboxes now" says how many were queued.

test("[settings]: an owner changes the check interval and keep-alive age, and a bad value is refused with its field named", async ({ page }) => {
  const t = await ownerWithOrg(page, "Settings");
  await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  const interval = page.getByLabel("Check interval (minutes)");
  const keepAlive = page.getByLabel("Keep-alive age (days)");
  await expect(interval).toHaveValue("30");
  await expect(keepAlive).toHaveValue("7");

  await interval.fill("2");
  await keepAlive.fill("90");
  await page.getByRole("button", { name: "Save check settings" }).click();
  await expect(page.getByText("Check interval must be at least 5 minutes.")).toBeVisible();
  await expect(page.getByText("Keep-alive age must be at most 60 days.")).toBeVisible();
  await expect(interval).toHaveValue("2");
  await expect(keepAlive).toHaveValue("90");
  await expect(interval).toHaveAttribute("aria-invalid", "true");
  // Nothing was saved.
  await page.reload();
  await expect(interval).toHaveValue("30");

  await interval.fill("15");
  await keepAlive.fill("3");
  await page.getByRole("button", { name: "Save check settings" }).click();
  await expect(page.getByText("Saved: every mailbox is checked every 15 minutes, and a grant unused for 3 days is refreshed.")).toBeVisible();
  await page.reload();
  await expect(interval).toHaveValue("15");
  await expect(keepAlive).toHaveValue("3");

  // No mailbox yet: nothing to queue.
  await expect(page.getByRole("button", { name: "Check all mailboxes now" })).toBeDisabled();
  await page.goto(`/orgs/${t.slug}/audit`);
  const event = page.getByRole("row").filter({ hasText: "Changed the check settings" });
  for (const part of ["check interval minutes: 15", "keep alive days: 3", "previous check interval minutes: 30", "previous keep alive days: 7"]) await expect(event).toContainText(part);
});

test("[settings]: “Check all mailboxes now” says how many mailboxes were queued", async ({ page }) => {
  const t = await ownerWithOrg(page, "CheckAll");
  const olive = t.users[0]!;
  await registerIntegration(page, t, await makeApp(t.id));
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await page.getByRole("region", { name: "Connect a mailbox" }).getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(olive.upn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) }).click();
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  await page.goto(`/orgs/${t.slug}/settings`);
  await expect(page.getByRole("region", { name: "Check all mailboxes now" })).toContainText("1 connected mailbox");
  await page.getByRole("button", { name: "Check all mailboxes now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "queued" })).toHaveText("1 mailbox queued for a check. Results appear on the Mailboxes page as each check finishes.");
  await page.goto(`/orgs/${t.slug}/audit`);
  await expect(page.getByRole("row").filter({ hasText: "Queued a check of every mailbox" })).toContainText("queued: 1");
});
