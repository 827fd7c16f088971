import { expect, test, type Page } from "@playwright/test";
import { connectAndOpenMailbox, createOrg, escapeRegExp, makeApp, makeTenant, registerIntegration, setSmtpAuthDisabled, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// Support staff: a platform role that reads every org's health and never sees a secret, a token
// or a consent link. Sign in, land on the fleet view, find an org, open a failing connection.

const SUPPORT = { upn: "support@mailgrant-ops.onmicrosoft.com" };

/** Screenshots at 1280 and 390 px when SCREENSHOT_DIR is set (for looking at the pages, not for asserting). */
async function shoot(page: Page, name: string) {
  const dir = process.env.SCREENSHOT_DIR;
  if (!dir) return;
  const size = page.viewportSize();
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${dir}/support-${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${dir}/support-${name}-390.png`, fullPage: true });
  if (size) await page.setViewportSize(size);
}

async function checkPage(page: Page, name: string) {
  await expect(page.getByRole("main")).toBeVisible();
  await expectAccessible(page);
  await expectFitsPhone(page);
  await shoot(page, name);
}

test("[support]: support staff land on the fleet view, open an org and a failing connection, and see its checks but no secret", async ({ page, browser }) => {
  test.setTimeout(240_000);
  // An owner connects their mailbox through an integration whose secret support must never see; SMTP AUTH off makes it fail.
  const t = await makeTenant("Supp", ["Olive Owner"]);
  const olive = t.users[0]!;
  const app = await makeApp(t.id);
  const secret = app.secrets[0]!.value;
  await signIn(page, olive);
  await createOrg(page, "Supp Org", t.slug);
  await registerIntegration(page, t, app, [/Read mail with Microsoft Graph/, /^SMTP send/]);
  await connectAndOpenMailbox(page, t.slug, olive.upn);
  await setSmtpAuthDisabled(olive.upn, true);
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByRole("region", { name: "Health" })).toContainText("Failing · misconfigured");
  // A fresh consent link for the same mailbox: its URL is shown to the owner, never to support.
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await page.getByLabel("Mailbox owner's address").fill(olive.upn);
  await page.getByRole("button", { name: "Create consent link" }).click();
  const consentLink = await page.getByLabel("Consent link", { exact: true }).inputValue();
  expect(consentLink).toMatch(/\/consent\//);

  const support = await (await browser.newContext()).newPage();
  await signIn(support, SUPPORT);
  await expect(support).toHaveURL(/\/support$/);
  await expect(support.getByRole("heading", { name: "Fleet", level: 1 })).toBeVisible();
  await expect(support.getByRole("navigation", { name: "Support console" }).getByRole("link", { name: "Fleet" })).toHaveAttribute("aria-current", "page");
  await expect(support.getByRole("region", { name: "Health across all organizations" })).toBeVisible();
  await expect(support.getByRole("region", { name: "Health over time" })).toBeVisible();
  await checkPage(support, "fleet");

  await support.getByRole("navigation", { name: "Support console" }).getByRole("link", { name: "Organizations" }).click();
  await support.getByLabel("Search by name, slug or tenant ID").fill(t.slug);
  await support.getByRole("button", { name: "Search" }).click();
  await expect(support).toHaveURL(new RegExp(`/support/orgs\\?q=${escapeRegExp(t.slug)}`));
  const row = support.getByRole("table", { name: "Organizations" }).getByRole("row").filter({ hasText: "Supp Org" });
  await expect(row).toContainText("1 failing");
  await checkPage(support, "orgs");

  await row.getByRole("link", { name: "Supp Org" }).click();
  await expect(support.getByRole("heading", { name: "Supp Org", level: 1 })).toBeVisible();
  await expect(support.getByRole("link", { name: "All 1 mailbox" })).toHaveAttribute("href", `/support/connections?org=${t.slug}`);
  await expect(support.getByRole("list", { name: "Integrations" }).getByRole("link", { name: "Helpdesk mail" })).toHaveAttribute("href", /\/support\/connections\?integration=[0-9a-f-]{36}$/);
  await checkPage(support, "org");

  await support.getByRole("list", { name: "Recently failing mailboxes" }).getByRole("link", { name: olive.upn }).click();
  await expect(support).toHaveURL(/\/support\/connections\/[0-9a-f-]{36}$/);
  await expect(support.getByRole("heading", { name: olive.upn, level: 1 })).toBeVisible();
  await expect(support.getByRole("region", { name: "Health" })).toContainText("Failing · misconfigured");
  await expect(support.getByRole("table", { name: "Recent checks" }).getByRole("row").filter({ hasText: "Test now" })).toContainText(/Failed.*smtp_auth_disabled/);
  await expect(support.getByRole("list", { name: "Diagnoses" })).toContainText("smtp_auth_disabled");
  await expect(support.getByRole("region", { name: "Consent" })).toContainText(olive.upn);
  await expect(support.getByRole("list", { name: "Audit entries" })).toContainText("Connected a mailbox");
  const html = await support.content();
  expect(html).not.toContain(secret);
  expect(html).not.toContain(consentLink.split("/consent/")[1]!);
  expect(html).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // no JWT: no access token, no consent or admin-consent link
  expect(html).not.toMatch(/\/consent\/[A-Za-z0-9_-]/);
  await checkPage(support, "connection");

  // The view is in the org's audit log, where the org's owner sees it.
  await page.goto(`/orgs/${t.slug}/audit`);
  await expect(page.getByRole("main")).toContainText("Support staff opened a mailbox's connection page");

  // An unknown connection is a 404 for support too.
  const missing = await support.goto("/support/connections/00000000-0000-4000-8000-000000000000");
  expect(missing?.status()).toBe(404);
});
