import { describe, expect, it } from "vitest";
import { dailyCutoff } from "./retention";

describe("daily retention cutoff", () => {
  it("is the same UTC day `months` months back, clamped to that month's last day", () => {
    expect(dailyCutoff(new Date("2026-03-15T12:00:00Z"), 13).toISOString().slice(0, 10)).toBe("2025-02-15");
    expect(dailyCutoff(new Date("2026-03-31T05:00:00Z"), 1).toISOString().slice(0, 10)).toBe("2026-02-28");
    expect(dailyCutoff(new Date("2026-01-15T23:59:00Z"), 13).toISOString().slice(0, 10)).toBe("2024-12-15");
  });
});
