import { randomBytes } from "node:crypto";
import { expect, type Page } from "@playwright/test";
import { e2e } from "../playwright.config";

// Every test makes its own tenant and users in the emulator, so tests never share data and can
// run in parallel against one portal.

export type DemoUser = { upn: string; displayName: string; tenantId: string };

async function admin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${e2e.emulatorAdmin}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function makeTenant(label: string, userNames: string[]) {
  const id = randomBytes(3).toString("hex");
  const domain = `${label.toLowerCase()}${id}.onmicrosoft.com`;
  const tenant = await admin<{ id: string }>("/tenants", { displayName: `${label} ${id}`, domain });
  const users: DemoUser[] = [];
  for (const name of userNames) {
    const upn = `${name.toLowerCase().split(" ")[0]}@${domain}`;
    await admin("/tenants/" + tenant.id + "/users", { upn, displayName: name });
    users.push({ upn, displayName: name, tenantId: tenant.id });
  }
  return { id: tenant.id, domain, users, slug: `${label.toLowerCase()}-${id}` };
}

export async function injectFault(fault: { endpoint: "authorize" | "token"; code: number; upn?: string; delivery?: "redirect" | "page" }) {
  await admin("/faults", fault);
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
  await page.getByRole("button", { name: "Sign out" }).click();
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
  return admin<{ clientId: string; secrets: { secretId: string; value: string }[] }>(`/tenants/${tenantId}/apps`, {
    displayName: `Helpdesk ${randomBytes(2).toString("hex")}`,
    multiTenant: opts.multiTenant ?? false,
    redirectUris: [`${e2e.baseURL}/api/connections/callback`],
    appPermissions: { "https://graph.microsoft.com": ["Mail.Read"], "https://outlook.office365.com": ["IMAP.AccessAsApp"] },
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
  });
}

export async function makeGovTenant(label: string, userName: string) {
  const id = randomBytes(3).toString("hex");
  const domain = `${label.toLowerCase()}${id}.onmicrosoft.us`;
  const tenant = await admin<{ id: string }>("/tenants", { displayName: `${label} ${id}`, domain, cloud: "usgov" });
  return { id: tenant.id, domain, slug: `${label.toLowerCase()}-${id}`, userName };
}

/** Signs in a fresh org owner and creates their org; returns the tenant and page. */
export async function ownerWithOrg(page: Page, label: string) {
  const t = await makeTenant(label, ["Olive Owner"]);
  await signIn(page, t.users[0]!);
  await createOrg(page, `${label} Org`, t.slug);
  return t;
}
