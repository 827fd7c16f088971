import { describe, expect, it } from "vitest";
import type { TestStep } from "@/lib/connections/connection-test";
import { backoffSignal } from "./backoff";

const step = (over: Partial<TestStep>): TestStep => ({ id: "graph-me", label: "", status: "failed", class: "transient", ...over });

describe("backoffSignal", () => {
  it("reads throttling from Graph's 429, the token endpoint's 429/503 and AADSTS50196, with the longest Retry-After", () => {
    expect(backoffSignal([step({ code: "graph_throttled", httpStatus: 429, retryAfterSeconds: 7 })], "DEGRADED")).toEqual({ kind: "throttled", code: "graph_throttled", retryAfterSeconds: 7 });
    expect(backoffSignal([step({ id: "refresh-graph", code: "unavailable", httpStatus: 503, retryAfterSeconds: 30 })], "DEGRADED")).toMatchObject({ kind: "throttled", retryAfterSeconds: 30 });
    expect(backoffSignal([step({ id: "refresh-graph", code: "AADSTS50196" })], "DEGRADED")).toMatchObject({ kind: "throttled", code: "AADSTS50196" });
  });

  it("other transient failures are transient; a passed or failed check says nothing about the tenant", () => {
    expect(backoffSignal([step({ id: "imap", code: "server_timeout" })], "DEGRADED")).toEqual({ kind: "transient", code: "server_timeout" });
    expect(backoffSignal([step({ status: "ok" })], "PASSED")).toBeNull();
    expect(backoffSignal([step({ code: "graph:ErrorAccessDenied", class: "misconfigured", httpStatus: 403 })], "FAILED")).toBeNull();
  });
});
