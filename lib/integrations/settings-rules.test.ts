import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { orderedNotices, parseSettings, settingsInput, stepOfField, wizardErrors, WIZARD_STEPS } from "./settings-rules";
import { assertAcknowledged } from "./input";

const ctx = { allowCustomHosts: false };
const base = { name: "Helpdesk mail", cloud: "global", tenantMode: "single", tenant: "contoso.onmicrosoft.com", clientId: "1b2c3d4e-0000-4000-8000-000000000001", purposes: ["imap", "smtp"] };
const issues = (raw: Record<string, unknown>) => {
  try {
    parseSettings(raw, ctx);
    return {};
  } catch (e) {
    return Object.fromEntries((e as ZodError).issues.map((i) => [String(i.path[0]), i.message]));
  }
};

describe("saving a configuration the wizard marks as failing", () => {
  it("refuses GCC High with personal accounts, naming the field", () => {
    expect(issues({ ...base, cloud: "gcc-high", tenantMode: "common", tenant: "" })).toEqual({ tenantMode: expect.stringMatching(/^Who signs in: Personal Microsoft accounts exist only in the Global cloud/) });
  });

  it("refuses EWS once it is shut down", () => {
    // configurationWarnings reads the clock; the rule is the same one the wizard shows.
    expect(wizardErrors({ ...base, purposes: ["ews"], credentialType: "SECRET", secret: "Hd7Q~Contoso.Helpdesk_Secret~00000001x", acknowledged: ["ews-retiring"] }, { ...ctx, withCredential: true, now: new Date("2027-05-01T00:00:00Z") }))
      .toEqual({ purposes: expect.stringMatching(/^Purposes: Exchange Web Services .* shut down/) });
  });

  it("saves warnings only once each is acknowledged", () => {
    const settings = parseSettings({ ...base, tenantMode: "organizations" }, ctx);
    expect(() => assertAcknowledged(settings, [])).toThrow(expect.objectContaining({ field: "acknowledged", message: expect.stringMatching(/^Warnings: tick "I understand"/) }));
    expect(() => assertAcknowledged(settings, ["multi-tenant-registration"])).not.toThrow();
    // Information never needs acknowledging.
    expect(() => assertAcknowledged(parseSettings(base, ctx), [])).not.toThrow();
  });

  it("orders notices errors, then warnings, then information", () => {
    const levels = orderedNotices({ cloud: "gcc-high", tenantMode: "common", purposes: ["smtp", "ews"], now: new Date("2026-01-01T00:00:00Z") }).map((w) => w.level);
    expect(levels).toEqual([...levels].sort((a, b) => ["error", "warning", "info"].indexOf(a) - ["error", "warning", "info"].indexOf(b)));
    expect(levels[0]).toBe("error");
    expect(levels.at(-1)).toBe("info");
  });
});

describe("the wizard's steps", () => {
  const ok = { ...base, credentialType: "SECRET", secret: "Hd7Q~Contoso.Helpdesk_Secret~00000001x" };

  it("finds no problem in a complete form", () => {
    expect(wizardErrors(ok, { ...ctx, withCredential: true })).toEqual({});
  });

  it("puts every field's problem on the step that holds the field", () => {
    const errors = wizardErrors({ ...ok, tenant: "someone@contoso.com", name: "", clientId: "x", secret: "5ec12e70-0000-4000-8000-000000000101", tenantMode: "organizations" }, { ...ctx, withCredential: true });
    expect(Object.keys(errors).sort()).toEqual(["acknowledged", "clientId", "name", "secret", "tenant"]);
    expect(Object.fromEntries(Object.keys(errors).map((f) => [f, WIZARD_STEPS[stepOfField(f)]!.id]))).toEqual({ tenant: "audience", name: "purpose", clientId: "credentials", secret: "credentials", acknowledged: "review" });
  });

  it("leaves the credential out when editing", () => {
    expect(wizardErrors({ ...base }, { ...ctx, withCredential: false })).toEqual({});
  });

  it("reads the form's text the way the server does", () => {
    expect(settingsInput({ extraScopes: "Calendars.Read, Contacts.Read", purposes: "imap" })).toMatchObject({ extraScopes: ["Calendars.Read", "Contacts.Read"], purposes: ["imap"] });
  });
});
