import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { MAX_ATTEMPTS, retryDelayMs } from "./deliver";

const MIN = 60_000;

describe("retryDelayMs", () => {
  it("spreads six attempts over about a day, growing each time", () => {
    const waits = [1, 2, 3, 4, 5].map((n) => retryDelayMs(n, () => 0.5)!);
    expect(waits).toEqual([1 * MIN, 10 * MIN, 60 * MIN, 360 * MIN, 960 * MIN]);
    expect(waits.reduce((a, b) => a + b, 0) / 3_600_000).toBeCloseTo(23.2, 1);
    expect(retryDelayMs(MAX_ATTEMPTS, () => 0.5)).toBeNull();
    expect(retryDelayMs(0, () => 0.5)).toBeNull();
  });

  it("jitters by at most 20 % either way", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_ATTEMPTS - 1 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        const base = retryDelayMs(n, () => 0.5)!;
        const d = retryDelayMs(n, () => r)!;
        return d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2);
      }),
    );
  });
});
