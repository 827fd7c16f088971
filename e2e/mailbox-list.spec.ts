import { expect, test } from "@playwright/test";
import { connectMailbox, createOrg, makeApp, makeTenant, registerIntegration, setSmtpAuthDisabled, signIn } from "./fixtures";

// The Mailboxes list's filters through the real UI: a GET form whose view lives in the URL.

test("[mailboxes]: an admin filters the list to failing mailboxes and the URL keeps the filter across a reload", async ({ page }) => {
  const t = await makeTenant("List", ["Olive Owner", "Ben Broken", "Cora Clean"]);
  const [olive, ben, cora] = t.users as [(typeof t.users)[0], (typeof t.users)[0], (typeof t.users)[0]];
  await signIn(page, olive);
  await createOrg(page, "List Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^SMTP send/]);
  for (const u of [olive, ben, cora]) await connectMailbox(page, t.slug, u.upn);

  // Ben's SMTP AUTH is off at Microsoft: "Test now" makes his connection fail.
  await setSmtpAuthDisabled(ben.upn, true);
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await page.getByRole("link", { name: ben.upn }).click();
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByRole("region", { name: "Health" })).toContainText("Failing · misconfigured");

  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const list = page.getByRole("region", { name: "Connected mailboxes" });
  await expect(list.getByText("1–3 of 3 mailboxes").first()).toBeVisible();
  await page.screenshot({ path: "/tmp/mailbox-list-1280.png", fullPage: true });

  const filters = page.getByRole("search", { name: "Search and filter mailboxes" });
  await filters.getByLabel("Health").selectOption({ label: "Failing" });
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/[?&]health=FAILING/);
  const rows = () => list.getByRole("row").filter({ hasText: "@" });
  await expect(rows()).toHaveCount(1);
  await expect(rows().first()).toContainText(ben.upn);
  await expect(list.getByText("1–1 of 1 mailbox").first()).toBeVisible();
  await expect(list).toContainText("Showing mailboxes with health Failing.");

  // The view is the URL: a reload (or a shared link) shows the same filtered list.
  await page.reload();
  await expect(filters.getByLabel("Health")).toHaveValue("FAILING");
  await expect(rows()).toHaveCount(1);
  await expect(rows().first()).toContainText(ben.upn);

  // Sorting keeps the filter; the active header says its direction.
  await list.getByRole("link", { name: /^Mailbox/ }).click();
  await expect(page).toHaveURL(/health=FAILING/);
  await expect(list.getByRole("columnheader", { name: /Mailbox/ })).toHaveAttribute("aria-sort", "descending");

  // A search that finds nothing says which filters gave nothing and offers to clear them.
  await filters.getByLabel("Search mailboxes").fill("nobody-here");
  await filters.getByRole("button", { name: "Apply filters" }).click();
  await expect(list.getByText("No mailbox matches these filters")).toBeVisible();
  await expect(list).toContainText("Nothing matched search “nobody-here”, health Failing.");
  await list.getByRole("link", { name: "Clear filters" }).last().click();
  await expect(page).not.toHaveURL(/health=/);
  await expect(rows()).toHaveCount(3);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`/orgs/${t.slug}/mailboxes?health=FAILING`);
  await expect(rows()).toHaveCount(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await page.screenshot({ path: "/tmp/mailbox-list-390.png", fullPage: true });
});
