import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { emulatorAdmin } from "../emulator/client";
import { e2e } from "../playwright.config";

// Every test makes its own tenant and users in the emulator, so tests never share data and can
// run in parallel against one portal.

export type DemoUser = { upn: string; displayName: string; tenantId: string };

/** Reloads `path` until `check` passes: for results the worker's next scheduled check brings (no fixed sleep). */
export async function reloadUntil(page: Page, path: string, check: () => Promise<void>, timeout = 90_000) {
  await expect(async () => {
    await page.goto(path);
    await check();
  }).toPass({ timeout });
}

/** The emulator's admin API, for seeding and faults (the portal under test never uses it). */
export const emulator = emulatorAdmin(e2e.emulatorAdmin);

export type TenantOptions = {
  /** Display names (from `userNames`) who are administrators and may consent for the whole tenant. */
  admins?: string[];
  /** "disabled": non-admins get the emulator's "Need admin approval" page (AADSTS90094). */
  userConsent?: "allowed" | "disabled";
  /** Shared mailboxes (sign-in blocked); delegates are display names from `userNames`. */
  shared?: { name: string; delegates: string[] }[];
};

export async function makeTenant(label: string, userNames: string[], opts: TenantOptions = {}) {
  const id = randomBytes(3).toString("hex");
  const domain = `${label.toLowerCase()}${id}.onmicrosoft.com`;
  const unknown = [...(opts.admins ?? []), ...(opts.shared ?? []).flatMap((m) => m.delegates)].find((n) => !userNames.includes(n));
  if (unknown) throw new Error(`makeTenant: "${unknown}" is not one of the tenant's users`);
  const tenant = await emulator.addTenant({ displayName: `${label} ${id}`, domain, ...(opts.userConsent ? { userConsent: opts.userConsent } : {}) });
  const users: DemoUser[] = [];
  for (const name of userNames) {
    const upn = `${name.toLowerCase().split(" ")[0]}@${domain}`;
    await emulator.addUser(tenant.id, { upn, displayName: name, admin: opts.admins?.includes(name) ?? false });
    users.push({ upn, displayName: name, tenantId: tenant.id });
  }
  const shared: { upn: string; displayName: string }[] = [];
  for (const mailbox of opts.shared ?? []) {
    const upn = `${mailbox.name.toLowerCase().replace(/[^a-z0-9]+/g, ".").replace(/^\.|\.$/g, "")}@${domain}`;
    const delegates = mailbox.delegates.map((n) => users.find((u) => u.displayName === n)!.upn);
    await emulator.addUser(tenant.id, { upn, displayName: mailbox.name, kind: "shared", delegates });
    shared.push({ upn, displayName: mailbox.name });
  }
  return { id: tenant.id, domain, users, shared, slug: `${label.toLowerCase()}-${id}` };
}

export async function injectFault(fault: { endpoint: "authorize" | "token" | "adminconsent"; code: number; upn?: string; delivery?: "redirect" | "page" }) {
  await emulator.addFault(fault);
}

/** Signs in through the emulator's account picker, starting from `path`. */
export async function signIn(page: Page, user: { upn: string }, path = "/signin") {
  await page.goto(path);
  await page.getByRole("button", { name: /Sign in with Microsoft/ }).click();
  await expect(page.getByRole("heading", { name: "Pick an account" })).toBeVisible();
  await page.getByRole("button", { name: new RegExp(user.upn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")) }).click();
}

export async function signOut(page: Page) {
  await page.getByLabel("Account menu").click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/signin/);
}

export async function createOrg(page: Page, name: string, slug: string) {
  await page.goto("/orgs/new");
  await page.getByLabel("Organization name").fill(name);
  await page.getByLabel("URL slug").fill(slug);
  await page.getByRole("button", { name: "Create organization" }).click();
  await expect(page).toHaveURL(new RegExp(`/orgs/${slug}$`));
}

export async function makeApp(tenantId: string, opts: { multiTenant?: boolean; secrets?: { expiresAt?: string }[] } = {}) {
  return emulator.addApp(tenantId, {
    displayName: `Helpdesk ${randomBytes(2).toString("hex")}`,
    multiTenant: opts.multiTenant ?? false,
    redirectUris: [`${e2e.baseURL}/api/connections/callback`],
    appPermissions: { "https://graph.microsoft.com": ["Mail.Read"], "https://outlook.office365.com": ["IMAP.AccessAsApp"] },
    // An integration app: users (or an admin) must consent, unlike the portal's own sign-in app.
    preAuthorized: false,
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
  });
}

export async function makeGovTenant(label: string, userName: string) {
  const id = randomBytes(3).toString("hex");
  const domain = `${label.toLowerCase()}${id}.onmicrosoft.us`;
  const tenant = await emulator.addTenant({ displayName: `${label} ${id}`, domain, cloud: "usgov" });
  return { id: tenant.id, domain, slug: `${label.toLowerCase()}-${id}`, userName };
}

/** Signs in a fresh org owner and creates their org; returns the tenant and page. */
export async function ownerWithOrg(page: Page, label: string) {
  const t = await makeTenant(label, ["Olive Owner"]);
  await signIn(page, t.users[0]!);
  await createOrg(page, `${label} Org`, t.slug);
  return t;
}

/** Pre-grants delegated consent in the emulator (without `upn`: tenant-wide, as an admin would). */
export async function grantConsent(consent: { clientId: string; tenant: string; upn?: string; scopes: string[] }) {
  return emulator.grantConsent(consent);
}

/** The tenant's user consent setting (Entra: Enterprise apps → Consent and permissions). */
export async function setUserConsent(tenantId: string, userConsent: "allowed" | "disabled") {
  await emulator.updateTenant(tenantId, { userConsent });
}

/** Revokes a user's refresh tokens at "Microsoft" (a password reset or an admin's revoke): the next refresh gets AADSTS50173. */
export async function revokeGrants(upn: string) {
  await emulator.revokeRefreshTokens({ upn });
}

/** Turns SMTP AUTH off (or back on) for one mailbox, like Set-CASMailbox -SmtpClientAuthenticationDisabled. */
export async function setSmtpAuthDisabled(upn: string, disabled: boolean) {
  await emulator.updateUser(upn, { smtpAuthDisabled: disabled });
}

/** Makes Microsoft Graph answer with an error status for the next `times` calls (429 carries Retry-After). */
export async function injectGraphFault(fault: { status: number; retryAfterSeconds?: number; times?: number; upn?: string }) {
  await emulator.addFault({ endpoint: "graph", ...fault });
}

export type WizardInput = { tenant: string; clientId: string; secret: string; name?: string; cloud?: RegExp; purposes?: RegExp[] };

/** Moves the integration wizard on one step (the button names the next step). */
export async function wizardNext(page: Page) {
  await page.getByRole("button", { name: /^Next: / }).click();
}

/**
 * Fills the integration wizard's five steps for a single-tenant app and stops on the review step.
 * `purposes` are ticked in addition to the defaults (IMAP and SMTP).
 */
export async function fillIntegrationWizard(page: Page, o: WizardInput) {
  const step = (title: string) => expect(page.getByRole("heading", { name: title })).toBeVisible();
  await step("Cloud and who signs in");
  await page.getByRole("radio", { name: /One organization/ }).check();
  await page.getByLabel("Directory (tenant) ID or domain").fill(o.tenant);
  if (o.cloud) await page.getByRole("radio", { name: o.cloud }).check();
  await wizardNext(page);
  await step("What it is for");
  await page.getByLabel("Integration name").fill(o.name ?? "Helpdesk mail");
  for (const purpose of o.purposes ?? []) await page.getByRole("checkbox", { name: purpose }).check();
  await wizardNext(page);
  await step("Register the app in Azure");
  await wizardNext(page);
  await step("App and credential");
  await page.getByLabel("Application (client) ID").fill(o.clientId);
  await page.getByLabel("Client secret Value").fill(o.secret);
  await wizardNext(page);
  await step("Review and save");
}

/** Registers an integration for a new app in the tenant through the wizard; returns its page path. */
export async function registerIntegration(page: Page, t: { slug: string; domain: string }, app: { clientId: string; secrets: { value: string }[] }, purposes: RegExp[] = [/Read mail with Microsoft Graph/], name = "Helpdesk mail") {
  await page.goto(`/orgs/${t.slug}/integrations/new`);
  await fillIntegrationWizard(page, { tenant: t.domain, clientId: app.clientId, secret: app.secrets[0]!.value, purposes, name });
  await page.getByRole("button", { name: "Save integration" }).click();
  await expect(page.getByText("Integration saved")).toBeVisible();
  return new URL(page.url()).pathname;
}

/** A string as a literal inside a RegExp (addresses hold dots). */
export const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Connects a mailbox from the Mailboxes page by signing in at the emulator as `upn` and accepting. */
export async function connectMailbox(page: Page, slug: string, upn: string) {
  await page.goto(`/orgs/${slug}/mailboxes`);
  await page.getByRole("region", { name: "Connect a mailbox" }).getByRole("button", { name: "Sign in with Microsoft" }).click();
  await page.getByRole("button", { name: new RegExp(escapeRegExp(upn)) }).click();
  await page.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByRole("heading", { name: "Mailbox connected" })).toBeVisible();
}

/** Connects a mailbox (as connectMailbox) and opens its page; returns the page's path. */
export async function connectAndOpenMailbox(page: Page, slug: string, upn: string): Promise<string> {
  await connectMailbox(page, slug, upn);
  await page.getByRole("link", { name: "Open the mailbox" }).click();
  await expect(page.getByRole("heading", { name: upn })).toBeVisible();
  return new URL(page.url()).pathname;
}
