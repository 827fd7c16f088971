import { expect, test } from "@playwright/test";
import { connectAndOpenMailbox, createOrg, emulator, escapeRegExp, makeApp, makeTenant, registerIntegration, reloadUntil, setSmtpAuthDisabled, signIn } from "../e2e/fixtures";
import { expectAccessible, expectFitsPhone } from "../e2e/accessibility";

// The worker watches mailboxes on its own: with the interval overridden to 5 seconds, every
// change below shows up through scheduled checks only; no "Test now" button is ever pressed.
// Each wait reloads the page until the next check's result is there (no fixed sleep).

const quick = { timeout: 2_000 };

test("[checks]: scheduled checks turn a mailbox failing with its diagnosis, healthy once fixed, and blocked by Conditional Access", async ({ page }) => {
  const t = await makeTenant("Sched", ["Olive Owner"]);
  const olive = t.users[0]!;
  await signIn(page, olive);
  await createOrg(page, "Sched Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^IMAP/, /^SMTP send/]);
  const mailboxPath = await connectAndOpenMailbox(page, t.slug, olive.upn);
  const listPath = `/orgs/${t.slug}/mailboxes`;
  const row = () => page.getByRole("row", { name: new RegExp(escapeRegExp(olive.upn)) });
  const health = () => page.getByRole("region", { name: "Health" });

  try {
    // The first scheduled check after the consent.
    await reloadUntil(page, listPath, async () => {
      await expect(row()).toContainText("Healthy", quick);
      await expect(row()).toContainText("SMTP ✓", quick);
    });

    // SMTP AUTH turned off for the mailbox: failing, with its diagnosis, in the list and on its page.
    await setSmtpAuthDisabled(olive.upn, true);
    await reloadUntil(page, listPath, async () => {
      await expect(row()).toContainText("Failing · misconfigured", quick);
      await expect(row()).toContainText("SMTP ✗ smtp_auth_disabled", quick);
      await expect(row()).toContainText("IMAP ✓", quick);
    });
    await reloadUntil(page, mailboxPath, async () => {
      await expect(health()).toContainText("Failing · misconfigured", quick);
    });
    await expect(health()).toContainText("SMTP AUTH is disabled");
    await expect(health()).toContainText("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false");
    const failedCheck = page.getByRole("list", { name: "History entries, newest first" }).locator(":scope > li").filter({ hasText: "Check failed" }).first();
    await expect(failedCheck).toContainText("smtp_auth_disabled");
    await expect(failedCheck).toContainText("Scheduled check");
    await expect(page.getByRole("region", { name: "History" })).not.toContainText("Test now by");
    // The overview's chart: the hour in progress shows the failure (its caption and numbers say it in words).
    await page.goto(`/orgs/${t.slug}`);
    const chart = page.getByRole("region", { name: "Health over time" });
    await expect(chart.getByRole("figure")).toContainText("Now: 1 failing.");
    await chart.getByText("Show the numbers").click();
    await expect(chart.getByRole("row").nth(1)).toContainText(/\(now\)\s*1\s*0\s*0\s*0\s*0/);
    await expect(page.getByText("Failing: 1 misconfigured")).toBeVisible();
    await chart.getByRole("link", { name: "7 days" }).click();
    await expect(page).toHaveURL(/\?range=7d$/);
    await expect(chart.getByRole("figure")).toContainText("over the last 7 days");
    await expectAccessible(page);
    await expectFitsPhone(page);

    // Fixed at "Microsoft": the next scheduled check turns it healthy.
    await setSmtpAuthDisabled(olive.upn, false);
    await reloadUntil(page, listPath, async () => {
      await expect(row()).toContainText("Healthy", quick);
      await expect(row()).toContainText("SMTP ✓", quick);
    });

    // A Conditional Access policy blocks the user's token requests: failing and blocked, even
    // though consent still exists ("Connected" stays, as the second axis).
    await emulator.addFault({ endpoint: "token", code: 53003, upn: olive.upn, times: "untilCleared" });
    await reloadUntil(page, listPath, async () => {
      await expect(row()).toContainText("Failing · blocked", quick);
    });
    await expect(row()).toContainText("Connected");
    await reloadUntil(page, mailboxPath, async () => {
      await expect(health()).toContainText("Failing · blocked", quick);
    });
    await expect(health()).toContainText("Blocked by Conditional Access");
    await expect(page.locator("[data-health]").first()).toHaveAttribute("data-health", "FAILING");
    await expect(page.locator("[data-health]").first()).toContainText("Failing · blocked");
  } finally {
    await emulator.clearFaults();
    await setSmtpAuthDisabled(olive.upn, false);
  }
});
