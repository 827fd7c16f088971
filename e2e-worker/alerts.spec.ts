import { expect, test } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { connectAndOpenMailbox, createOrg, escapeRegExp, makeApp, makeTenant, registerIntegration, reloadUntil, setSmtpAuthDisabled, signIn } from "../e2e/fixtures";
import { webhookReceiver } from "../e2e/webhook-receiver";

// Alerts from scheduled checks, through the real UI: an admin adds a webhook pointing at a
// receiver this test runs, a fault makes the mailbox fail at its next scheduled check, the
// receiver gets one signed connection.failing, the fault is cleared, it gets one
// connection.recovered, and the channel's delivery log shows both. The demo outbox shows the
// email the default "Owners and admins" channel would have sent.

const quick = { timeout: 2_000 };

test("[alerts]: a webhook receives one signed connection.failing when a scheduled check fails and one connection.recovered when it is fixed; the delivery log and the demo outbox show them", async ({ page }) => {
  const hook = await webhookReceiver(204);
  const t = await makeTenant("Alerts", ["Orla Owner"]);
  const orla = t.users[0]!;
  try {
    await signIn(page, orla);
    await createOrg(page, "Alerts Org", t.slug);
    await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^SMTP send/]);

    // The webhook, with a test event first.
    await page.goto(`/orgs/${t.slug}/settings`);
    await page.locator("summary", { hasText: "Add webhook" }).click();
    const form = page.getByRole("form", { name: "Add webhook" });
    await form.getByLabel("Name").fill("Receiver");
    await form.getByLabel("URL").fill(hook.url);
    await form.getByRole("button", { name: "Add webhook" }).click();
    const secret = await page.getByLabel("Signing secret").inputValue();
    await page.getByRole("list", { name: "Notification channels" }).getByRole("link", { name: "Receiver" }).click();
    await expect(page.getByRole("heading", { name: "Receiver" })).toBeVisible();
    const channelPath = new URL(page.url()).pathname;
    await page.getByRole("button", { name: "Send a test event" }).click();
    await expect(page.getByRole("region", { name: "Test event result" })).toContainText("204");
    expect(hook.of("test")).toHaveLength(1);

    // Connect the mailbox; the worker checks it within seconds.
    const mailboxPath = await connectAndOpenMailbox(page, t.slug, orla.upn);
    const row = () => page.getByRole("row", { name: new RegExp(escapeRegExp(orla.upn)) });
    await reloadUntil(page, `/orgs/${t.slug}/mailboxes`, async () => {
      await expect(row()).toContainText("Healthy", quick);
    });

    // SMTP AUTH off at "Microsoft": the next scheduled check fails, and one event goes out.
    await setSmtpAuthDisabled(orla.upn, true);
    await expect.poll(() => hook.of("connection.failing").length, { timeout: 90_000 }).toBe(1);
    const failing = hook.of("connection.failing")[0]!;
    const event = new Webhook(secret).verify(failing.body, failing.headers as Record<string, string>) as { data: { connection: { mailbox: string; url: string }; failure: { code: string; fix: string } } };
    expect(event.data.connection.mailbox).toBe(orla.upn.toLowerCase());
    expect(event.data.connection.url).toMatch(new RegExp(`${escapeRegExp(mailboxPath)}$`));
    expect(event.data.failure.code).toBe("smtp_auth_disabled");
    expect(event.data.failure.fix).toContain("Set-CASMailbox");

    // Still failing at the following checks: nothing more is sent.
    await expect
      .poll(async () => {
        await page.goto(mailboxPath);
        return page.getByRole("list", { name: "History entries, newest first" }).locator(":scope > li").filter({ hasText: "Check failed" }).filter({ hasText: "smtp_auth_disabled" }).count();
      }, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(2);
    expect(hook.of("connection.failing")).toHaveLength(1);

    // Fixed: one connection.recovered.
    await setSmtpAuthDisabled(orla.upn, false);
    await expect.poll(() => hook.of("connection.recovered").length, { timeout: 90_000 }).toBe(1);
    const recovered = hook.of("connection.recovered")[0]!;
    expect(() => new Webhook(secret).verify(recovered.body, recovered.headers as Record<string, string>)).not.toThrow();
    expect(hook.of("connection.failing")).toHaveLength(1);

    // The delivery log shows both, delivered.
    await page.goto(channelPath);
    const log = page.getByRole("table", { name: "Delivery log" });
    for (const label of ["Mailbox failing", "Mailbox recovered"]) {
      const entry = log.getByRole("row").filter({ hasText: label });
      await expect(entry).toHaveCount(1);
      await expect(entry).toContainText("Delivered");
      await expect(entry).toContainText("204");
    }

    // The default email channel's alert is in the demo outbox.
    await page.goto("/demo/outbox");
    await expect(page.getByRole("main")).toContainText(`${orla.upn.toLowerCase()} stopped working: SMTP AUTH is disabled`);
    await expect(page.getByRole("main")).toContainText(`${orla.upn.toLowerCase()} works again`);
  } finally {
    await setSmtpAuthDisabled(orla.upn, false);
    await hook.close();
  }
});
