import { expect, test } from "@playwright/test";
import { ownerWithOrg } from "./fixtures";

test("[audit]: an owner filters the audit log by action, keeps the filter in the URL, and exports the filtered rows as CSV", async ({ page }) => {
  const t = await ownerWithOrg(page, "Audit");
  // Two kinds of events: the org's creation, and a settings change.
  await page.goto(`/orgs/${t.slug}/settings`);
  await page.getByLabel("Check interval (minutes)").fill("45");
  await page.getByRole("button", { name: "Save check settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: /saved/i })).toBeVisible();

  await page.goto(`/orgs/${t.slug}/audit`);
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table.getByRole("row").filter({ hasText: "Created the organization" })).toHaveCount(1);
  await page.getByLabel("Action").selectOption({ label: "Changed the check settings" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=org\.settings_updated/);
  await expect(table.getByRole("row").filter({ hasText: "Created the organization" })).toHaveCount(0);
  const changed = table.getByRole("row").filter({ hasText: "Changed the check settings" });
  await expect(changed).toContainText("check interval minutes: 45");
  await page.reload();
  await expect(page.getByLabel("Action")).toHaveValue("org.settings_updated");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^audit-${t.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = await (await import("node:fs/promises")).readFile((await file.path())!, "utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toContain("time_utc,actor,action");
  expect(lines.slice(1).every((l) => l.includes('"org.settings_updated"'))).toBe(true);
  expect(lines).toHaveLength(2);
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(table.getByRole("row").filter({ hasText: "Created the organization" })).toHaveCount(1);
});
