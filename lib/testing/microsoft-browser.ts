// Test helper (not a test file): plays the browser at the emulator's Microsoft pages.
import { expect } from "vitest";
import { isConsentScreen, readPickerForm, submitConsent } from "@/emulator/test-support";

/** Plays the browser at Microsoft: picker, then the consent screen if it shows. Returns the callback's query. */
export async function playMicrosoft(emulator: string, redirectUri: string, url: string, account: string, decision: "accept" | "cancel" = "accept", rewrite?: (u: URL) => void): Promise<URLSearchParams> {
  const target = new URL(url);
  rewrite?.(target);
  const picker = await fetch(target, { redirect: "manual" });
  expect(picker.status).toBe(200);
  const form = readPickerForm(await picker.text());
  let res = await fetch(new URL(form.action, emulator), { method: "POST", body: new URLSearchParams({ ...form.fields, account }), redirect: "manual" });
  if (res.status === 200) {
    const html = await res.text();
    expect(isConsentScreen(html), html.slice(0, 400)).toBe(true);
    res = await submitConsent(emulator, html, decision);
  }
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location")!);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  return location.searchParams;
}

