import { describe, expect, it } from "vitest";
import { backoffMs, classifyFailure } from "./classify";
import type { FailureClass } from "@/lib/diagnosis/catalog";
import type { MicrosoftError } from "@/lib/microsoft/token-client";
import { diagnoseAadsts, knownAadstsCodes } from "@/lib/diagnosis/catalog";

const oauth = (error: string, aadsts?: number, extra: Partial<MicrosoftError> = {}): MicrosoftError => ({ kind: "oauth", httpStatus: 400, error, ...(aadsts ? { aadsts } : {}), ...extra });

const cases: [string, MicrosoftError, FailureClass][] = [
  ["revoked grant (50173)", oauth("invalid_grant", 50173, { suberror: "bad_token" }), "needs_reconsent"],
  ["inactive 90 days (700082)", oauth("invalid_grant", 700082, { suberror: "bad_token" }), "needs_reconsent"],
  ["expired code or token (70008)", oauth("invalid_grant", 70008), "needs_reconsent"],
  ["sign-in frequency (70043)", oauth("invalid_grant", 70043, { suberror: "bad_token" }), "needs_reconsent"],
  ["consent missing (65001)", oauth("invalid_grant", 65001, { suberror: "consent_required" }), "needs_reconsent"],
  ["700003 device/user gone", oauth("invalid_grant", 700003), "needs_reconsent"],
  ["interaction_required without a number", oauth("interaction_required"), "needs_reconsent"],
  ["wrong secret (7000215)", oauth("invalid_client", 7000215, { httpStatus: 401 }), "misconfigured"],
  ["expired secret (7000222)", oauth("invalid_client", 7000222, { httpStatus: 401 }), "misconfigured"],
  ["app not found (700016)", oauth("unauthorized_client", 700016), "misconfigured"],
  ["tenant not found (90002)", oauth("invalid_request", 90002), "misconfigured"],
  ["single-tenant app via common (50194)", oauth("invalid_request", 50194), "misconfigured"],
  ["bad scope (70011)", oauth("invalid_scope", 70011), "misconfigured"],
  ["resource missing (500011)", oauth("invalid_resource", 500011), "misconfigured"],
  ["Conditional Access (53003)", oauth("invalid_grant", 53003, { suberror: "message_only" }), "blocked"],
  ["MFA (50076): basic_action, a sign-in satisfies it", oauth("invalid_grant", 50076, { suberror: "basic_action" }), "needs_reconsent"],
  ["MFA as interaction_required (50076)", oauth("interaction_required", 50076), "needs_reconsent"],
  ["basic_action whatever the number", oauth("interaction_required", 123456, { suberror: "basic_action" }), "needs_reconsent"],
  ["message_only: the sign-in page only explains", oauth("interaction_required", undefined, { suberror: "message_only" }), "blocked"],
  ["Conditional Access (53003) as interaction_required without suberror", oauth("interaction_required", 53003), "blocked"],
  ["login_required", oauth("login_required"), "needs_reconsent"],
  ["ux_not_allowed suberror", oauth("interaction_required", undefined, { suberror: "ux_not_allowed" }), "needs_reconsent"],
  ["disabled account (50057)", oauth("invalid_grant", 50057), "blocked"],
  ["locked account (50053)", oauth("invalid_grant", 50053), "blocked"],
  ["timeout", { kind: "timeout" }, "transient"],
  ["unreachable", { kind: "unreachable" }, "transient"],
  ["429", oauth("throttled", undefined, { httpStatus: 429 }), "transient"],
  ["503", oauth("server_error", undefined, { httpStatus: 503 }), "transient"],
  ["temporarily_unavailable", oauth("temporarily_unavailable"), "transient"],
  ["request loop (50196)", oauth("invalid_grant", 50196), "transient"],
  ["security policy (530032)", oauth("invalid_grant", 530032), "blocked"],
  ["security defaults (530035)", oauth("invalid_grant", 530035), "blocked"],
  ["admin consent required (90094) as invalid_grant", oauth("invalid_grant", 90094), "misconfigured"],
  ["admin consent required (90094) as consent_required", oauth("consent_required", 90094), "needs_reconsent"],
  ["user_password_expired suberror", oauth("invalid_grant", 50055, { suberror: "user_password_expired" }), "needs_reconsent"],
  ["additional_action suberror", oauth("invalid_grant", undefined, { suberror: "additional_action" }), "blocked"],
  ["unsupported_grant_type", oauth("unsupported_grant_type"), "misconfigured"],
  ["unknown number as invalid_grant", oauth("invalid_grant", 123456), "needs_reconsent"],
  ["unknown number as invalid_request", oauth("invalid_request", 123456), "misconfigured"],
  ["bad response", { kind: "bad_response" }, "transient"],
];

describe("classifyFailure", () => {
  it.each(cases)("%s → %s", (_name, error, expected) => {
    expect(classifyFailure(error)).toBe(expected);
  });

  it("a transient failure is never a reason to give up on the grant", () => {
    for (const [, e, c] of cases) if (e.kind !== "oauth" || (e.httpStatus ?? 0) >= 429) expect(c).toBe("transient");
  });
});

describe("classifyFailure reads codes, never text", () => {
  it.each(cases)("%s: the same class whatever error_description says", (_name, error, expected) => {
    const misleading = "AADSTS50173: The provided grant has expired due to it being revoked. Request is throttled. Timed out.";
    expect(classifyFailure({ ...error, description: misleading })).toBe(expected);
    expect(classifyFailure({ ...error, description: "" })).toBe(expected);
  });

  it("takes a number's class from its catalog entry, where the diagnosis text lives", () => {
    for (const n of knownAadstsCodes()) expect(classifyFailure(oauth("invalid_request", n))).toBe(diagnoseAadsts(n).class);
  });

  it("lets error and suberror decide before the number (Microsoft: branch on those)", () => {
    expect(classifyFailure(oauth("invalid_client", 50173))).toBe("misconfigured");
    expect(classifyFailure(oauth("invalid_grant", 70011, { suberror: "bad_token" }))).toBe("needs_reconsent");
    expect(classifyFailure(oauth("invalid_grant", 7000215, { suberror: "message_only" }))).toBe("blocked");
  });

  it("an ID token that fails validation is the app's configuration, not a network blip", () => {
    expect(classifyFailure({ kind: "invalid_id_token", description: "timed out" })).toBe("misconfigured");
  });
});

describe("backoffMs", () => {
  it("honours Retry-After (capped at a minute)", () => {
    expect(backoffMs(0, 3)).toBe(3000);
    expect(backoffMs(0, 600)).toBe(60_000);
  });
  it("grows exponentially with jitter between half and all of the cap", () => {
    expect(backoffMs(0, undefined, () => 0)).toBe(125);
    expect(backoffMs(0, undefined, () => 1)).toBe(250);
    expect(backoffMs(3, undefined, () => 1)).toBe(2000);
    expect(backoffMs(10, undefined, () => 1)).toBe(8000);
  });
});
