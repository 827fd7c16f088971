import { expect, test, type Page } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { ownerWithOrg } from "./fixtures";
import { webhookReceiver } from "./webhook-receiver";

// Notification channels through the real UI, with a webhook receiver the test starts (demo mode
// allows local receivers and keeps mail in the outbox instead of sending it).

async function openSettings(page: Page) {
  await page.getByRole("navigation", { name: "Organization sections" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
}

test("[notifications]: an admin adds a webhook, sees its secret once, sends a signed test event and finds it in the delivery log", async ({ page }) => {
  const hook = await webhookReceiver();
  try {
    const t = await ownerWithOrg(page, "Hooks");
    await openSettings(page);
    const name = `On-call ${t.slug}`;
    await page.locator("summary", { hasText: "Add webhook" }).click();
    const form = page.getByRole("form", { name: "Add webhook" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("URL").fill(hook.url);
    // Every event is ticked to start with.
    await expect(form.getByRole("checkbox", { name: /Mailbox failing/ })).toBeChecked();
    await expect(form.getByRole("checkbox", { name: /Secret or certificate expiring/ })).toBeChecked();
    await form.getByRole("button", { name: "Add webhook" }).click();

    await expect(page.getByText(`Webhook “${name}” added`)).toBeVisible();
    const secret = await page.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByText("How the receiver verifies a request")).toBeVisible();
    const channels = page.getByRole("list", { name: "Notification channels" });
    await expect(channels.getByRole("listitem").filter({ hasText: name })).toContainText(hook.url);

    // Shown once: a reload no longer has it.
    await page.reload();
    await expect(page.getByLabel("Signing secret")).toHaveCount(0);

    await channels.getByRole("link", { name }).click();
    await expect(page.getByRole("heading", { name })).toBeVisible();
    await page.getByRole("button", { name: "Send a test event" }).click();
    const result = page.getByRole("region", { name: "Test event result" });
    await expect(result).toContainText("delivered");
    await expect(result).toContainText("200 (accepted)");
    await expect(result).toContainText(`POST ${hook.url}`);
    for (const header of ["webhook-id", "webhook-timestamp", "webhook-signature"]) await expect(result.getByRole("term").filter({ hasText: new RegExp(`^${header}$`) })).toBeVisible();
    await expect(result).toContainText(/\d+ ms/);
    await expect(result).toContainText('"type": "test"');

    // The receiver got one signed request that a Standard Webhooks library verifies with the secret.
    expect(hook.received).toHaveLength(1);
    const [request] = hook.received;
    expect(request!.method).toBe("POST");
    const event = new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>) as { type: string };
    expect(event.type).toBe("test");

    const log = page.getByRole("table", { name: "Delivery log" });
    await page.reload();
    const row = log.getByRole("row").filter({ hasText: "Test event" });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText("Delivered");
    await expect(row).toContainText("200");

    await row.getByRole("button", { name: /^Redeliver Test event/ }).click();
    await expect(page.getByRole("region", { name: "Redelivery result" })).toContainText("200 (accepted)");
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.headers["webhook-id"]).toBe(request!.headers["webhook-id"]);
  } finally {
    await hook.close();
  }
});

test("[notifications]: a webhook with a bad URL is refused with its field named, keeps what was typed, and the re-consent policy is saved", async ({ page }) => {
  const t = await ownerWithOrg(page, "HookBad");
  await openSettings(page);
  await page.locator("summary", { hasText: "Add webhook" }).click();
  const form = page.getByRole("form", { name: "Add webhook" });
  await form.getByLabel("Name").fill("Not https");
  await form.getByLabel("URL").fill("ftp://files.example.com/hook");
  await form.getByRole("checkbox", { name: /Mailbox recovered/ }).uncheck();
  await form.getByRole("button", { name: "Add webhook" }).click();
  await expect(form.getByLabel("URL")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByLabel("URL")).toHaveValue("ftp://files.example.com/hook");
  await expect(form.getByLabel("Name")).toHaveValue("Not https");
  await expect(form.getByRole("checkbox", { name: /Mailbox recovered/ })).not.toBeChecked();
  await expect(form.getByRole("checkbox", { name: /Mailbox failing/ })).toBeChecked();
  // Nothing was added: the org still has only its default email channel.
  await expect(page.getByRole("list", { name: "Notification channels" }).getByRole("listitem")).toHaveCount(1);

  const policy = page.getByRole("region", { name: "When a mailbox needs re-consent" });
  await expect(policy.getByRole("radio", { name: /Notify admins only/ })).toBeChecked();
  await policy.getByRole("radio", { name: /Also email the mailbox owner/ }).check();
  await policy.getByRole("button", { name: "Save re-consent policy" }).click();
  await expect(policy.getByRole("status")).toContainText("mails its owner a fresh consent link");
  await page.reload();
  await expect(policy.getByRole("radio", { name: /Also email the mailbox owner/ })).toBeChecked();
  await page.goto(`/orgs/${t.slug}/audit`);
  await expect(page.getByRole("row").filter({ hasText: "Changed what happens when a mailbox needs re-consent" })).toContainText("policy: EMAIL_OWNER");
});

test("[notifications]: in demo mode a test event to the owners-and-admins email channel shows in the demo outbox", async ({ page }) => {
  const t = await ownerWithOrg(page, "Outbox");
  const olive = t.users[0]!;
  await openSettings(page);
  await page.getByRole("list", { name: "Notification channels" }).getByRole("link", { name: "Owners and admins" }).click();
  await page.getByRole("button", { name: "Send a test event" }).click();
  const result = page.getByRole("region", { name: "Test event result" });
  await expect(result).toContainText("delivered");
  await expect(result).toContainText(olive.upn);

  await page.getByRole("link", { name: "Demo outbox" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Demo outbox" })).toBeVisible();
  const mail = page.getByRole("article").filter({ hasText: olive.upn }).first();
  await expect(mail).toBeVisible();
  await expect(mail).toContainText("Outbox Org");
  // Only the newest message starts open; others running in parallel may be newer.
  if ((await mail.locator("details").getAttribute("open")) === null) await mail.getByText("Text of the message").click();
  await expect(mail.getByRole("link").first()).toHaveAttribute("href", /^http/);
});
