import { expect, test } from "@playwright/test";
import { connectAndOpenMailbox, makeApp, ownerWithOrg, registerIntegration, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// Every kind of page, as an owner with an integration and a connected mailbox, and as support
// staff: axe finds nothing serious or critical, and nothing scrolls sideways at 390 px.

test("[a11y]: every page passes axe and fits a 390 px screen", async ({ page, browser }) => {
  // Every page through axe, on a busy 2-core machine: a guard, not a target.
  test.setTimeout(480_000);
  const t = await ownerWithOrg(page, "Axe");
  const owner = t.users[0]!;
  const integrationPath = await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^SMTP send/]);
  const mailboxPath = await connectAndOpenMailbox(page, t.slug, owner.upn);
  await page.goto(`/orgs/${t.slug}/settings`);
  await page.getByRole("list", { name: "Notification channels" }).getByRole("link", { name: "Owners and admins" }).click();
  await expect(page.getByRole("heading", { name: "Owners and admins" })).toBeVisible();
  const channelPath = new URL(page.url()).pathname;

  const pages = [
    "/orgs",
    `/orgs/${t.slug}`,
    `/orgs/${t.slug}/integrations`,
    integrationPath,
    `/orgs/${t.slug}/integrations/new`,
    `/orgs/${t.slug}/mailboxes`,
    mailboxPath,
    `/orgs/${t.slug}/members`,
    `/orgs/${t.slug}/audit`,
    `/orgs/${t.slug}/settings`,
    channelPath,
    "/demo/outbox",
  ];
  const problems: string[] = [];
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("main")).toBeVisible();
    for (const check of [expectAccessible, expectFitsPhone]) {
      try {
        await check(page);
      } catch (e) {
        problems.push(`${path}: ${(e as Error).message.split("\n").slice(0, 30).join("\n")}`);
      }
    }
  }

  const support = await (await browser.newContext()).newPage();
  await signIn(support, { upn: "support@mailgrant-ops.onmicrosoft.com" });
  await expect(support.getByText("Support console · read-only")).toBeVisible();
  const connectionId = mailboxPath.split("/").at(-1)!;
  for (const path of ["/support", `/support/orgs?q=${t.slug}`, `/support/orgs/${t.slug}`, `/support/connections/${connectionId}`]) {
    await support.goto(path);
    await expect(support.getByRole("main")).toBeVisible();
    for (const check of [expectAccessible, expectFitsPhone]) {
      try {
        await check(support);
      } catch (e) {
        problems.push(`support ${support.url()}: ${(e as Error).message.split("\n").slice(0, 30).join("\n")}`);
      }
    }
  }
  const anonymous = await (await browser.newContext()).newPage();
  for (const path of ["/", "/signin"]) {
    await anonymous.goto(path);
    for (const check of [expectAccessible, expectFitsPhone]) {
      try {
        await check(anonymous);
      } catch (e) {
        problems.push(`${path}: ${(e as Error).message.split("\n").slice(0, 30).join("\n")}`);
      }
    }
  }
  expect(problems.join("\n\n")).toBe("");
});
