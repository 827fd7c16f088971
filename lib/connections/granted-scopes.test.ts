import { describe, expect, it } from "vitest";
import { missingScopes, qualifyGranted, scopeName } from "./granted-scopes";

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
