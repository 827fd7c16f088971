import { execFile } from "node:child_process";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { e2e } from "../playwright.config";
import { connectMailbox, createOrg, emulator, escapeRegExp, makeApp, makeTenant, ownerWithOrg, registerIntegration, reloadUntil, signIn } from "./fixtures";
import { expectAccessible, expectFitsPhone } from "./accessibility";

// API keys through the real UI, and the token API used the way an org's own software uses it:
// examples/read-message.mjs (the README's example) runs as a child process with the key the
// admin created, reads a message from the emulator's Graph with the token it got, and is
// refused once the admin revokes the key.

const root = path.resolve(import.meta.dirname, "..");
const emulatorPort = Number(process.env.E2E_EMULATOR_PORT ?? 3300);

type Run = { code: number; stdout: string; stderr: string };

/** Runs the example as its own Node process, trusting the emulator's certificate as the portal does. */
function readMessage(apiKey: string, mailbox?: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(root, "examples", "read-message.mjs")],
      {
        env: {
          PATH: process.env.PATH,
          NODE_ENV: "production",
          MAILGRANT_URL: e2e.baseURL,
          MAILGRANT_API_KEY: apiKey,
          ...(mailbox ? { MAILBOX: mailbox } : {}),
          // Demo mode points Graph at the emulator by path (MICROSOFT_ENDPOINT_BASE + the real host).
          GRAPH_URL: `https://localhost:${emulatorPort}/graph.microsoft.com`,
          // scripts/demo-emulator.ts keeps the emulator's certificate in the e2e data folder.
          NODE_EXTRA_CA_CERTS: path.join(root, ".data", "e2e", "emulator", "tls", "emulator-cert.pem"),
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

async function openApiKeys(page: Page) {
  await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "API keys" }).click();
  await expect(page.getByRole("heading", { name: "API keys", level: 2 })).toBeVisible();
}

test("[api keys]: an admin creates a key, a script reads a message with it, and after the admin revokes it the script is refused", async ({ page }) => {
  const t = await makeTenant("Keys", ["Olive Owner"]);
  const olive = t.users[0]!;
  await signIn(page, olive);
  await createOrg(page, "Keys Org", t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/], "Helpdesk app");
  await connectMailbox(page, t.slug, olive.upn);

  await page.goto(`/orgs/${t.slug}`);
  await openApiKeys(page);
  const form = page.getByRole("form", { name: "Create API key" });
  const name = `Helpdesk ${t.slug}`;
  await form.getByLabel("Name").fill(name);
  await form.getByRole("radio", { name: /Chosen mailboxes/ }).check();
  await form.getByRole("checkbox", { name: new RegExp(escapeRegExp(olive.upn)) }).check();
  await expect(form.getByRole("checkbox", { name: /Microsoft Graph/ })).toBeChecked();
  await form.getByLabel("Expires").selectOption("90");
  await form.getByRole("button", { name: "Create API key" }).click();

  await expect(page.getByText(`API key “${name}” created`)).toBeVisible();
  await expect(page.getByText("Copy it now: Mailgrant keeps only a hash and cannot show it again")).toBeVisible();
  const apiKey = await page.getByLabel("API key", { exact: true }).inputValue();
  expect(apiKey).toMatch(/^mgk_[0-9A-Za-z]{48}$/);
  await expect(page.getByLabel("Example calls with curl")).toContainText(`Bearer ${apiKey}`);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(`${apiKey.slice(0, 12)}…`);
  await expect(row).toContainText(`1 mailbox: ${olive.upn}`);
  await expect(row).toContainText("Active");
  await expectAccessible(page);
  await expectFitsPhone(page);

  // Shown once: a reload no longer has it.
  await page.reload();
  await expect(page.getByLabel("API key", { exact: true })).toHaveCount(0);

  const newest = ((await emulator.mailbox(olive.upn)) as { inbox: { subject: string }[] }).inbox[0]!.subject;
  const ok = await readMessage(apiKey, olive.upn);
  expect(ok.stderr).toBe("");
  expect(ok.code).toBe(0);
  expect(ok.stdout.trim()).toBe(newest);

  // The use shows in the audit log once the portal writes its hourly count (every few seconds).
  await reloadUntil(page, `/orgs/${t.slug}/audit`, async () => {
    const used = page.getByRole("row").filter({ hasText: "Handed out access tokens" });
    await expect(used).toContainText(`${name} (${apiKey.slice(0, 12)}…)`, { timeout: 1000 });
    await expect(used.getByRole("link", { name: olive.upn })).toBeVisible({ timeout: 1000 });
    await expect(used).toContainText("graph: 1", { timeout: 1000 });
  }, 60_000);

  await openApiKeys(page);
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("row").filter({ hasText: name }).getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(page.getByRole("row").filter({ hasText: name })).toContainText("Revoked");

  const refused = await readMessage(apiKey);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("401");
  expect(refused.stderr).toContain("invalid_key");
});

test("[api keys]: bad input shows the message under its field and creates nothing", async ({ page }) => {
  const t = await ownerWithOrg(page, "BadKey");
  await openApiKeys(page);
  const form = page.getByRole("form", { name: "Create API key" });
  await form.getByLabel("Name").fill("   ");
  await form.getByRole("radio", { name: /Mailboxes of chosen integrations/ }).check();
  await form.getByRole("checkbox", { name: /Microsoft Graph/ }).uncheck();
  await form.getByLabel("Expires").selectOption("custom");
  await form.getByLabel("Last day it works").fill("2020-01-01");
  await form.getByRole("button", { name: "Create API key" }).click();

  await expect(form.getByLabel("Name")).toHaveAccessibleDescription(/Enter a name that says what uses the key/);
  await expect(form.getByRole("group", { name: "Integrations" })).toContainText("Choose at least one integration");
  await expect(form.getByRole("group", { name: "Tokens it may get" })).toContainText("Choose which tokens the key may get");
  await expect(form.getByLabel("Last day it works")).toHaveAccessibleDescription(/Choose a day after today/);
  // What was sent stays chosen, and nothing was made.
  await expect(form.getByRole("radio", { name: /Mailboxes of chosen integrations/ })).toBeChecked();
  await expect(page.getByText("No API keys yet")).toBeVisible();
  await expect(page.getByLabel("API key", { exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await expectFitsPhone(page);
  await page.goto(`/orgs/${t.slug}/audit`);
  await expect(page.getByRole("cell", { name: /Created an API key/ })).toHaveCount(0);
});

test("[api keys]: an admin reads the API reference, laid out from the OpenAPI document", async ({ page }) => {
  await ownerWithOrg(page, "KeyRef");
  await openApiKeys(page);
  await page.getByRole("link", { name: "API reference" }).click();
  await expect(page.getByRole("heading", { name: "API reference" })).toBeVisible();
  const token = page.getByRole("region", { name: "POST /connections/{id}/token" });
  await expect(token).toContainText("A fresh access token for the mailbox");
  await expect(token.getByRole("list", { name: /Request body of POST/ })).toContainText("resource");
  for (const code of ["invalid_key", "resource_not_allowed", "not_found", "needs_reconsent", "rate_limited", "microsoft_unavailable"]) await expect(token.getByRole("term").filter({ hasText: code })).toBeVisible();
  await expect(page.getByRole("region", { name: "Schema AccessToken" })).toContainText("access_token");
  await expectAccessible(page);
  await expectFitsPhone(page);
});

test("[api keys]: a member does not see the tab and is refused the page", async ({ browser }) => {
  const t = await makeTenant("KeyMember", ["Olive Owner", "Megan Member"]);
  const [olive, megan] = t.users as [(typeof t.users)[0], (typeof t.users)[0]];
  const owner = await (await browser.newContext()).newPage();
  await signIn(owner, olive);
  await createOrg(owner, "KeyMember Org", t.slug);
  await owner.goto(`/orgs/${t.slug}/members`);
  await owner.getByLabel("Email address").fill(megan.upn);
  await owner.getByLabel("Role", { exact: true }).selectOption("MEMBER");
  await owner.getByRole("button", { name: "Send invitation" }).click();
  await expect(owner.getByText(`Invitation created for ${megan.upn}`)).toBeVisible();

  const member = await (await browser.newContext()).newPage();
  await signIn(member, megan);
  await member.getByRole("button", { name: "Accept invitation to KeyMember Org" }).click();
  await expect(member).toHaveURL(new RegExp(`/orgs/${t.slug}$`));
  const tabs = member.getByRole("navigation", { name: "Organization sections" });
  await expect(tabs.getByRole("link", { name: "Members" })).toBeVisible();
  await expect(tabs.getByRole("link", { name: "API keys" })).toHaveCount(0);
  await member.goto(`/orgs/${t.slug}/api-keys`);
  await expect(member.getByText("Owners and admins only")).toBeVisible();
  await expect(member.getByRole("form", { name: "Create API key" })).toHaveCount(0);
  await member.goto(`/orgs/${t.slug}/api-keys/reference`);
  await expect(member.getByText("Owners and admins only")).toBeVisible();
});
