import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Page } from "@playwright/test";
import { e2e } from "../playwright.config";
import { connectAndOpenMailbox, createOrg, escapeRegExp, injectGraphFault, makeApp, makeTenant, registerIntegration, reloadUntil, setSmtpAuthDisabled, signIn } from "./fixtures";

// "Test now" through the real UI: the portal's test API streams the steps into the page while
// it signs in to the emulator's Graph, IMAP, POP and SMTP with the connection's tokens.

/** An owner whose own mailbox is connected through an integration for Graph, IMAP, POP and SMTP. */
async function connectedMailbox(page: Page, label: string) {
  const t = await makeTenant(label, ["Olive Owner"]);
  const olive = t.users[0]!;
  await signIn(page, olive);
  await createOrg(page, `${label} Org`, t.slug);
  await registerIntegration(page, t, await makeApp(t.id), [/Read mail with Microsoft Graph/, /^IMAP/, /^POP/, /^SMTP send/]);
  await connectAndOpenMailbox(page, t.slug, olive.upn);
  return { t, olive };
}

const steps = (page: Page) => page.getByRole("list", { name: "Test steps" });

test("[tests]: a healthy connection passes every protocol's steps", async ({ page }) => {
  const { olive } = await connectedMailbox(page, "Healthy");
  await page.getByLabel("Send a test message to (optional)").fill("someone@example.com");
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByText("All steps passed")).toBeVisible();
  for (const label of ["Access token for Microsoft Graph", "Access token for Exchange Online", "Graph: who the token is for", "Graph: read one message", "IMAP: sign in", "POP: sign in", "SMTP: STARTTLS, sign in with XOAUTH2 and send"]) {
    await expect(steps(page).getByRole("listitem").filter({ hasText: label })).toContainText("(ok)");
  }
  // The run is saved: it is still there after a reload, and in the history.
  await page.reload();
  await expect(page.getByText("All steps passed")).toBeVisible();
  await expect(page.getByRole("region", { name: "History" })).toContainText(`Test now by ${olive.displayName}`);
});

test("[tests]: SMTP AUTH disabled for the mailbox shows the 5.7.139 explanation and the cmdlet that fixes it", async ({ page }) => {
  const { olive } = await connectedMailbox(page, "SmtpOff");
  await setSmtpAuthDisabled(olive.upn, true);
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByText("Some steps failed")).toBeVisible();
  const smtp = steps(page).getByRole("listitem").filter({ hasText: "SMTP:" });
  await expect(smtp).toContainText("(failed)");
  await expect(smtp).toContainText("5.7.139");
  await expect(smtp).toContainText("SMTP AUTH is disabled");
  await expect(smtp).toContainText("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false");
  await expect(steps(page).getByRole("listitem").filter({ hasText: "IMAP:" })).toContainText("(ok)");
  // The run is a check: the page shows the new health and the check without a reload, and so does the list.
  await expect(page.getByRole("region", { name: "Health" })).toContainText("Failing · misconfigured");
  // The worker checks a new consent right away too, so its scheduled row may be the newest: find Test now's.
  await expect(page.getByRole("list", { name: "History entries, newest first" }).locator(":scope > li").filter({ hasText: "Check failed" }).filter({ hasText: "Test now by" })).toContainText(/Check failed.*smtp_auth_disabled/);
  await page.goto(page.url().replace(/\/[^/]+$/, ""));
  const row = page.getByRole("row", { name: new RegExp(escapeRegExp(olive.upn)) });
  await expect(row).toContainText("Failing · misconfigured");
  await expect(row).toContainText("SMTP ✗ smtp_auth_disabled");
  await expect(row).toContainText("IMAP ✓");
});

test("[tests]: a throttled Graph call is retried after Retry-After and the step still passes", async ({ page }) => {
  const { olive } = await connectedMailbox(page, "Throttle");
  // The worker checks a new consent right away; a fault injected before that check would be
  // spent on it instead of on Test now. Wait for its row in the history first.
  const path = new URL(page.url()).pathname;
  await reloadUntil(page, path, () => expect(page.getByRole("list", { name: "History entries, newest first" })).toContainText("Scheduled check (worker)", { timeout: 2_000 }));
  await injectGraphFault({ status: 429, retryAfterSeconds: 1, times: 1, upn: olive.upn });
  await page.getByRole("button", { name: "Test now" }).click();
  await expect(page.getByText("All steps passed")).toBeVisible();
  await expect(steps(page)).toContainText("throttled the request 1 time(s)");
});

test("[tests]: a page on another port of the same host cannot make a signed-in admin's browser run a test that sends mail", async ({ page }) => {
  const { t, olive } = await connectedMailbox(page, "Csrf");
  const connectionPath = new URL(page.url()).pathname; // /orgs/{slug}/mailboxes/{id}
  const id = connectionPath.split("/").pop()!;
  const target = `${new URL(page.url()).origin}/api/orgs/${t.slug}/connections/${id}/test`;
  // The attacker's page: same site (localhost), other origin, auto-submitting a text/plain form
  // whose body parses as JSON, as in the security review. The SameSite=Lax cookie goes along.
  const attacker = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/html" });
    res.end(`<form id="f" method="POST" enctype="text/plain" action="${target}"><input name='{"sendTo":"attacker@evil.example","x":"' value='"}'></form><script>document.getElementById("f").submit()</script>`);
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  const port = (attacker.address() as AddressInfo).port;
  try {
    const answer = page.waitForResponse((r) => r.url() === target);
    await page.goto(`http://localhost:${port}/`);
    const response = await answer;
    expect(response.status()).toBe(403);
    expect((await response.json()) as unknown).toMatchObject({ error: { code: "forbidden" } });
  } finally {
    attacker.close();
  }
  // Nothing ran: no message left the mailbox, and no test was saved.
  const outbox = (await (await fetch(`${e2e.emulatorAdmin}/outbox?mailbox=${encodeURIComponent(olive.upn)}`)).json()) as { to?: string[] | string }[];
  expect(JSON.stringify(outbox)).not.toContain("attacker@evil.example");
  await page.goto(connectionPath);
  await expect(page.getByRole("region", { name: "History" })).not.toContainText("Test now by");
});
