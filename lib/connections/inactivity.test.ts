import { describe, expect, it } from "vitest";
import { daysUntilInactive, inactivityDeadline } from "./inactivity";

describe("inactivity deadline", () => {
  it("is 90 days after the last use", () => {
    expect(inactivityDeadline(new Date("2026-01-01T10:00:00Z"))?.toISOString()).toBe("2026-04-01T10:00:00.000Z");
  });
  it("is unknown for a grant never used", () => {
    expect(inactivityDeadline(null)).toBeNull();
    expect(daysUntilInactive(undefined)).toBeNull();
  });
  it("counts whole days left, negative after the deadline", () => {
    const used = new Date("2026-01-01T00:00:00Z");
    expect(daysUntilInactive(used, new Date("2026-03-22T00:00:00Z"))).toBe(10);
    expect(daysUntilInactive(used, new Date("2026-04-03T00:00:00Z"))).toBe(-2);
  });
});
