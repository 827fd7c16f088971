import { expect, test, type Page } from "@playwright/test";
import { connectMailbox, createOrg, escapeRegExp, makeApp, makeTenant, registerIntegration, revokeGrants, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// Bulk actions on the Mailboxes list: an admin ticks mailboxes and sends fresh consent links to
// those that need re-consent (demo mode keeps the mail in /demo/outbox), or queues checks.

/** The outbox's messages addressed to one mailbox. */
const mailsTo = (page: Page, upn: string) => page.getByRole("article").filter({ hasText: new RegExp(`To:\\s*${escapeRegExp(upn)}`) });

test("[mailboxes]: an admin sends fresh consent links to the selected mailboxes and only those that need re-consent get one", async ({ page, browser }) => {
  // Five people sign in and four mailboxes connect through the emulator: a guard for a busy machine, not a target.
  test.setTimeout(300_000);
  const t = await makeTenant("Bulk", ["Olive Owner", "Ben Broken", "Cora Clean", "Dan Dropped", "Vera Viewer"]);
  const [olive, ben, cora, dan, vera] = t.users as [(typeof t.users)[0], (typeof t.users)[0], (typeof t.users)[0], (typeof t.users)[0], (typeof t.users)[0]];
  await signIn(page, olive);
  await createOrg(page, "Bulk Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id));
  for (const u of [olive, ben, cora, dan]) await connectMailbox(page, t.slug, u.upn);

  // Ben and Dan revoke the app at Microsoft; their next token refresh says so (AADSTS50173).
  for (const u of [ben, dan]) {
    await revokeGrants(u.upn);
    await page.goto(`/orgs/${t.slug}/mailboxes`);
    await page.getByRole("link", { name: u.upn }).click();
    await page.getByRole("button", { name: "Refresh now" }).click();
    await expect(page.getByRole("status").filter({ hasText: "AADSTS50173" })).toBeVisible();
  }

  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const list = page.getByRole("region", { name: "Connected mailboxes" });
  await expect(list.getByRole("row", { name: new RegExp(escapeRegExp(ben.upn)) })).toContainText("Needs re-consent");
  await expect(list.getByText("No mailbox selected")).toBeVisible();

  // Nothing ticked: the button says what to do.
  await list.getByRole("button", { name: "Send fresh consent links" }).click();
  await expect(list.getByRole("alert")).toContainText("Select one or more mailboxes first");

  // Ben (needs re-consent), Cora (healthy) and Dan (needs re-consent).
  for (const u of [ben, cora, dan]) await list.getByRole("checkbox", { name: `Select ${u.upn}` }).check();
  await expect(list.getByText("3 mailboxes selected")).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: "/tmp/tables-mailboxes-1280.png", fullPage: true });
  await list.getByRole("button", { name: "Send fresh consent links" }).click();
  const notice = list.getByRole("status").filter({ hasText: "Fresh consent links sent" });
  await expect(notice).toContainText("for 2 mailboxes");
  await expect(notice).toContainText(ben.upn);
  await expect(notice).toContainText(dan.upn);
  await expect(notice).toContainText(`Skipped 1: ${cora.upn} (it does not need re-consent)`);
  await expect(notice).toContainText("demo outbox");

  await page.goto("/demo/outbox");
  await expect(mailsTo(page, ben.upn)).toHaveCount(1);
  await expect(mailsTo(page, dan.upn)).toHaveCount(1);
  await expect(mailsTo(page, cora.upn)).toHaveCount(0);
  await expect(mailsTo(page, olive.upn)).toHaveCount(0);
  await expect(mailsTo(page, ben.upn)).toContainText(`/consent/`);

  // "Test selected now" queues Olive and Cora and says what happens next; Ben is skipped with the reason.
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  for (const u of [olive, cora, ben]) await list.getByRole("checkbox", { name: `Select ${u.upn}` }).check();
  await list.getByRole("button", { name: "Test selected now" }).click();
  const queued = list.getByRole("status").filter({ hasText: "queued for a check now" });
  await expect(queued).toContainText("2 mailboxes queued");
  await expect(queued).toContainText("The worker runs them within a few minutes");
  await expect(queued).toContainText(`Skipped 1: ${ben.upn} (it needs re-consent first`);

  // The audit log says who did it.
  await page.goto(`/orgs/${t.slug}/audit`);
  await expect(page.getByRole("cell", { name: "Mailed fresh consent links to the selected mailboxes that need re-consent" }).first()).toBeVisible();

  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expectFitsPhone(page);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: "/tmp/tables-mailboxes-390.png", fullPage: true });

  // A viewer sees the list without checkboxes or bulk buttons.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`/orgs/${t.slug}/members`);
  await page.getByLabel("Email address").fill(vera.upn);
  await page.getByLabel("Role", { exact: true }).selectOption("VIEWER");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByText(`Invitation created for ${vera.upn}`)).toBeVisible();
  const viewer = await (await browser.newContext()).newPage();
  await signIn(viewer, vera);
  await viewer.getByRole("button", { name: "Accept invitation to Bulk Org" }).click();
  await expect(viewer).toHaveURL(new RegExp(`/orgs/${t.slug}$`));
  await viewer.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(viewer.getByRole("link", { name: ben.upn })).toBeVisible();
  await expect(viewer.getByRole("checkbox")).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Send fresh consent links" })).toHaveCount(0);
});
