import { expect, test, type Page } from "@playwright/test";
import { connectAndOpenMailbox, createOrg, makeApp, makeTenant, registerIntegration, setSmtpAuthDisabled, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// The mailbox page's history: one timeline of checks, token refreshes, self-healing and alerts,
// each saying who or what caused it, filtered through the URL; and the chart of check durations.

/** An owner whose own mailbox is connected through the UI, for Graph, IMAP and SMTP. */
async function connectedMailbox(page: Page, label: string) {
  const t = await makeTenant(label, ["Tilda Timeline"]);
  const tilda = t.users[0]!;
  await signIn(page, tilda);
  await createOrg(page, `${label} Org`, t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^IMAP/, /^SMTP send/]);
  await connectAndOpenMailbox(page, t.slug, tilda.upn);
  return { t, tilda };
}

test("[mailbox]: Test now appears in the history as started by the signed-in user, the history filters by kind, and the page fits a phone", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const { tilda } = await connectedMailbox(page, "Timeline");
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByText("All steps passed")).toBeVisible();

  // The page refreshes when the run is saved: the check is in the history, with who pressed the button.
  const history = page.getByRole("region", { name: "History" });
  const entries = history.getByRole("list", { name: "History entries, newest first" }).locator(":scope > li");
  // (A check entry: its token requests say "During Test now by …".)
  const test = entries.filter({ hasText: /Check (passed|degraded|failed)/ }).filter({ hasText: `Test now by ${tilda.displayName}` });
  await expect(test).toHaveCount(1);
  await expect(test).toContainText("Check passed");
  await expect(test.getByRole("list", { name: "Per protocol" })).toContainText("Graph");
  // Its token requests say what caused them.
  await expect(entries.filter({ hasText: `During Test now by ${tilda.displayName}` }).first()).toContainText("Token refreshed");

  // A second run fails on SMTP: "Problems only" shows it with its diagnosis, and no passed check.
  await setSmtpAuthDisabled(tilda.upn, true);
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByText("Some steps failed")).toBeVisible();
  await history.getByRole("link", { name: "Problems only", exact: true }).click();
  await expect(page).toHaveURL(/[?&]kind=problems/);
  const failed = entries.filter({ hasText: `Test now by ${tilda.displayName}` });
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText("Check failed");
  await expect(failed).toContainText("SMTP sign-in failed: smtp_auth_disabled");
  await expect(history).not.toContainText("Check passed");

  // Filter: token refreshes only, in the URL; then tests only.
  await history.getByRole("link", { name: "Token refreshes", exact: true }).click();
  await expect(page).toHaveURL(/[?&]kind=refreshes/);
  await expect(history.getByRole("link", { name: "Token refreshes", exact: true })).toHaveAttribute("aria-current", "page");
  await expect(entries.first()).toContainText("Token refreshed");
  await expect(history).not.toContainText("Check passed");
  await history.getByRole("link", { name: "Test now and API checks", exact: true }).click();
  await expect(page).toHaveURL(/[?&]kind=tests/);
  await expect(entries).toHaveCount(2);
  await expect(entries.first()).toContainText(`Test now by ${tilda.displayName}`);
  await expect(history).not.toContainText("Token refreshed");
  // A tampered cursor is the first page, not an error.
  await page.goto(`${new URL(page.url()).pathname}?kind=tests&cursor=tampered`);
  await expect(entries.first()).toContainText(`Test now by ${tilda.displayName}`);
  await history.getByRole("link", { name: "Everything", exact: true }).click();
  await expect(page).not.toHaveURL(/kind=/);

  // The chart of check durations, with its figures as a table.
  const durations = page.getByRole("region", { name: "Check durations" });
  await expect(durations.getByRole("img", { name: /Line chart of how long each protocol took/ })).toBeVisible();
  await expect(durations.getByRole("row", { name: /^Graph/ })).toBeVisible();
  await expect(durations.getByRole("row", { name: /^IMAP/ })).toBeVisible();
  await expect(durations.getByRole("row", { name: /^SMTP/ })).toContainText(/UTC/); // its last failure

  await expectAccessible(page);
  await expectFitsPhone(page);
  await page.screenshot({ path: "/tmp/timeline-1280.png", fullPage: true });
  await durations.screenshot({ path: "/tmp/timeline-1280-chart.png" });
  await history.screenshot({ path: "/tmp/timeline-1280-history.png" });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "/tmp/timeline-390.png", fullPage: true });
  await durations.screenshot({ path: "/tmp/timeline-390-chart.png" });
  await history.screenshot({ path: "/tmp/timeline-390-history.png" });
});
