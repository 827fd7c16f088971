import { describe, expect, it } from "vitest";
import { CLOUD_IDS, type CloudId } from "./clouds";
import { TENANT_MODES, azureGuide, configurationWarnings } from "./endpoints";
import type { Purpose } from "./scopes";

const TODAY = new Date("2026-11-21T12:00:00Z");
const codes = (cloud: CloudId, tenantMode: (typeof TENANT_MODES)[number], purposes: Purpose[], now = TODAY) =>
  configurationWarnings({ cloud, tenantMode, purposes, now });
const find = (list: ReturnType<typeof codes>, code: string) => list.find((w) => w.code === code);

describe("configurationWarnings", () => {
  it("a single-tenant Graph integration in the Global cloud has nothing to say", () => {
    expect(codes("global", "single", ["graph-read", "graph-send"])).toEqual([]);
  });
  it("no purposes is an error", () => {
    expect(find(codes("global", "single", []), "no-purposes")?.level).toBe("error");
  });
  it.each(CLOUD_IDS.filter((c) => c !== "global"))("common in %s is an error: personal accounts are Global only", (cloud) => {
    expect(find(codes(cloud, "common", ["graph-read"]), "common-outside-global")).toMatchObject({ level: "error", message: expect.stringMatching(/only in the Global cloud/) });
  });
  it("common is fine in the Global cloud", () => expect(find(codes("global", "common", ["graph-read"]), "common-outside-global")).toBeUndefined());
  it.each(["imap", "pop", "smtp"] as const)("common + %s warns about personal Outlook.com mailboxes", (purpose) => {
    expect(find(codes("global", "common", [purpose]), "common-personal-mail-protocols")).toMatchObject({ level: "warning", message: expect.stringMatching(/smtp-mail\.outlook\.com/) });
    expect(find(codes("global", "organizations", [purpose]), "common-personal-mail-protocols")).toBeUndefined();
  });
  it.each(["organizations", "common"] as const)("%s needs a multi-tenant registration (AADSTS50194)", (mode) => {
    expect(find(codes("global", mode, ["graph-read"]), "multi-tenant-registration")?.message).toMatch(/Accounts in any organizational directory.*AADSTS50194/);
    expect(find(codes("global", "single", ["graph-read"]), "multi-tenant-registration")).toBeUndefined();
  });
  it("common explains that admin consent uses organizations", () => {
    expect(find(codes("global", "common", ["graph-read"]), "admin-consent-organizations")?.level).toBe("info");
  });
  it("EWS: already being disabled on 2026-11-21, with both dates", () => {
    const w = find(codes("global", "single", ["ews"]), "ews-retiring");
    expect(w?.level).toBe("warning");
    expect(w?.message).toMatch(/since 1 October 2026.*1 April 2027/);
  });
  it("EWS: before and after the retirement window", () => {
    expect(find(codes("global", "single", ["ews"], new Date("2026-06-01")), "ews-retiring")?.message).toMatch(/starts disabling.*1 October 2026/);
    expect(find(codes("global", "single", ["ews"], new Date("2027-04-02")), "ews-retired")?.level).toBe("error");
  });
  it("SMTP: SMTP AUTH must be enabled per mailbox, with the command, and the scope choice is explained", () => {
    const list = codes("global", "single", ["smtp"]);
    expect(find(list, "smtp-auth-disabled-by-default")).toMatchObject({ level: "info", message: expect.stringMatching(/January 2020.*Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled \$false/) });
    expect(find(list, "smtp-scope-choice")?.message).toMatch(/SMTP\.SendAsApp/);
  });
  it("IMAP/POP: per-mailbox protocol switch", () => {
    expect(find(codes("global", "single", ["pop"]), "mail-protocol-enabled")?.message).toMatch(/-PopEnabled/);
  });
  it("China: the login-host disagreement", () => {
    expect(find(codes("china", "single", ["graph-read"]), "china-login-host")?.message).toMatch(/login\.chinacloudapi\.cn/);
    expect(find(codes("china", "single", ["smtp"]), "china-smtp-host")?.message).toMatch(/smtp\.partner\.outlook\.cn/);
  });
  it("DoD: the Exchange scope-prefix disagreement only when Exchange is used", () => {
    expect(find(codes("dod", "single", ["imap"]), "dod-exchange-scope")?.message).toMatch(/outlook-dod\.office365\.us.*outlook\.office365\.us/);
    expect(find(codes("dod", "single", ["graph-read"]), "dod-exchange-scope")).toBeUndefined();
    expect(find(codes("dod", "single", ["smtp"]), "dod-smtp-host")?.message).toMatch(/community/);
  });
  it("GCC and GCC High: community-sourced mail hosts", () => {
    expect(find(codes("gcc", "single", ["imap"]), "gcc-mail-host")?.message).toMatch(/outlook\.office365\.com/);
    expect(find(codes("gcc-high", "single", ["smtp"]), "gcc-high-smtp-host")?.message).toMatch(/smtp\.office365\.us/);
  });
});

describe("azureGuide", () => {
  const REDIRECT = "https://mailgrant.example.com/api/oauth/callback";
  const PORTAL: Record<CloudId, string> = {
    global: "https://portal.azure.com",
    gcc: "https://portal.azure.com",
    "gcc-high": "https://portal.azure.us",
    dod: "https://portal.azure.us",
    china: "https://portal.azure.cn",
  };
  const all: Purpose[] = ["graph-read", "graph-send", "imap", "pop", "smtp", "ews"];
  const text = (steps: { step: string; detail: string }[]) => steps.map((s) => `${s.step}\n${s.detail}`).join("\n");

  it.each(CLOUD_IDS.flatMap((c) => TENANT_MODES.map((m) => [c, m] as const)))("%s / %s: portal, redirect URI, secret Value, IDs", (cloud, mode) => {
    const t = text(azureGuide(cloud, mode, all, REDIRECT));
    expect(t).toContain(PORTAL[cloud]);
    expect(t).toContain("App registrations → New registration");
    expect(t).toContain(`platform Web, ${REDIRECT}`);
    expect(t).toMatch(/copy the Value.*Do not copy the Secret ID/s);
    expect(t).toContain("Application (client) ID and Directory (tenant) ID");
    expect(t).toContain("Microsoft Graph → Delegated permissions: Mail.Read, User.Read, Mail.Send");
    expect(t).toContain("APIs my organization uses → Office 365 Exchange Online → Delegated permissions: IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send, EWS.AccessAsUser.All");
  });
  it("picks the account type for the tenant mode and says why", () => {
    const accountStep = (cloud: CloudId, mode: (typeof TENANT_MODES)[number]) => azureGuide(cloud, mode, ["graph-read"], REDIRECT).find((s) => s.step.startsWith("Supported account types"));
    expect(accountStep("global", "single")?.step).toMatch(/Single tenant/);
    expect(accountStep("global", "organizations")).toMatchObject({ step: expect.stringMatching(/Multitenant/), detail: expect.stringMatching(/AADSTS50194/) });
    expect(accountStep("global", "common")?.step).toMatch(/and personal Microsoft accounts/);
    expect(accountStep("gcc-high", "common")).toMatchObject({ step: expect.stringMatching(/Multitenant/), detail: expect.stringMatching(/organizations/) });
  });
  it("lists only the APIs the purposes need", () => {
    const t = text(azureGuide("gcc-high", "single", ["imap"], REDIRECT));
    expect(t).not.toContain("Microsoft Graph → Delegated");
    expect(t).toContain("Office 365 Exchange Online → Delegated permissions: IMAP.AccessAsUser.All");
  });
});
