import { describe, expect, it } from "vitest";
import { classifyFailure } from "@/lib/connections/classify";
import { classOf, diagnose, diagnoseAadsts, diagnoseAuthError, knownAadstsCodes, knownFlowCodes, knownMailCodes, knownOAuthErrorCodes, parseMicrosoftErrorDescription } from "./catalog";

describe("diagnosis catalog", () => {
  it.each(knownAadstsCodes())("AADSTS%i has a title, meaning, cause, fix and a lookup link", (code) => {
    const d = diagnoseAadsts(code);
    expect(d.code).toBe(`AADSTS${code}`);
    for (const key of ["title", "meaning", "cause", "fix"] as const) expect(d[key].length).toBeGreaterThan(10);
    expect(d.docs).toBe(`https://login.microsoftonline.com/error?code=${code}`);
  });

  it("explains the Secret ID mistake for 7000215 and the single-tenant mistake for 50194", () => {
    expect(diagnoseAadsts(7000215).cause).toMatch(/Secret ID.*instead of.*Value/);
    expect(diagnoseAadsts(50194).fix).toMatch(/tenant-specific endpoint/);
  });

  it.each(knownFlowCodes())("consent-flow failure %s has a title, meaning, cause and fix", (code) => {
    const d = diagnose(code);
    expect(d.code).toBe(code);
    for (const key of ["title", "meaning", "cause", "fix"] as const) expect(d[key].length).toBeGreaterThan(10);
  });

  it.each(knownMailCodes())("mail access failure %s has a title, meaning, cause and fix", (code) => {
    const d = diagnose(code);
    for (const key of ["title", "meaning", "cause", "fix"] as const) expect(d[key].length).toBeGreaterThan(10);
  });

  const CLASSES = ["needs_reconsent", "misconfigured", "blocked", "transient"];
  const everyConnectionCode = () => [...knownAadstsCodes().map((n) => `AADSTS${n}`), ...knownOAuthErrorCodes(), ...knownMailCodes()];

  it.each(everyConnectionCode())("%s has a class and a fix", (code) => {
    const d = diagnose(code);
    expect(d.unknown).toBeUndefined();
    expect(CLASSES).toContain(d.class);
    expect(d.fix.trim().length).toBeGreaterThan(10);
  });

  it.each([
    // One sample per source: AADSTS (§4.2), OAuth error values (§2.1, §4.1), Graph (§6), SMTP, IMAP and POP (§5.1, §5.5).
    ["AADSTS700082", "needs_reconsent"],
    ["invalid_client", "misconfigured"],
    ["temporarily_unavailable", "transient"],
    ["graph:MailboxNotEnabledForRESTAPI", "misconfigured"],
    ["graph:ErrorMimeContentInvalidBase64String", "misconfigured"],
    ["smtp_auth_disabled", "misconfigured"],
    ["imap_auth_failed", "misconfigured"],
    ["pop_auth_failed", "misconfigured"],
  ])("looks up %s (%s)", (code, cls) => {
    expect(diagnose(code)).toMatchObject({ code, class: cls });
  });

  it.each(knownOAuthErrorCodes())("OAuth error %s without a number has the class the token classifier gives it", (error) => {
    expect(classOf(error)).toBe(classifyFailure({ kind: "oauth", error }));
  });

  it("links the Microsoft doc the reference cites for mail sign-in and Graph sendMail failures", () => {
    for (const code of ["smtp_auth_failed", "imap_auth_failed", "pop_auth_failed"]) expect(diagnose(code).docs).toMatch(/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth$/);
    expect(diagnose("graph:ErrorMimeContentInvalidBase64String").docs).toMatch(/user-sendmail$/);
  });

  it("explains SMTP AUTH disabled with the per-mailbox cmdlet, and names unknown Graph codes", () => {
    expect(diagnose("smtp_auth_disabled").fix).toContain("Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false");
    expect(diagnose("graph:SomethingNew").title).toBe("Microsoft Graph error SomethingNew");
  });

  it("covers every failure the consent flows can report", () => {
    const flow = ["state_missing", "state_unknown", "state_browser", "state_expired", "state_used", "mailbox_mismatch", "no_refresh_token", "invalid_id_token", "tenant_mismatch", "link_withdrawn", "internal", "refresh_busy", "connection_gone"];
    const microsoft = [65004, 50011, 50020, 50194, 700016, 65001, 90094, 53003, 50076, 54005];
    // Every code of the reference's §4.2 table.
    const reference = [
      50011, 500113, 900971, 50020, 50034, 50053, 50055, 50057, 50058, 50059, 50076, 50079, 50105, 50126, 50128, 50173, 50194, 50196, 53003, 530035, 54005, 65001, 65004,
      650052, 650056, 650057, 70000, 70008, 700082, 700084, 70043, 70011, 700022, 700003, 700016, 700024, 700027, 7000215, 7000218, 7000222, 700025, 700005, 501481,
      90002, 90009, 90014, 900144, 9002313, 90094, 90095, 500011, 700054,
    ];
    // §2.1, §2.3 and §4.1: the OAuth error values, with or without a number.
    const oauth = ["invalid_request", "invalid_grant", "unauthorized_client", "invalid_client", "unsupported_grant_type", "unsupported_response_type", "invalid_resource", "invalid_scope", "server_error", "temporarily_unavailable", "login_required", "permission_denied"];
    expect(knownOAuthErrorCodes()).toEqual(expect.arrayContaining(oauth));
    // §5.5 and §6: the Graph codes and Exchange replies the reference lists.
    const mail = ["graph:ErrorAccessDenied", "graph:MailboxNotEnabledForRESTAPI", "graph:ErrorInvalidUser", "graph:InvalidAuthenticationToken", "graph:ErrorMimeContentInvalidBase64String", "graph_claims_challenge", "graph_throttled", "smtp_auth_disabled", "smtp_auth_failed", "smtp_basic_auth_disabled", "imap_auth_failed", "imap_not_connected", "pop_auth_failed"];
    expect(knownMailCodes()).toEqual(expect.arrayContaining(mail));
    expect(knownAadstsCodes()).toEqual(expect.arrayContaining(reference));
    expect(knownFlowCodes()).toEqual(expect.arrayContaining(flow));
    expect(knownAadstsCodes()).toEqual(expect.arrayContaining(microsoft));
  });

  it("gives every code a connection can hit its class, beside its text", () => {
    const classes = ["needs_reconsent", "misconfigured", "blocked", "transient"];
    for (const n of knownAadstsCodes()) expect(classes).toContain(diagnoseAadsts(n).class);
    for (const code of [...knownMailCodes(), "timeout", "unreachable", "bad_response"]) expect(classes).toContain(classOf(code));
    expect(classOf("AADSTS50173")).toBe("needs_reconsent");
    expect(classOf("smtp_auth_disabled")).toBe("misconfigured");
    expect(classOf("state_expired")).toBeUndefined();
  });

  it("still names an unknown code", () => {
    expect(diagnoseAadsts(123456)).toMatchObject({ code: "AADSTS123456", title: "Microsoft error AADSTS123456" });
  });

  it("maps Auth.js error types, falling back to the configuration explanation", () => {
    expect(diagnoseAuthError("AccessDenied").title).toBe("Sign-in was refused");
    expect(diagnoseAuthError("SomethingNew").title).toBe("The portal's sign-in is misconfigured");
  });

  it("parses Microsoft's error_description", () => {
    const parsed = parseMicrosoftErrorDescription(
      "AADSTS50020: User account 'x@fabrikam.com' from identity provider does not exist in tenant 'Contoso'.\r\nTrace ID: 0b1c\r\nCorrelation ID: 9f8e\r\nTimestamp: 2026-11-21 10:00:00Z",
    );
    expect(parsed).toEqual({
      aadsts: 50020,
      message: "User account 'x@fabrikam.com' from identity provider does not exist in tenant 'Contoso'.",
      traceId: "0b1c",
      correlationId: "9f8e",
      timestamp: "2026-11-21 10:00:00Z",
    });
    expect(parseMicrosoftErrorDescription("plain words").aadsts).toBeUndefined();
  });
});

describe("diagnose never mistakes an object's inherited names for codes", () => {
  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])("%s is an unknown code", (code) => {
    expect(diagnose(code)).toMatchObject({ code, unknown: true });
  });
});
