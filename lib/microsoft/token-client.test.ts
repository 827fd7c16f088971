import { describe, expect, it } from "vitest";
import * as oauth from "oauth4webapi";
import { classifyTokenError, parseRetryAfter } from "./token-client";
import { classifyFailure } from "@/lib/connections/classify";
import { explainFailure, failureFromMicrosoftError } from "@/lib/connections/failure";

// What oauth4webapi raises for an answer that is not Microsoft's JSON: the Response as the cause.
async function raised(status: number, body: string, contentType: string, headers: Record<string, string> = {}) {
  const as = { issuer: "https://login.example/t/v2.0", token_endpoint: "https://login.example/t/oauth2/v2.0/token" };
  const response = new Response(body, { status, headers: { "content-type": contentType, ...headers } });
  try {
    await oauth.processRefreshTokenResponse(as, { client_id: "c" }, response);
  } catch (e) {
    return e;
  }
  throw new Error("expected a failure");
}

describe("token endpoint answers that are not Microsoft's JSON", () => {
  it("a 503 with an HTML page is Microsoft unavailable: transient, with the status, and no override hint", async () => {
    const e = classifyTokenError(await raised(503, "<html><body>Service Unavailable</body></html>", "text/html", { "retry-after": "30" }));
    expect(e).toMatchObject({ kind: "unavailable", httpStatus: 503, retryAfterSeconds: 30 });
    expect(classifyFailure(e)).toBe("transient");
    const d = explainFailure(failureFromMicrosoftError(e));
    expect(d.title).toBe("Microsoft's sign-in service is unavailable");
    expect(d.happened).toContain("HTTP 503");
    expect(d.classLabel).toBe("Temporary");
    expect(`${d.meaning} ${d.cause} ${d.fix}`).not.toMatch(/override|proxy or a page/);
  });

  it("a 502 with truncated JSON and a 429 are unavailable too", async () => {
    expect(classifyTokenError(await raised(502, '{"error":"serv', "application/json"))).toMatchObject({ kind: "unavailable", httpStatus: 502 });
    expect(classifyTokenError(await raised(429, "slow down", "text/plain"))).toMatchObject({ kind: "unavailable", httpStatus: 429 });
  });

  it("a 4xx HTML page keeps the override hint and shows the status", async () => {
    const e = classifyTokenError(await raised(404, "<html>Not found</html>", "text/html"));
    expect(e).toMatchObject({ kind: "bad_response", httpStatus: 404 });
    const d = explainFailure(failureFromMicrosoftError(e));
    expect(d.cause).toMatch(/endpoint override points at a proxy or a page/);
    expect(d.happened).toContain("HTTP 404");
  });
});

describe("Retry-After from the token endpoint", () => {
  const now = Date.parse("2026-03-02T10:00:00Z");

  it("reads delay-seconds and an HTTP-date (counted from now; a past date is 0)", () => {
    expect(parseRetryAfter("7", now)).toBe(7);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Mon, 02 Mar 2026 10:00:42 GMT", now)).toBe(42);
    // A date between whole seconds rounds up: waiting less than asked is what gets throttled again.
    expect(parseRetryAfter(new Date(now + 1_500).toUTCString(), now - 400)).toBe(2);
    expect(parseRetryAfter("Mon, 02 Mar 2026 09:59:00 GMT", now)).toBe(0);
  });

  it("ignores what is neither", () => {
    for (const v of [null, undefined, "", "soon", "-3", "1.5", "10s"]) expect(parseRetryAfter(v, now)).toBeUndefined();
  });

  it("a throttled 429 with Microsoft's JSON keeps the OAuth error and carries Retry-After into the stored failure", async () => {
    const body = JSON.stringify({ error: "temporarily_unavailable", error_description: "The request was throttled.", error_codes: [] });
    const e = classifyTokenError(await raised(429, body, "application/json", { "retry-after": "30" }));
    expect(e).toMatchObject({ kind: "oauth", error: "temporarily_unavailable", httpStatus: 429, retryAfterSeconds: 30 });
    expect(classifyFailure(e)).toBe("transient");
    expect(failureFromMicrosoftError(e)).toMatchObject({ code: "temporarily_unavailable", httpStatus: 429, retryAfterSeconds: 30, class: "transient" });
  });

  it("a 503 with an HTTP-date, and no Retry-After on a 400", async () => {
    const at = new Date(Date.now() + 120_000).toUTCString();
    const e = classifyTokenError(await raised(503, JSON.stringify({ error: "temporarily_unavailable" }), "application/json", { "retry-after": at }));
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(120);
    const refused = classifyTokenError(await raised(400, JSON.stringify({ error: "invalid_grant", error_codes: [50173] }), "application/json", { "retry-after": "5" }));
    expect(refused.retryAfterSeconds).toBeUndefined();
    expect(failureFromMicrosoftError(refused)).not.toHaveProperty("retryAfterSeconds");
  });
});
