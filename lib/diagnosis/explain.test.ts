import { describe, expect, it } from "vitest";
import { CLASS_WORDS, explain, firstSentence } from "./explain";

describe("explain: codes the catalog does not contain", () => {
  it("builds a refresh failure from error, suberror, status and Microsoft's first sentence, with the class's next step", () => {
    const d = explain("AADSTS9999991", { step: "refresh", error: "invalid_grant", suberror: "bad_token", httpStatus: 400, message: "AADSTS9999991: The grant is gone. Trace ID: x\r\nCorrelation ID: y", class: "needs_reconsent" });
    expect(d.title).toBe("Microsoft's token endpoint refused to refresh the access token (AADSTS9999991)");
    expect(d.meaning).toBe("Microsoft's token endpoint answered HTTP 400 Bad Request, error invalid_grant (suberror bad_token) during the access-token refresh: “The grant is gone.”");
    expect(d.cause).toContain("the authorization code or refresh token is invalid, expired or revoked");
    expect(d.fix).toBe(CLASS_WORDS.needs_reconsent.next);
    expect(d.classLabel).toBe("Needs re-consent");
    expect(d.docs).toBe("https://login.microsoftonline.com/error?code=9999991");
    expect(JSON.stringify(d)).not.toMatch(/do not have an explanation/);
  });

  it("a Graph 503 with an unknown code is Microsoft Graph being unavailable, temporary", () => {
    const d = explain("graph:ServiceUnavailableNew", { step: "graph", error: "ServiceUnavailableNew", httpStatus: 503, message: "Service is busy. Retry later." });
    expect(d).toMatchObject({ title: "Microsoft Graph is unavailable (HTTP 503 Service Unavailable)", class: "transient", classLabel: "Temporary" });
    expect(d.meaning).toContain("HTTP 503");
    expect(d.meaning).toContain("“Service is busy.”");
  });

  it("a Graph 404 with an unknown code is a configuration problem; an unknown authorize error says where", () => {
    expect(explain("graph:ErrorSomethingNew", { step: "graph", error: "ErrorSomethingNew", httpStatus: 404 })).toMatchObject({ class: "misconfigured", title: "Microsoft Graph refused the call (ErrorSomethingNew)" });
    const a = explain("brand_new_error", { step: "authorize", error: "brand_new_error", message: "Something new happened. More text." });
    expect(a.meaning).toBe("Microsoft answered error brand_new_error during the sign-in at Microsoft (authorize): “Something new happened.”");
    expect(a.class).toBe("misconfigured");
  });

  it("an unknown IMAP reply names the server", () => {
    const d = explain("imap_new_thing", { step: "imap", message: "NO [ALERT] Something odd.", at: { protocol: "imap", host: "outlook.office365.com", port: 993 }, class: "transient" });
    expect(d.meaning).toContain("The IMAP server (IMAP outlook.office365.com:993) answered");
    expect(d.fix).toBe(CLASS_WORDS.transient.next);
  });

  it("known codes keep the catalog's text and add what this attempt sent", () => {
    const d = explain("AADSTS50173", { step: "refresh", error: "invalid_grant", httpStatus: 400 });
    expect(d.title).not.toMatch(/refused/);
    expect(d.classLabel).toBe("Needs re-consent");
    expect(d.happened).toContain("HTTP 400");
  });

  it("a 5xx without an OAuth body from the token endpoint is Microsoft unavailable with its status, not the override hint", () => {
    const d = explain("unavailable", { step: "refresh", httpStatus: 503 });
    expect(d.title).toBe("Microsoft's sign-in service is unavailable");
    expect(d.happened).toContain("HTTP 503 Service Unavailable");
    expect(d.class).toBe("transient");
    expect(`${d.cause} ${d.fix}`).not.toMatch(/override/);
    const html = explain("bad_response", { step: "refresh", httpStatus: 404 });
    expect(html.cause).toMatch(/override/);
    expect(html.happened).toContain("HTTP 404");
  });

  it("takes the first sentence only", () => {
    expect(firstSentence("AADSTS1: One. Two.")).toBe("One.");
    expect(firstSentence("No full stop")).toBe("No full stop");
    expect(firstSentence("")).toBeUndefined();
  });
});
