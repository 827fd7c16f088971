import { describe, expect, it } from "vitest";
import { missingScopes, qualifyGranted, scopeName } from "./scopes";
import { failureFromRedirect } from "./consent";

const requested = ["openid", "offline_access", "https://graph.microsoft.com/Mail.Read", "https://graph.microsoft.com/User.Read", "https://outlook.office.com/IMAP.AccessAsUser.All"];

describe("granted vs requested scopes", () => {
  it("matches Graph's bare names and Exchange's prefixed names, whatever the host spelling", () => {
    const granted = qualifyGranted(["Mail.Read", "User.Read", "openid", "https://outlook.office365.com/imap.accessasuser.all"], "https://graph.microsoft.com");
    expect(missingScopes(requested, granted)).toEqual([]);
  });

  it("lists what is missing, ignoring the OIDC scopes", () => {
    expect(missingScopes(requested, ["Mail.Read"])).toEqual(["https://graph.microsoft.com/User.Read", "https://outlook.office.com/IMAP.AccessAsUser.All"]);
    expect(scopeName("https://outlook.office.com/IMAP.AccessAsUser.All")).toBe("IMAP.AccessAsUser.All");
  });

  it("does not let a Graph scope stand in for the Exchange scope of the same name", () => {
    expect(missingScopes(["https://outlook.office.com/EWS.AccessAsUser.All"], ["https://graph.microsoft.com/EWS.AccessAsUser.All"])).toHaveLength(1);
  });
});

describe("errors on the way back from Microsoft", () => {
  it("reads the AADSTS code, trace and correlation ids from error_description", () => {
    const p = new URLSearchParams({ error: "access_denied", error_description: "AADSTS65004: User declined to consent to access the app.\r\nTrace ID: t-1\r\nCorrelation ID: c-2\r\nTimestamp: 2026-11-21 00:00:00Z" });
    expect(failureFromRedirect(p)).toEqual({ code: "AADSTS65004", error: "access_denied", description: "User declined to consent to access the app.", traceId: "t-1", correlationId: "c-2", timestamp: "2026-11-21 00:00:00Z" });
  });

  it("treats a numberless cancel as a declined consent, and keeps unknown errors raw", () => {
    expect(failureFromRedirect(new URLSearchParams({ error: "access_denied", error_subcode: "cancel" })).code).toBe("AADSTS65004");
    expect(failureFromRedirect(new URLSearchParams({ error: "temporarily_unavailable", error_description: "try later" }))).toMatchObject({ code: "temporarily_unavailable", description: "try later" });
  });
});
