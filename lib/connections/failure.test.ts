import { describe, expect, it } from "vitest";
import { failureFromRedirect } from "./failure";

describe("errors on the way back from Microsoft", () => {
  it("reads the AADSTS code, trace and correlation ids from error_description", () => {
    const p = new URLSearchParams({ error: "access_denied", error_description: "AADSTS65004: User declined to consent to access the app.\r\nTrace ID: t-1\r\nCorrelation ID: c-2\r\nTimestamp: 2026-11-21 00:00:00Z" });
    expect(failureFromRedirect(p)).toEqual({ code: "AADSTS65004", error: "access_denied", step: "authorize", class: "needs_reconsent", description: "User declined to consent to access the app.", traceId: "t-1", correlationId: "c-2", timestamp: "2026-11-21 00:00:00Z" });
  });

  it("treats a numberless cancel as a declined consent, and keeps unknown errors raw", () => {
    expect(failureFromRedirect(new URLSearchParams({ error: "access_denied", error_subcode: "cancel" })).code).toBe("AADSTS65004");
    expect(failureFromRedirect(new URLSearchParams({ error: "temporarily_unavailable", error_description: "try later" }))).toMatchObject({ code: "temporarily_unavailable", description: "try later" });
  });
});
