import { describe, expect, it } from "vitest";
import type { TestStep } from "./connection-test";
import { explainStep, stepProgress, stepSupportRows } from "./step-view";

const base: TestStep = { id: "graph-me", label: "Graph", status: "running", startedAt: "2026-01-01T00:00:00.000Z" };
const t0 = Date.parse(base.startedAt!);

describe("test steps as the panel shows them", () => {
  it("says Microsoft throttles and when it retries while the step waits, and elapsed time on a slow step", () => {
    expect(stepProgress({ ...base, waiting: { reason: "throttled", seconds: 5, attempt: 1, maxRetries: 3, httpStatus: 429 } }, t0 + 2000)).toBe("Throttled by Microsoft (HTTP 429), retrying in 5 s (retry 1 of 3; running for 2 s).");
    expect(stepProgress(base, t0 + 1000)).toBeUndefined();
    expect(stepProgress(base, t0 + 12_400)).toBe("Running for 12 s…");
    expect(stepProgress({ ...base, status: "ok" }, t0 + 12_400)).toBeUndefined();
  });

  it("a failed Graph step is explained even for a code the catalog lacks, with its class in words and Graph's ids", () => {
    const step: TestStep = { ...base, status: "failed", code: "graph:ServiceUnavailable", class: "transient", httpStatus: 503, message: "Try later.", reply: "503 ServiceUnavailable: Try later.", at: { protocol: "graph", host: "graph.microsoft.com", port: 443 }, ids: { requestId: "r-1", clientRequestId: "c-1", date: "Thu, 01 Jan 2026 00:00:00 GMT" } };
    expect(explainStep(step)).toMatchObject({ title: "Microsoft Graph is unavailable (HTTP 503 Service Unavailable)", classLabel: "Temporary" });
    expect(Object.fromEntries(stepSupportRows(step))).toMatchObject({ "Error code": "graph:ServiceUnavailable", "HTTP status": "503", "Server reply": "503 ServiceUnavailable: Try later.", "request-id": "r-1", "client-request-id": "c-1", Timestamp: "Thu, 01 Jan 2026 00:00:00 GMT", Server: "GRAPH graph.microsoft.com:443" });
  });

  it("a failed refresh step shows the AADSTS code, trace and correlation ids and timestamp; a mail step its full reply", () => {
    const refresh: TestStep = { id: "refresh-graph", label: "r", status: "failed", code: "AADSTS50173", class: "needs_reconsent", error: "invalid_grant", ids: { traceId: "t", correlationId: "c", timestamp: "2026-01-01 00:00:00Z" } };
    expect(Object.fromEntries(stepSupportRows(refresh))).toMatchObject({ "Error code": "AADSTS50173", "OAuth error": "invalid_grant", "Trace ID": "t", "Correlation ID": "c", Timestamp: "2026-01-01 00:00:00Z" });
    expect(explainStep(refresh)?.classLabel).toBe("Needs re-consent");
    const smtp: TestStep = { id: "smtp", label: "s", status: "failed", code: "smtp_auth_disabled", class: "misconfigured", reply: "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant." };
    expect(stepSupportRows(smtp)).toContainEqual(["Server reply", smtp.reply]);
    expect(explainStep(smtp)?.classLabel).toBe("Misconfigured");
  });
});
