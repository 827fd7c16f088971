import { expect, test } from "@playwright/test";
import { createOrg, injectFault, makeTenant, signIn, signOut } from "./fixtures";

test("[orgs]: an admin signs in, creates an org and invites a member who signs in and sees it with the member role", async ({ browser }) => {
  const contoso = await makeTenant("Contoso", ["Adele Vance", "Megan Bowen"]);
  const [adele, megan] = contoso.users as [typeof contoso.users[0], typeof contoso.users[0]];

  const adminPage = await (await browser.newContext()).newPage();
  await signIn(adminPage, adele);
  await expect(adminPage.getByRole("heading", { name: "You are not in an organization yet" })).toBeVisible();
  await adminPage.getByRole("link", { name: "Create an organization" }).click();
  await adminPage.getByLabel("Organization name").fill(`Contoso Helpdesk`);
  await adminPage.getByLabel("URL slug").fill(contoso.slug);
  await adminPage.getByRole("button", { name: "Create organization" }).click();
  await expect(adminPage.getByRole("heading", { name: "Contoso Helpdesk" })).toBeVisible();
  await expect(adminPage.getByText(contoso.id)).toBeVisible(); // the org records the creator's tenant

  await adminPage.getByRole("link", { name: "Members" }).click();
  await adminPage.getByLabel("Email address").fill(megan.upn.toUpperCase());
  await adminPage.getByLabel("Role", { exact: true }).selectOption("MEMBER");
  await adminPage.getByRole("button", { name: "Send invitation" }).click();
  await expect(adminPage.getByText(`Invitation created for ${megan.upn}`)).toBeVisible();
  await expect(adminPage.getByRole("listitem").filter({ hasText: megan.upn })).toBeVisible();

  const memberPage = await (await browser.newContext()).newPage();
  await signIn(memberPage, megan);
  await memberPage.getByRole("button", { name: "Accept invitation to Contoso Helpdesk" }).click();
  await expect(memberPage).toHaveURL(new RegExp(`/orgs/${contoso.slug}$`));
  await expect(memberPage.getByText("Your role").locator("..").getByText("Member")).toBeVisible();
  // Members don't get the audit log or the invite form.
  await expect(memberPage.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await memberPage.getByRole("link", { name: "Members" }).click();
  await expect(memberPage.getByRole("button", { name: "Send invitation" })).toHaveCount(0);

  await adminPage.getByRole("link", { name: "Audit log" }).click();
  // Sign-ins from before someone joined are not the org's business (both signed in before joining).
  for (const what of ["Created the organization", "Invited a person", "Accepted an invitation"]) {
    await expect(adminPage.getByRole("cell", { name: what }).first()).toBeVisible();
  }
  await signOut(memberPage);
});

test("[orgs]: a member of another org gets 404 on the first org's pages", async ({ browser }) => {
  const a = await makeTenant("Alpha", ["Ann Owner"]);
  const b = await makeTenant("Beta", ["Bob Outsider"]);
  const ownerPage = await (await browser.newContext()).newPage();
  await signIn(ownerPage, a.users[0]!);
  await createOrg(ownerPage, "Alpha Org", a.slug);

  const outsider = await (await browser.newContext()).newPage();
  await signIn(outsider, b.users[0]!);
  await createOrg(outsider, "Beta Org", b.slug);
  for (const path of [`/orgs/${a.slug}`, `/orgs/${a.slug}/members`, `/orgs/${a.slug}/audit`, "/support"]) {
    const response = await outsider.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(outsider.getByRole("heading", { name: "Page not found" })).toBeVisible();
    await expect(outsider.getByText("Alpha Org")).toHaveCount(0);
  }
});

test("[sign-in]: an error from Microsoft (AADSTS50020) shows an explanation page, not a stack trace", async ({ page }) => {
  const t = await makeTenant("Gamma", ["Gina Guest"]);
  await injectFault({ endpoint: "authorize", code: 50020, upn: t.users[0]!.upn });
  await signIn(page, t.users[0]!);
  await expect(page).toHaveURL(/\/auth\/error/);
  await expect(page.getByRole("heading", { name: "This account is not from an allowed organization" })).toBeVisible();
  await expect(page.getByText("Sign in with your work account")).toBeVisible();
  await page.getByText("Details for a support ticket").click();
  await expect(page.getByText("AADSTS50020", { exact: true })).toBeVisible();
  await expect(page.getByText("Trace ID")).toBeVisible();
});

test("[sign-in]: signed-out visitors are sent to sign-in and come back where they were going", async ({ page }) => {
  const t = await makeTenant("Delta", ["Dana Doe"]);
  await page.goto("/orgs/new");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Forgs%2Fnew/);
  await page.getByRole("button", { name: /Sign in with Microsoft/ }).click();
  await page.getByRole("button", { name: new RegExp(t.users[0]!.upn) }).click();
  await expect(page).toHaveURL(/\/orgs\/new$/);
  await page.getByLabel("Organization name").fill("Delta");
  await page.getByLabel("URL slug").fill("support");
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page.getByText("That URL slug is reserved; pick another.")).toBeVisible();
  await expect(page.getByLabel("Organization name")).toHaveValue("Delta");
});

test("[support]: support staff land on the console and see every org read-only; others get 404", async ({ browser }) => {
  const t = await makeTenant("Epsilon", ["Eve Owner"]);
  const owner = await (await browser.newContext()).newPage();
  await signIn(owner, t.users[0]!);
  const orgName = `Epsilon ${t.slug}`; // unique: the support console lists every org
  await createOrg(owner, orgName, t.slug);

  const support = await (await browser.newContext()).newPage();
  await signIn(support, { upn: "support@mailgrant-ops.onmicrosoft.com" });
  // They land on the console, not on "create an organization".
  await expect(support.getByText("Support console · read-only")).toBeVisible();
  expect(new URL(support.url()).pathname).toBe("/support");
  await expect(support.getByRole("link", { name: "New organization" })).toHaveCount(0);
  // Every org is in the inventory (paged, so found by a search).
  await support.getByRole("navigation", { name: "Support console" }).getByRole("link", { name: "Organizations" }).click();
  await support.getByLabel("Search by name, slug or tenant ID").fill(t.slug);
  await support.getByRole("button", { name: "Search" }).click();
  await support.getByRole("link", { name: orgName }).click();
  await expect(support.getByRole("heading", { name: orgName })).toBeVisible();
  await expect(support.getByText(t.users[0]!.upn)).toBeVisible();
  await expect(support.getByRole("button")).not.toContainText(["Save", "Remove", "Withdraw"]);
  // Support staff are not members: the org's own pages stay closed to them.
  expect((await support.goto(`/orgs/${t.slug}`))?.status()).toBe(404);
});

test("[sign-in]: signing out ends the session at once (a copied cookie stops working), and sign out everywhere ends every browser's", async ({ browser }) => {
  const t = await makeTenant("Session", ["Sid Session"]);
  const sid = t.users[0]!;
  // A forged X-Forwarded-For from a client that is not a configured proxy is not believed.
  const first = await (await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "6.6.6.6" } })).newPage();
  await signIn(first, sid);
  await createOrg(first, "Session Org", t.slug);
  await first.goto(`/orgs/${t.slug}/audit`);
  await expect(first.getByRole("row", { name: /Created the organization/ })).toContainText(/127\.0\.0\.1|::1/);
  await expect(first.getByText("6.6.6.6")).toHaveCount(0);
  const copied = await first.context().cookies();
  await signOut(first);
  // The stolen copy of the cookie from before sign-out no longer signs anyone in.
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const stolen = await thief.newPage();
  await stolen.goto(`/orgs/${t.slug}`);
  await expect(stolen.getByRole("heading", { name: "Sign in to Mailgrant" })).toBeVisible();

  // Two browsers signed in; "Sign out everywhere" from one ends both.
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  await signIn(laptop, sid, `/signin?callbackUrl=/orgs/${t.slug}`);
  await signIn(phone, sid, `/signin?callbackUrl=/orgs/${t.slug}`);
  await expect(phone.getByRole("heading", { name: "Session Org" }).first()).toBeVisible();
  laptop.once("dialog", (d) => void d.accept());
  await laptop.getByLabel("Account menu").click();
  await laptop.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(laptop).toHaveURL(/\/signin/);
  await phone.reload();
  await expect(phone.getByRole("heading", { name: "Sign in to Mailgrant" })).toBeVisible();
});
