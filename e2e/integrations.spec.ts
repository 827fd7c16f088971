import { expect, test, type Page } from "@playwright/test";
import { fillIntegrationWizard, makeApp, makeGovTenant, ownerWithOrg, registerIntegration, wizardNext, type WizardInput } from "./fixtures";

async function startWizard(page: Page, slug: string) {
  await page.goto(`/orgs/${slug}/integrations`);
  await page.getByRole("link", { name: "Register your Azure app" }).click();
  await expect(page.getByRole("heading", { name: "New integration" })).toBeVisible();
}

async function fillWizard(page: Page, o: WizardInput) {
  await fillIntegrationWizard(page, o);
}

async function saveAndCheck(page: Page) {
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByText("Integration saved")).toBeVisible();
  await page.getByRole("button", { name: "Check credentials" }).click();
}

const currentStep = (page: Page) => page.getByRole("navigation", { name: "Wizard progress" }).locator('li[aria-current="step"]');

test("[integrations]: an admin registers a single-tenant Global app with the wizard and gets a green credentials check", async ({ page }) => {
  const t = await ownerWithOrg(page, "Wizard");
  const app = await makeApp(t.id);
  await startWizard(page, t.slug);
  await expect(currentStep(page)).toContainText("Cloud and who signs in");
  await page.getByRole("radio", { name: /One organization/ }).check();
  await page.getByLabel("Directory (tenant) ID or domain").fill(t.domain);
  // The tenant's discovery document names its cloud (the emulator publishes no sub-scope for Global tenants).
  const detection = page.getByRole("status", { name: "Cloud detection" });
  await expect(detection).toContainText(`${t.domain} publishes cloud_instance_name microsoftonline.com`);
  await expect(detection).toContainText("Global (worldwide)");
  await expect(detection).toContainText("That is the cloud selected below");
  // Enter moves to the next step instead of submitting the form.
  await page.getByLabel("Directory (tenant) ID or domain").press("Enter");
  await expect(currentStep(page)).toContainText("What it is for");
  await expect(page.getByRole("heading", { name: "What it is for" })).toBeFocused();
  const scopes = page.getByRole("list", { name: "Requested scopes" });
  await expect(scopes).toContainText("https://outlook.office.com/IMAP.AccessAsUser.All");
  await expect(scopes).toContainText("offline_access");
  await page.getByRole("checkbox", { name: /Read mail with Microsoft Graph/ }).check();
  await expect(scopes).toContainText("Mail.Read");
  await page.getByLabel("Integration name").fill("Helpdesk mail");
  await wizardNext(page);
  // The guide shows the exact redirect URI to register.
  await expect(page.getByLabel("Redirect URI (platform: Web)")).toHaveValue(/\/api\/connections\/callback$/);
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  await wizardNext(page);
  await page.getByLabel("Application (client) ID").fill(app.clientId);
  await page.getByLabel("Client secret Value").fill(app.secrets[0]!.value);
  await wizardNext(page);
  await expect(page.getByText(`https://login.microsoftonline.com/${t.domain}/oauth2/v2.0/token`).first()).toBeVisible();
  await saveAndCheck(page);
  const checklist = page.getByRole("list", { name: "Credentials checklist" });
  await expect(checklist).toContainText("Client secret accepted");
  await expect(checklist.getByText("✗")).toHaveCount(0);
  await expect(page.getByText("Credentials OK", { exact: true })).toBeVisible();
  // Write-only: the secret is in no integration page's HTML.
  const detail = page.url();
  for (const url of [detail, `${detail.split("?")[0]}/edit`, `/orgs/${t.slug}/integrations`, `/orgs/${t.slug}/audit`]) {
    await page.goto(url);
    expect(await page.content(), url).not.toContain(app.secrets[0]!.value);
  }
  await expect(page.getByRole("cell", { name: "integration.created" }).or(page.getByRole("cell", { name: "Registered an integration" })).first()).toBeVisible();
  await page.goto(`/orgs/${t.slug}/integrations`);
  await expect(page.getByRole("row", { name: /Helpdesk mail/ })).toContainText("Credentials OK");
});

test("[integrations]: the wizard detects a GCC High tenant's cloud, and the app gets the US Government endpoints and scopes and a green check", async ({ page }) => {
  const t = await ownerWithOrg(page, "Gov");
  const gov = await makeGovTenant("Northwind", "Nina");
  const app = await makeApp(gov.id);
  await startWizard(page, t.slug);
  await page.getByRole("radio", { name: /One organization/ }).check();
  await page.getByLabel("Directory (tenant) ID or domain").fill(gov.domain);
  // Today's emulator publishes cloud_instance_name and tenant_region_scope USGov but no tenant_region_sub_scope.
  const detection = page.getByRole("status", { name: "Cloud detection" });
  await expect(detection).toContainText(`${gov.domain} publishes cloud_instance_name microsoftonline.us`);
  await detection.getByRole("button", { name: "Use US Government GCC High" }).click();
  await expect(page.getByRole("radio", { name: /^US Government GCC High/ })).toBeChecked();
  await expect(detection).toContainText("That is the cloud selected below");
  await wizardNext(page);
  await expect(page.getByRole("list", { name: "Requested scopes" })).toContainText("https://outlook.office365.us/IMAP.AccessAsUser.All");
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByLabel("Directory (tenant) ID or domain")).toHaveValue(gov.domain);
  await expect(page.getByRole("radio", { name: /^US Government GCC High/ })).toBeChecked();
  await fillWizard(page, { tenant: gov.domain, clientId: app.clientId, secret: app.secrets[0]!.value, name: "Gov mail" });
  await expect(page.getByText(`https://login.microsoftonline.us/${gov.domain}/oauth2/v2.0/authorize`).first()).toBeVisible();
  await saveAndCheck(page);
  await expect(page.getByText("Credentials OK", { exact: true })).toBeVisible();
  await expect(page.getByText("outlook.office365.us:993")).toBeVisible();
});

test("[integrations]: an unknown tenant is reported as AADSTS90002 while the admin types it", async ({ page }) => {
  const t = await ownerWithOrg(page, "Unknown");
  await startWizard(page, t.slug);
  await page.getByLabel("Directory (tenant) ID or domain").fill(`nobody${t.slug.replace(/\W/g, "")}.onmicrosoft.com`);
  await expect(page.getByRole("status", { name: "Cloud detection" })).toContainText("The tenant was not found (AADSTS90002)");
});

test("[integrations]: pasting the Secret ID instead of the Value is explained before anything is saved", async ({ page }) => {
  const t = await ownerWithOrg(page, "SecretId");
  const app = await makeApp(t.id);
  await startWizard(page, t.slug);
  await fillIntegrationWizard(page, { tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.value });
  await page.getByRole("button", { name: "Back" }).click();
  await page.getByLabel("Client secret Value").fill(app.secrets[0]!.secretId);
  await expect(page.getByText(/looks like the secret's Secret ID/).first()).toBeVisible();
  await wizardNext(page);
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields" })).toBeVisible();
  await expect(page.getByLabel("Client secret Value")).toBeFocused();
  await expect(currentStep(page)).toContainText("App and credential");
  await page.goto(`/orgs/${t.slug}/integrations`);
  await expect(page.getByRole("heading", { name: "No integrations yet" })).toBeVisible();
});

test("[integrations]: after a refused save the wizard shows every choice as submitted, and saves exactly those", async ({ page }) => {
  const t = await ownerWithOrg(page, "Echo");
  const app = await makeApp(t.id);
  await registerIntegration(page, t, app);
  await page.goto(`/orgs/${t.slug}/integrations/new`);
  await page.getByRole("radio", { name: /One organization/ }).check();
  await page.getByLabel("Directory (tenant) ID or domain").fill(t.domain);
  await wizardNext(page);
  // The name is taken: only the server can tell.
  await page.getByLabel("Integration name").fill("Helpdesk mail");
  for (const p of [/Read mail with Microsoft Graph/, /Send mail with Microsoft Graph/, /^POP/]) await page.getByRole("checkbox", { name: p }).check();
  await page.getByRole("checkbox", { name: /^SMTP send/ }).uncheck();
  await page.getByLabel("Extra scopes (optional)").fill("Calendars.Read");
  await wizardNext(page);
  await wizardNext(page);
  await page.getByLabel("Application (client) ID").fill(app.clientId);
  await page.getByLabel("Client secret Value").fill(app.secrets[0]!.value);
  await page.getByLabel("Secret expiry date (optional)").fill("2027-05-31");
  await wizardNext(page);
  await page.getByRole("button", { name: "Save integration" }).click();

  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields" })).toContainText("already exists");
  await expect(currentStep(page)).toContainText("What it is for");
  await expect(page.getByLabel("Integration name")).toBeFocused();
  for (const p of [/Read mail with Microsoft Graph/, /Send mail with Microsoft Graph/, /^IMAP/, /^POP/]) await expect(page.getByRole("checkbox", { name: p })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: /^SMTP send/ })).not.toBeChecked();
  await expect(page.getByLabel("Extra scopes (optional)")).toHaveValue("Calendars.Read");
  await expect(page.getByRole("list", { name: "Requested scopes" })).toContainText("Mail.Send");
  await page.getByLabel("Integration name").fill("Second mail");
  await wizardNext(page);
  await wizardNext(page);
  await expect(page.getByLabel("Application (client) ID")).toHaveValue(app.clientId);
  await expect(page.getByLabel("Secret expiry date (optional)")).toHaveValue("2027-05-31");
  // Secrets are never sent back to the browser.
  await expect(page.getByLabel("Client secret Value")).toHaveValue("");
  await page.getByLabel("Client secret Value").fill(app.secrets[0]!.value);
  await wizardNext(page);
  const review = page.getByRole("definition").filter({ hasText: "Read mail with Microsoft Graph" });
  await expect(review).toHaveText("Read mail with Microsoft Graph, Send mail with Microsoft Graph, IMAP, POP");
  await page.getByRole("button", { name: "Save integration" }).click();

  await expect(page.getByText("Integration saved")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Second mail" }).first()).toBeVisible();
  await expect(page.getByText("Read mail with Microsoft Graph, Send mail with Microsoft Graph, IMAP, POP", { exact: true })).toBeVisible();
  await expect(page.getByText(/expires 2027-05-31/)).toBeVisible();
  const scopes = page.locator("main");
  for (const s of ["https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/Mail.Send", "https://outlook.office.com/IMAP.AccessAsUser.All", "https://outlook.office.com/POP.AccessAsUser.All", "Calendars.Read"]) await expect(scopes).toContainText(s);
  await expect(scopes).not.toContainText("SMTP.Send");
});

test("[integrations]: a configuration marked as failing cannot be saved, and a warning needs an acknowledgement", async ({ page }) => {
  const t = await ownerWithOrg(page, "Rules");
  const app = await makeApp(t.id, { multiTenant: true });
  await startWizard(page, t.slug);
  await page.getByRole("radio", { name: /^US Government GCC High/ }).check();
  await page.getByRole("radio", { name: /Work and personal accounts/ }).check();
  const notes = page.getByRole("list", { name: "Notes on this choice" });
  await expect(notes.getByRole("listitem").first()).toContainText("Error: Personal Microsoft accounts exist only in the Global cloud");
  await wizardNext(page);
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields" })).toContainText("Who signs in: Personal Microsoft accounts");
  await expect(currentStep(page)).toContainText("Cloud and who signs in");
  await expect(page.getByRole("radio", { name: /Work and personal accounts/ })).toBeFocused();

  await page.getByRole("radio", { name: /Any organization/ }).check();
  await page.getByRole("radio", { name: /^Global/ }).check();
  await expect(notes).toContainText("Warning: The app registration must be multi-tenant");
  await page.getByLabel("Home tenant ID or domain (optional)").fill(t.domain);
  await wizardNext(page);
  await page.getByLabel("Integration name").fill("Partner mail");
  await wizardNext(page);
  await wizardNext(page);
  await page.getByLabel("Application (client) ID").fill(app.clientId);
  await page.getByLabel("Client secret Value").fill(app.secrets[0]!.value);
  await wizardNext(page);
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields" })).toContainText('Warnings: tick "I understand"');
  const ack = page.getByRole("checkbox", { name: /I understand; save with this configuration anyway/ });
  await expect(ack).toBeFocused();
  await ack.check();
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByText("Integration saved")).toBeVisible();
});
const failures = [
  { name: "a wrong secret", title: "The client secret is wrong", mutate: (a: { secret: string; tenant: string; clientId: string }) => ({ ...a, secret: "Wr0ng~Secret.Value_00000000000000000000" }) },
  { name: "an unknown tenant", title: "The tenant was not found", mutate: (a: { secret: string; tenant: string; clientId: string }) => ({ ...a, tenant: "doesnotexist.onmicrosoft.com" }) },
  { name: "an unknown app", title: "The application was not found in the directory", mutate: (a: { secret: string; tenant: string; clientId: string }) => ({ ...a, clientId: "0000dead-0000-4000-8000-000000000000" }) },
];

for (const f of failures) {
  test(`[integrations]: checking with ${f.name} shows the explanation and the full Microsoft error`, async ({ page }) => {
    const t = await ownerWithOrg(page, "Fail");
    const app = await makeApp(t.id);
    await startWizard(page, t.slug);
    await fillWizard(page, f.mutate({ tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.value }));
    await saveAndCheck(page);
    await expect(page.getByRole("alert").filter({ hasText: f.title })).toBeVisible();
    await page.getByText("Full Microsoft error (for a support ticket)").click();
    await expect(page.getByText("Trace ID", { exact: true })).toBeVisible();
    await expect(page.getByText("Failing", { exact: true })).toBeVisible();
  });
}

test("[integrations]: checking with an expired secret says it expired and how to replace it", async ({ page }) => {
  const t = await ownerWithOrg(page, "Expired");
  const app = await makeApp(t.id, { secrets: [{ expiresAt: "2025-01-01T00:00:00Z" }] });
  await startWizard(page, t.slug);
  await fillWizard(page, { tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.value });
  await saveAndCheck(page);
  await expect(page.getByRole("alert").filter({ hasText: "The client secret has expired" })).toBeVisible();
  await expect(page.getByText(/Create a new client secret/)).toBeVisible();
});
