import { expect, test, type Page } from "@playwright/test";
import { makeApp, makeGovTenant, ownerWithOrg } from "./fixtures";

async function startWizard(page: Page, slug: string) {
  await page.goto(`/orgs/${slug}/integrations`);
  await page.getByRole("link", { name: "Register your Azure app" }).click();
  await expect(page.getByRole("heading", { name: "New integration" })).toBeVisible();
}

async function fillWizard(page: Page, o: { cloud?: RegExp; tenant: string; clientId: string; secret: string; name?: string }) {
  if (o.cloud) await page.getByRole("radio", { name: o.cloud }).check();
  await page.getByRole("radio", { name: /One organization/ }).check();
  await page.getByLabel("Directory (tenant) ID or domain").fill(o.tenant);
  await page.getByLabel("Integration name").fill(o.name ?? "Helpdesk mail");
  await page.getByLabel("Application (client) ID").fill(o.clientId);
  await page.getByLabel("Client secret Value").fill(o.secret);
}

async function saveAndCheck(page: Page) {
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByText("Integration saved")).toBeVisible();
  await page.getByRole("button", { name: "Check credentials" }).click();
}

test("[integrations]: an admin registers a single-tenant Global app with the wizard and gets a green credentials check", async ({ page }) => {
  const t = await ownerWithOrg(page, "Wizard");
  const app = await makeApp(t.id);
  await startWizard(page, t.slug);
  // The guide shows the exact redirect URI to register, and the scopes the chosen purposes need.
  await expect(page.getByLabel("Redirect URI (platform: Web)")).toHaveValue(/\/api\/connections\/callback$/);
  const scopes = page.getByRole("list", { name: "Requested scopes" });
  await expect(scopes).toContainText("https://outlook.office.com/IMAP.AccessAsUser.All");
  await expect(scopes).toContainText("offline_access");
  await page.getByRole("checkbox", { name: /Read mail with Microsoft Graph/ }).check();
  await expect(scopes).toContainText("Mail.Read");
  await fillWizard(page, { tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.value });
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

test("[integrations]: a GCC High app gets the US Government endpoints and scopes and a green check", async ({ page }) => {
  const t = await ownerWithOrg(page, "Gov");
  const gov = await makeGovTenant("Northwind", "Nina");
  const app = await makeApp(gov.id);
  await startWizard(page, t.slug);
  await page.getByRole("radio", { name: /^US Government GCC High/ }).check();
  await expect(page.getByRole("list", { name: "Requested scopes" })).toContainText("https://outlook.office365.us/IMAP.AccessAsUser.All");
  await fillWizard(page, { tenant: gov.domain, clientId: app.clientId, secret: app.secrets[0]!.value, name: "Gov mail" });
  await expect(page.getByText(`https://login.microsoftonline.us/${gov.domain}/oauth2/v2.0/authorize`).first()).toBeVisible();
  await saveAndCheck(page);
  await expect(page.getByText("Credentials OK", { exact: true })).toBeVisible();
  await expect(page.getByText("outlook.office365.us:993")).toBeVisible();
});

test("[integrations]: pasting the Secret ID instead of the Value is explained before anything is saved", async ({ page }) => {
  const t = await ownerWithOrg(page, "SecretId");
  const app = await makeApp(t.id);
  await startWizard(page, t.slug);
  await fillWizard(page, { tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.secretId });
  await expect(page.getByText(/looks like the secret's Secret ID/).first()).toBeVisible();
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Please correct the highlighted fields" })).toBeVisible();
  await page.goto(`/orgs/${t.slug}/integrations`);
  await expect(page.getByRole("heading", { name: "No integrations yet" })).toBeVisible();
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
