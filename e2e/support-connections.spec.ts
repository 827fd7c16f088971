import { expect, test } from "@playwright/test";
import { createOrg, escapeRegExp, makeApp, makeTenant, registerIntegration, revokeGrants, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// Support's connections table across orgs: search by an AADSTS code, the filters in the URL, the
// CSV export of the same view, and no secret anywhere.

test("[support]: support staff search the connections of every org by an AADSTS code and export the view", async ({ page, browser }) => {
  // Two people sign in and two mailboxes connect through the emulator: a guard for a busy machine, not a target.
  test.setTimeout(240_000);
  const t = await makeTenant("Fleet", ["Fay Owner", "Gus Gone"]);
  const [fay, gus] = t.users as [(typeof t.users)[0], (typeof t.users)[0]];
  await signIn(page, fay);
  await createOrg(page, "Fleet Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id));
  for (const u of [fay, gus]) {
    await page.goto(`/orgs/${t.slug}/mailboxes`);
    await page.getByRole("region", { name: "Connect a mailbox" }).getByRole("button", { name: "Sign in with Microsoft" }).click();
    await page.getByRole("button", { name: new RegExp(escapeRegExp(u.upn)) }).click();
    await page.getByRole("button", { name: "Accept" }).click();
    await expect(page.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  }
  await revokeGrants(gus.upn);
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await page.getByRole("link", { name: gus.upn }).click();
  await page.getByRole("button", { name: "Refresh now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "AADSTS50173" })).toBeVisible();

  const support = await (await browser.newContext()).newPage();
  await signIn(support, { upn: "support@mailgrant-ops.onmicrosoft.com" });
  await support.goto("/support/connections");
  await expect(support.getByRole("heading", { level: 1, name: "Connections" })).toBeVisible();
  const filters = support.getByRole("search", { name: "Search and filter connections" });
  await filters.getByLabel("Search", { exact: true }).fill("AADSTS50173");
  await filters.getByLabel("Organization slug").fill(t.slug);
  await filters.getByRole("button", { name: "Apply" }).click();
  await expect(support).toHaveURL(/q=AADSTS50173/);
  const rows = support.getByRole("row").filter({ hasText: "@" });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(gus.upn);
  await expect(rows.first()).toContainText("AADSTS50173");
  await expect(support.getByText("1–1 of 1 connection").first()).toBeVisible();
  await expect(support.getByRole("link", { name: gus.upn })).toHaveAttribute("href", /^\/support\/connections\/[0-9a-f-]{36}$/);
  await expectAccessible(support);
  await support.screenshot({ path: "/tmp/tables-support-1280.png", fullPage: true });

  // The org's whole list, sorted by mailbox: the header link sorts and says so.
  await support.goto(`/support/connections?org=${t.slug}`);
  await expect(rows).toHaveCount(2);
  await support.getByRole("link", { name: /^Mailbox/ }).click();
  await expect(support.getByRole("columnheader", { name: /Mailbox/ })).toHaveAttribute("aria-sort", "ascending");

  // The CSV holds the same rows, with no token, secret or link to a consent page.
  const csv = await (await support.request.get(`/api/support/connections/export?org=${t.slug}`)).text();
  expect(csv.split("\r\n")[0]).toContain("connection_id");
  expect(csv).toContain(gus.upn);
  expect(csv).toContain(fay.upn);
  expect(csv).not.toMatch(/\/consent\/|refresh_token|secret/i);
  // An org member gets nothing from the export.
  expect((await page.request.get("/api/support/connections/export")).status()).toBe(404);

  await expectFitsPhone(support);
  await support.setViewportSize({ width: 390, height: 844 });
  await support.goto(`/support/connections?org=${t.slug}`);
  await support.screenshot({ path: "/tmp/tables-support-390.png", fullPage: true });
});
