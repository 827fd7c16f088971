// Shared helpers for the emulator's own tests (not a test file itself).
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { emulatorAdmin, type AdminAnswer } from "./client";
import { startEmulator, type RunningEmulator } from "./server";

export const SEED = {
  contosoId: "c0a70500-0000-4000-8000-000000000001",
  fabrikamId: "fab41ca0-0000-4000-8000-000000000002",
  northwindId: "a0b1d000-0000-4000-8000-000000000003",
  adeleId: "c0a70500-0000-4000-8000-0000000000a1",
  alexId: "fab41ca0-0000-4000-8000-0000000000b1",
  clientId: "5a11c0de-0000-4000-8000-000000000100",
  secret: "Mgp8Q~Demo.Secret_Mailgrant-Portal~0001x",
  redirectUri: "http://localhost:3000/api/auth/callback/microsoft-entra-id",
};

export const GLOBAL = "login.microsoftonline.com";
/** An authorization code as the emulator issues it: Microsoft's "1.A…" shape, base64url. */
export const AUTH_CODE = /^1\.A[A-Za-z0-9_-]{100,}$/;
export const USGOV = "login.microsoftonline.us";

/** Seeded single-tenant apps for app-only (client credentials) mail access. */
export const HELPDESK = {
  clientId: "c0a70500-0000-4000-8000-0000000000e1",
  secret: "Hd7Q~Contoso.Helpdesk_Secret~00000001x",
  expiredSecret: "Hd7Q~Contoso.Helpdesk_Expired~0000002x",
};
export const NORTHWIND_MAIL = {
  clientId: "a0b1d000-0000-4000-8000-0000000000e1",
  secret: "Nw5Q~Northwind.Gcc_High~Secret00000001x",
};

/** One admin call, answered as it came (status and body); emulator/client.ts has the named calls. */
export function admin(origin: string, method: string, path: string, body?: unknown): Promise<AdminAnswer> {
  return emulatorAdmin(origin).call(method, path, body);
}

export type TestEmulator = RunningEmulator & { http: string };

/**
 * One emulator per test file, on random ports, reset to the seed before each test unless the
 * file opts out. The returned object is filled in by beforeAll.
 */
export function setupTestEmulator(opts: { resetEachTest?: boolean } = {}): TestEmulator {
  const emu = {} as TestEmulator;
  beforeAll(async () => {
    Object.assign(emu, await startTestEmulator());
  });
  afterAll(() => emu.close());
  if (opts.resetEachTest ?? true) {
    beforeEach(async () => {
      await emulatorAdmin(emu.http).reset();
    });
  }
  return emu;
}

export async function startTestEmulator(): Promise<TestEmulator> {
  // vitest's global setup shares one certificate its workers trust (test-support/global-setup.ts).
  const tlsDir = process.env.MAILGRANT_TEST_TLS_DIR ?? (await mkdtemp(path.join(tmpdir(), "mailgrant-emulator-tls-")));
  const emu = await startEmulator({ tlsDir });
  if (!emu.httpUrl) throw new Error("expected the HTTP listener");
  return { ...emu, http: emu.httpUrl };
}

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizeParams {
  tenant?: string;
  host?: string;
  params?: Record<string, string>;
}

export function authorizeUrl(origin: string, opts: AuthorizeParams = {}): string {
  const url = new URL(`${origin}/${opts.host ?? GLOBAL}/${opts.tenant ?? "organizations"}/oauth2/v2.0/authorize`);
  const params = {
    client_id: SEED.clientId,
    redirect_uri: SEED.redirectUri,
    response_type: "code",
    scope: "openid profile email offline_access User.Read Mail.Read",
    state: "state-123",
    ...opts.params,
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/** Reads the picker form like a browser would: action plus hidden fields. */
export function readPickerForm(html: string): { action: string; fields: Record<string, string>; accounts: string[] } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? "";
  const unescape = (s: string) => s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  const accounts = [...html.matchAll(/name="account" value="([^"]+)"/g)].map((m) => m[1]!);
  return { action: unescape(action), fields, accounts };
}

/** GET /authorize, then submit the picker as the given account (or cancel). Returns the final response. */
export async function signIn(origin: string, choice: { account: string } | { cancel: true }, opts: AuthorizeParams = {}): Promise<Response> {
  const page = await fetch(authorizeUrl(origin, opts), { redirect: "manual" });
  if (page.status !== 200) return page;
  const form = readPickerForm(await page.text());
  const body = new URLSearchParams(form.fields);
  if ("account" in choice) body.set("account", choice.account);
  else body.set("cancel", "1");
  return fetch(new URL(form.action, origin), { method: "POST", body, redirect: "manual" });
}

export function redirectParams(res: Response): URLSearchParams {
  const location = res.headers.get("location");
  if (!location) throw new Error(`expected a redirect, got ${res.status}`);
  return new URL(location).searchParams;
}

/** Whether a page is the consent screen ("Permissions requested"). */
export const isConsentScreen = (html: string): boolean => html.includes('<h1 id="consent-heading">Permissions requested</h1>');

/** Clicks Accept or Cancel on a consent screen (with "Consent on behalf of your organization" ticked if `org`). */
export async function submitConsent(origin: string, html: string, decision: "accept" | "cancel", opts: { org?: boolean } = {}): Promise<Response> {
  const form = readPickerForm(html);
  const body = new URLSearchParams(form.fields);
  body.set("consent", decision);
  if (opts.org) body.set("consent_org", "1");
  return fetch(new URL(form.action, origin), { method: "POST", body, redirect: "manual" });
}

/** Signs in as `account` and returns the code, accepting the consent screen if one shows. */
export async function getCode(origin: string, account: string, opts: AuthorizeParams = {}): Promise<string> {
  let res = await signIn(origin, { account }, opts);
  if (res.status === 200) {
    const html = await res.text();
    if (!isConsentScreen(html)) throw new Error(`expected a redirect or the consent screen, got: ${html.slice(0, 300)}`);
    res = await submitConsent(origin, html, "accept");
  }
  const code = redirectParams(res).get("code");
  if (!code) throw new Error(`no code in ${res.headers.get("location")}`);
  return code;
}

export async function token(
  origin: string,
  form: Record<string, string>,
  opts: { tenant?: string; host?: string; basic?: { id: string; secret: string } } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (opts.basic) {
    const enc = (s: string) => encodeURIComponent(s);
    headers.authorization = `Basic ${Buffer.from(`${enc(opts.basic.id)}:${enc(opts.basic.secret)}`).toString("base64")}`;
  }
  const res = await fetch(`${origin}/${opts.host ?? GLOBAL}/${opts.tenant ?? "organizations"}/oauth2/v2.0/token`, {
    method: "POST",
    headers,
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export function redeemForm(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: "authorization_code",
    client_id: SEED.clientId,
    client_secret: SEED.secret,
    code,
    redirect_uri: SEED.redirectUri,
    ...extra,
  };
}

export function errorCode(body: Record<string, unknown>): number | undefined {
  return (body.error_codes as number[] | undefined)?.[0];
}
