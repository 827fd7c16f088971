import { describe, expect, it } from "vitest";
import * as oauth from "oauth4webapi";
import { classifyTokenError } from "./token-client";
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
