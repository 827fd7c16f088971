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


/** Connects a mailbox the way a browser would: start, play Microsoft's pages, finish the callback. Returns the connection id. */
export async function connectThroughEmulator(input: {
  db: import("@/lib/db-client").Db;
  keyring: import("@/lib/crypto").Keyring;
  emulator: string;
  redirectUri: string;
  integration: Parameters<typeof import("@/lib/connections/consent").startConnect>[1]["integration"];
  account: string;
  mailbox?: { address: string; kind: "USER" | "SHARED" };
}): Promise<string> {
  const { completeFlow, startConnect } = await import("@/lib/connections/consent");
  const { consumeAuthorizationRequest, newBrowserId } = await import("@/lib/connections/flow-state");
  const { hostMapFromBase } = await import("@/lib/microsoft/endpoints");
  const deps = { db: input.db, keyring: input.keyring, hostMap: hostMapFromBase(input.emulator), redirectUri: input.redirectUri };
  const browserId = newBrowserId();
  const { url } = await startConnect(deps, { integration: input.integration, browserId, ...(input.mailbox ? { mailbox: input.mailbox.address, mailboxKind: input.mailbox.kind } : {}) });
  const params = await playMicrosoft(input.emulator, input.redirectUri, url, input.account);
  const consumed = await consumeAuthorizationRequest(input.db, input.keyring, params.get("state"), browserId);
  if (!consumed.ok) throw new Error(consumed.problem);
  const outcome = await completeFlow(deps, consumed.flow, params);
  if (!outcome.ok || outcome.kind !== "connected") throw new Error(JSON.stringify(outcome));
  return outcome.connectionId;
}
