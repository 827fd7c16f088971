import { describe, expect, it } from "vitest";
import { RecentReads } from "./recent-reads";

// The bridge's few-seconds memory of sign-in reads: one read per key while it lasts, shared by
// concurrent sign-ins; refusals and failures are not remembered; a revocation or a refused token
// drops the entries named by it.

function counter<V>(values: V[]) {
  let calls = 0;
  return { read: () => Promise.resolve(values[Math.min(calls++, values.length - 1)]!), calls: () => calls };
}

describe("RecentReads", () => {
  it("reads a key once while the entry lives, concurrent misses included, and again after", async () => {
    let now = 1_000;
    const r = new RecentReads<string>(3_000, () => true, 100, () => now);
    const c = counter(["first", "second"]);
    expect(await Promise.all([r.get("u", c.read), r.get("u", c.read), r.get("u", c.read)])).toEqual(["first", "first", "first"]);
    now += 2_999;
    expect(await r.get("u", c.read)).toBe("first");
    expect(c.calls()).toBe(1);
    now += 1;
    expect(await r.get("u", c.read)).toBe("second");
    expect(c.calls()).toBe(2);
  });

  it("does not remember what keep refuses, nor a failed read", async () => {
    const r = new RecentReads<string | null>(3_000, (v) => v !== null);
    const c = counter<string | null>([null, "found"]);
    expect(await r.get("u", c.read)).toBeNull();
    expect(await r.get("u", c.read)).toBe("found");
    let fail = true;
    const flaky = () => (fail ? Promise.reject(new Error("database down")) : Promise.resolve("ok"));
    await expect(r.get("f", flaky)).rejects.toThrow("database down");
    fail = false;
    expect(await r.get("f", flaky)).toBe("ok");
  });

  it("forget drops the entries tagged with a revoked credential or a connection", async () => {
    const r = new RecentReads<{ id: string; connectionId: string }>(60_000, () => true);
    const tags = (v: { id: string; connectionId: string }) => [v.id, v.connectionId];
    const a = counter([{ id: "cred-a", connectionId: "conn-1" }]);
    const b = counter([{ id: "cred-b", connectionId: "conn-2" }]);
    await r.get("a", a.read, tags);
    await r.get("b", b.read, tags);
    r.forget(["cred-a"]);
    await r.get("a", a.read, tags);
    await r.get("b", b.read, tags);
    expect([a.calls(), b.calls()]).toEqual([2, 1]);
    r.forget(new Set(["conn-2"]));
    await r.get("b", b.read, tags);
    expect(b.calls()).toBe(2);
  });

  it("a time to live of 0 remembers nothing", async () => {
    const r = new RecentReads<string>(0, () => true);
    const c = counter(["x"]);
    await r.get("u", c.read);
    await r.get("u", c.read);
    expect(c.calls()).toBe(2);
  });
});
