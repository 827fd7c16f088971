import { expect, test, type Browser, type Page } from "@playwright/test";
import { createOrg, escapeRegExp, makeApp, makeTenant, registerIntegration, revokeGrants, signIn, type TenantOptions } from "./fixtures";

// Mailbox connections through the real UI: the portal's pages, the emulator's Microsoft pages
// (account picker, consent screen, admin consent), and back to the portal's callback.

/** An org owner (a tenant admin when asked) with an integration for a new app in their tenant. */
async function orgWithIntegration(page: Page, label: string, users: string[], opts: TenantOptions = {}) {
  const t = await makeTenant(label, ["Olive Owner", ...users], opts);
  await signIn(page, t.users[0]!);
  await createOrg(page, `${label} Org`, t.slug);
  const app = await makeApp(t.id);
  const integrationUrl = await registerIntegration(page, t, app);
  const user = (name: string) => t.users.find((u) => u.displayName === name)!;
  return { t, app, integrationUrl, user };
}

async function pickAccount(page: Page, upn: string) {
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await page.getByRole("button", { name: new RegExp(escapeRegExp(upn)) }).click();
}

async function acceptConsent(page: Page) {
  await expect(page.getByRole("heading", { name: "Permissions requested" })).toBeVisible();
  await page.getByRole("button", { name: "Accept" }).click();
}

async function connectFromMailboxes(page: Page, slug: string, mailbox?: { address: string; shared?: boolean }) {
  await page.goto(`/orgs/${slug}/mailboxes`);
  const card = page.getByRole("region", { name: "Connect a mailbox" });
  if (mailbox?.shared) await card.getByRole("radio", { name: /A shared mailbox/ }).check();
  if (mailbox) await card.getByLabel(mailbox.shared ? "Shared mailbox address" : "Mailbox address (optional)").fill(mailbox.address);
  await card.getByRole("button", { name: "Sign in with Microsoft" }).click();
}

async function createConsentLink(page: Page, slug: string, address: string): Promise<string> {
  await page.goto(`/orgs/${slug}/mailboxes`);
  await page.getByLabel("Mailbox owner's address").fill(address);
  await page.getByRole("button", { name: "Create consent link" }).click();
  const link = page.getByLabel("Consent link", { exact: true });
  await expect(link).toHaveValue(/\/consent\//);
  return link.inputValue();
}

/** A mailbox owner in their own browser: no portal account, only the link. */
async function ownerBrowser(browser: Browser) {
  const context = await browser.newContext();
  return context.newPage();
}

/** The owner opens their consent link in their own browser and picks their account at Microsoft. */
async function signInThroughLink(browser: Browser, link: string, upn: string) {
  const owner = await ownerBrowser(browser);
  await owner.goto(link);
  await owner.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(owner, upn);
  return owner;
}

test("[connections]: an admin connects their own mailbox with user consent", async ({ page }) => {
  const { t } = await orgWithIntegration(page, "Own", []);
  const olive = t.users[0]!;
  await connectFromMailboxes(page, t.slug);
  await pickAccount(page, olive.upn);
  const consent = page.getByRole("list").filter({ hasText: "Read your mail" });
  await expect(consent).toContainText("Maintain access to data you have given it access to");
  await acceptConsent(page);
  await expect(page.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  await page.getByRole("link", { name: "Open the mailbox" }).click();
  await expect(page.getByRole("heading", { name: olive.upn })).toBeVisible();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText("User consent", { exact: true })).toBeVisible();
  await expect(page.getByText("Not granted")).toHaveCount(0);
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const row = page.getByRole("row", { name: new RegExp(escapeRegExp(olive.upn)) });
  await expect(row).toContainText("Helpdesk mail");
  await expect(row).toContainText("Mail.Read");
  await expect(row).toContainText("IMAP.AccessAsUser.All");
});

test("[connections]: after tenant-wide admin consent, a mailbox owner connects without a consent prompt", async ({ page, browser }) => {
  const { t, integrationUrl, user } = await orgWithIntegration(page, "AdminOk", ["Megan Bowen"], { admins: ["Olive Owner"] });
  await page.goto(integrationUrl);
  await page.getByRole("button", { name: "Grant admin consent for the organization" }).click();
  await pickAccount(page, t.users[0]!.upn);
  await expect(page.getByRole("heading", { name: "Accept for your organization" })).toBeVisible();
  await acceptConsent(page);
  // The integration's app is registered in this tenant, so the portal can't prove the consent: "reported".
  await expect(page.getByRole("heading", { name: "Microsoft reported admin consent" })).toBeVisible();
  await expect(page.getByText(/Not verified: Tenant .* is where the app is registered/)).toBeVisible();
  await page.getByRole("link", { name: "Back to the integration" }).click();
  await expect(page).toHaveURL(new RegExp(`${escapeRegExp(integrationUrl)}$`));
  const granted = page.getByRole("region", { name: "Admin consent" }).getByRole("listitem").filter({ hasText: `Tenant ${t.id}` });
  await expect(granted).toContainText("Reported");
  await expect(granted).toContainText("the portal cannot confirm the consent itself");

  const megan = user("Megan Bowen");
  const link = await createConsentLink(page, t.slug, megan.upn);
  const owner = await signInThroughLink(browser, link, megan.upn);
  // No consent screen: straight back to the portal.
  await expect(owner.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  await expect(owner.getByText("Admin consent reported (tenant-wide)")).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(page.getByRole("row", { name: new RegExp(escapeRegExp(megan.upn)) })).toContainText("Admin consent reported (tenant-wide)");
});

test("[connections]: an invited mailbox owner connects through the link, and the admin sees it connected", async ({ page, browser }) => {
  const { t, user } = await orgWithIntegration(page, "Invite", ["Megan Bowen"]);
  const megan = user("Megan Bowen");
  const link = await createConsentLink(page, t.slug, megan.upn);
  // Demo mode "mails" links to its outbox (MAILGRANT_SMTP_URL=outbox), so the link counts as sent.
  await expect(page.getByText("It is in the demo outbox")).toBeVisible();
  await expect(page.getByRole("listitem").filter({ hasText: megan.upn })).toContainText("Sent");

  // A mail scanner or link preview fetches the link without running the page: it stays "Sent".
  const scanned = await page.request.get(link, { headers: { cookie: "" } });
  expect(scanned.status()).toBe(200);
  await page.reload();
  await expect(page.getByRole("listitem").filter({ hasText: megan.upn })).toContainText("Sent");

  const owner = await ownerBrowser(browser);
  await owner.goto(link);
  await expect(owner.getByRole("heading", { name: /Connect your mailbox to Invite Org/ })).toBeVisible();
  await expect(owner.getByText("Read mail with Microsoft Graph")).toBeVisible();
  // The page's script reports the real visit.
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("listitem").filter({ hasText: megan.upn })).toContainText("Opened", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await owner.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(owner, megan.upn);
  await acceptConsent(owner);
  await expect(owner.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  await expect(owner.getByText("You can close this page")).toBeVisible();

  await page.reload();
  await expect(page.getByRole("row", { name: new RegExp(escapeRegExp(megan.upn)) })).toContainText("User consent");
  await expect(page.getByRole("listitem").filter({ hasText: megan.upn })).toContainText("Connected");
  // Single use: the link now says so.
  await owner.goto(link);
  await expect(owner.getByText("This link was already used")).toBeVisible();
});

test("[connections]: after an empty submit the connect form keeps the integration and mailbox type chosen, and the flow uses them", async ({ page }) => {
  const { t } = await orgWithIntegration(page, "Keep", ["Sam Shared"]);
  const second = await makeApp(t.id);
  await registerIntegration(page, t, second, [/^IMAP/], "Second app");
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const card = page.getByRole("region", { name: "Connect a mailbox" });
  await card.getByLabel("Integration").selectOption({ label: "Second app" });
  await card.getByRole("radio", { name: /A shared mailbox/ }).check();
  await card.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await expect(card.getByText("Enter the shared mailbox's address: a delegate signs in for it.")).toBeVisible();
  // Everything as chosen, and the label matches the choice.
  await expect(card.getByLabel("Integration")).toHaveValue(await card.getByLabel("Integration").locator("option", { hasText: "Second app" }).getAttribute("value") ?? "");
  await expect(card.getByRole("radio", { name: /A shared mailbox/ })).toBeChecked();
  await card.getByLabel("Shared mailbox address").fill(`shared@${t.domain}`);
  await card.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  expect(new URL(page.url()).searchParams.get("client_id") ?? page.url()).toContain(second.clientId);
});

test("[connections]: connecting a shared mailbox through an integration without the .Shared Graph scopes is explained first, with a way to add them", async ({ page }) => {
  const { t, integrationUrl } = await orgWithIntegration(page, "ShScope", []);
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const card = page.getByRole("region", { name: "Connect a mailbox" });
  await card.getByRole("radio", { name: /A shared mailbox/ }).check();
  const warning = card.getByRole("alert").filter({ hasText: "cannot read a shared mailbox through Graph yet" });
  await expect(warning).toContainText("Mail.Read.Shared");
  await card.getByLabel("Shared mailbox address").fill(`shared@${t.domain}`);
  await card.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await expect(card.getByText(/lacks Mail.Read.Shared, so Graph cannot reach this shared mailbox/).first()).toBeVisible();
  await card.getByRole("button", { name: "Add Mail.Read.Shared to the integration" }).click();
  await expect(card.getByRole("alert").filter({ hasText: "cannot read a shared mailbox" })).toHaveCount(0);
  await page.goto(integrationUrl);
  await expect(page.getByText("Mail.Read.Shared").first()).toBeVisible();
});

test("[connections]: a shared mailbox connects through a delegate", async ({ page }) => {
  const { t, user } = await orgWithIntegration(page, "Shared", ["Megan Bowen"], { shared: [{ name: "Support Desk", delegates: ["Megan Bowen"] }] });
  const shared = t.shared[0]!;
  // Graph reaches a shared mailbox only with Mail.Read.Shared: add it from the connect form first.
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const card = page.getByRole("region", { name: "Connect a mailbox" });
  await card.getByRole("radio", { name: /A shared mailbox/ }).check();
  await card.getByRole("button", { name: "Add Mail.Read.Shared to the integration" }).click();
  await expect(card.getByRole("alert").filter({ hasText: "cannot read a shared mailbox" })).toHaveCount(0);
  await connectFromMailboxes(page, t.slug, { address: shared.upn, shared: true });
  await expect(page.getByRole("button", { name: new RegExp(escapeRegExp(shared.upn)) })).toHaveCount(0);
  await pickAccount(page, user("Megan Bowen").upn);
  await acceptConsent(page);
  await expect(page.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  const row = page.getByRole("row", { name: new RegExp(escapeRegExp(shared.upn)) });
  await expect(row).toContainText("(shared)");
  await expect(row).toContainText(user("Megan Bowen").upn);
  await expect(row).toContainText("Delegate of a shared mailbox");
});

test("[connections]: declining consent is explained and stores nothing", async ({ page }) => {
  const { t } = await orgWithIntegration(page, "Decline", []);
  await connectFromMailboxes(page, t.slug);
  await pickAccount(page, t.users[0]!.upn);
  await expect(page.getByRole("heading", { name: "Permissions requested" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("heading", { name: "Consent was declined" })).toBeVisible();
  await expect(page.getByText("Choose Accept")).toBeVisible();
  await page.getByText("Details for a support ticket").click();
  await expect(page.getByText("AADSTS65004", { exact: true })).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(page.getByText("No mailbox is connected yet.")).toBeVisible();
});

test("[connections]: signing in with another account than the link's is refused with both names", async ({ page, browser }) => {
  const { t, user } = await orgWithIntegration(page, "Mismatch", ["Megan Bowen", "Lee Gu"]);
  const megan = user("Megan Bowen");
  const lee = user("Lee Gu");
  const link = await createConsentLink(page, t.slug, megan.upn);
  const owner = await ownerBrowser(browser);
  await owner.goto(link);
  await owner.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await expect(owner.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await owner.getByRole("link", { name: "Use another account" }).click();
  await pickAccount(owner, lee.upn);
  await acceptConsent(owner);
  await expect(owner.getByRole("heading", { name: "You signed in with a different account than the link is for" })).toBeVisible();
  await expect(owner.getByText(`You signed in as ${lee.upn}, but this is for ${megan.upn}.`)).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(page.getByText("No mailbox is connected yet.")).toBeVisible();
});

test("[connections]: a tampered state, a flow finished in another browser and an expired flow are refused", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const { t } = await orgWithIntegration(page, "State", []);
  await page.goto("/api/connections/callback?code=1.Aforged&state=not-a-state-the-portal-made");
  await expect(page.getByRole("heading", { name: "This sign-in return is not one the portal started" })).toBeVisible();
  await expect(page.getByText("Nothing was stored.")).toBeVisible();

  // The Microsoft page of a flow started here, finished in another browser.
  await connectFromMailboxes(page, t.slug);
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  const other = await ownerBrowser(browser);
  await other.goto(page.url());
  await pickAccount(other, t.users[0]!.upn);
  await acceptConsent(other);
  await expect(other.getByRole("heading", { name: "The sign-in was finished in a different browser" })).toBeVisible();

  // The e2e portal lets a flow live 30 s (MAILGRANT_CONSENT_FLOW_TTL_SECONDS in playwright.config.ts).
  // (Olive consented in the other browser above, so Microsoft goes straight back after the pick.)
  await connectFromMailboxes(page, t.slug);
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await page.waitForTimeout(31_000);
  await pickAccount(page, t.users[0]!.upn);
  await expect(page.getByRole("heading", { name: "The connection attempt expired" })).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(page.getByText("No mailbox is connected yet.")).toBeVisible();
});

test("[connections]: when user consent is off, the owner is told an admin must consent and gets the link for one", async ({ page, browser }) => {
  const { t, user } = await orgWithIntegration(page, "NeedAdmin", ["Megan Bowen"], { admins: ["Olive Owner"], userConsent: "disabled" });
  const megan = user("Megan Bowen");
  const link = await createConsentLink(page, t.slug, megan.upn);
  const owner = await signInThroughLink(browser, link, megan.upn);
  await expect(owner.getByRole("heading", { name: "Need admin approval" })).toBeVisible();
  await owner.getByRole("button", { name: "Return to the application without granting consent" }).click();
  await expect(owner.getByRole("heading", { name: "An administrator must grant consent" })).toBeVisible();
  const adminLink = await owner.getByLabel("Admin consent link").inputValue();

  // The forwarded link works for the tenant's admin without a portal account.
  const adminPage = await ownerBrowser(browser);
  await adminPage.goto(adminLink);
  await adminPage.getByRole("button", { name: "Grant admin consent with Microsoft" }).click();
  await pickAccount(adminPage, t.users[0]!.upn);
  await acceptConsent(adminPage);
  await expect(adminPage.getByRole("heading", { name: "Microsoft reported admin consent" })).toBeVisible();

  await owner.goto(link);
  await owner.getByRole("button", { name: "Sign in with Microsoft" }).click();
  await pickAccount(owner, megan.upn);
  await expect(owner.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
});

test("[connections]: another org's owner gets 404 on the mailbox; its admin disconnects it and the grant is gone", async ({ page, browser }) => {
  const { t } = await orgWithIntegration(page, "Disconnect", []);
  await connectFromMailboxes(page, t.slug);
  await pickAccount(page, t.users[0]!.upn);
  await acceptConsent(page);
  await page.getByRole("link", { name: "Open the mailbox" }).click();
  await expect(page).toHaveURL(/\/mailboxes\/[0-9a-f-]{36}$/);
  const mailboxUrl = new URL(page.url()).pathname;

  const outsiderPage = await ownerBrowser(browser);
  const outsider = await makeTenant("Outsider", ["Oscar Other"]);
  await signIn(outsiderPage, outsider.users[0]!);
  await createOrg(outsiderPage, "Outsider Org", outsider.slug);
  for (const path of [mailboxUrl, `/orgs/${t.slug}/mailboxes`]) {
    expect((await outsiderPage.goto(path))?.status(), path).toBe(404);
  }
  await expect(outsiderPage.getByRole("heading", { name: "Page not found" })).toBeVisible();

  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: `Disconnect ${t.users[0]!.upn}` }).click();
  await expect(page.getByText(`${t.users[0]!.upn} disconnected`)).toBeVisible();
  await expect(page.getByText("No mailbox is connected yet.")).toBeVisible();
});

test("[tokens]: token status shows the claims, Refresh now gets new tokens, and a revoked grant says re-consent with the fix", async ({ page }) => {
  const { t } = await orgWithIntegration(page, "Tokens", []);
  const olive = t.users[0]!;
  await connectFromMailboxes(page, t.slug);
  await pickAccount(page, olive.upn);
  await acceptConsent(page);
  await page.getByRole("link", { name: "Open the mailbox" }).click();
  const graph = page.getByRole("group", { name: "Microsoft Graph token" });
  await expect(graph).toContainText("https://graph.microsoft.com");
  await expect(graph).toContainText("Mail.Read");
  await expect(graph).toContainText(olive.upn);
  await expect(page.getByRole("group", { name: "Exchange Online token" })).toContainText("IMAP.AccessAsUser.All");

  await page.getByRole("button", { name: "Refresh now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Microsoft Graph: new token" })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("region", { name: "History" }).getByText("Refreshed").first()).toBeVisible();

  await revokeGrants(olive.upn);
  await page.getByRole("button", { name: "Refresh now" }).click();
  await expect(page.getByRole("status").filter({ hasText: "AADSTS50173" })).toBeVisible();
  await page.reload();
  await expect(page.getByText("Needs re-consent", { exact: true })).toBeVisible();
  await expect(page.getByText("This mailbox must consent again")).toBeVisible();
  await expect(page.getByText(/Last token request failed/)).toBeVisible();
  await page.goto(`/orgs/${t.slug}/mailboxes`);
  await expect(page.getByRole("row", { name: new RegExp(escapeRegExp(olive.upn)) })).toContainText("Needs re-consent");
});
