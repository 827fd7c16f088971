import { describe, expect, it } from "vitest";
import { healthLabel, protocolChips, protocolsOf, relativeTime } from "./health-words";

describe("health in words", () => {
  it.each([
    ["FAILING", "blocked", "Failing · blocked"],
    ["FAILING", "needs_reconsent", "Failing · needs re-consent"],
    ["FAILING", "misconfigured", "Failing · misconfigured"],
    ["FAILING", null, "Failing"],
    ["DEGRADED", "transient", "Degraded"],
    ["AT_RISK", null, "At risk"],
    ["HEALTHY", null, "Healthy"],
    ["UNKNOWN", null, "Not checked yet"],
  ] as const)("%s / %s is “%s”", (health, cls, words) => {
    expect(healthLabel(health, cls)).toBe(words);
  });

  it("shows a chip for each protocol the integration uses, and only those", () => {
    expect(protocolsOf(["graph-send", "smtp", "imap"])).toEqual(["graph", "imap", "smtp"]);
    const at = new Date("2026-12-01T10:00:00Z");
    const chips = protocolChips({
      integration: { purposes: ["imap", "smtp", "pop"] },
      graphResult: "OK", graphCode: null, graphCheckedAt: at,
      imapResult: "OK", imapCode: null, imapCheckedAt: at,
      popResult: null, popCode: null, popCheckedAt: null,
      smtpResult: "FAILED", smtpCode: "smtp_auth_disabled", smtpCheckedAt: at,
    });
    expect(chips.map((c) => c.text)).toEqual(["IMAP ✓", "POP –", "SMTP ✗ smtp_auth_disabled"]);
    expect(chips[1]!.title).toBe("POP: not checked yet");
    expect(chips[2]!.title).toBe("SMTP: failed (smtp_auth_disabled), 2026-12-01 10:00:00 UTC");
  });

  it("says times relative to now", () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const ago = (ms: number) => new Date(now.getTime() - ms);
    expect(relativeTime(null, now)).toBe("never");
    expect(relativeTime(ago(10_000), now)).toBe("just now");
    expect(relativeTime(ago(4 * 60_000), now)).toBe("4 min ago");
    expect(relativeTime(ago(-12 * 60_000), now)).toBe("in 12 min");
    expect(relativeTime(ago(3 * 3_600_000), now)).toBe("3 h ago");
    expect(relativeTime(ago(86_400_000), now)).toBe("1 day ago");
    expect(relativeTime(ago(5 * 86_400_000), now)).toBe("5 days ago");
  });
});
