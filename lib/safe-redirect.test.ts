import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { safeReturnPath } from "./safe-redirect";

const PORTAL = "http://localhost:3000";
/** What a browser does with the Location: resolve it against the portal's page. */
const landsOn = (location: string) => new URL(location, `${PORTAL}/signin`);
const HEADER_SAFE = /^[\x21-\x7e]*$/;

describe("safeReturnPath", () => {
  it("keeps ordinary portal paths with their query", () => {
    expect(safeReturnPath("/orgs/contoso/mailboxes?integration=1")).toBe("/orgs/contoso/mailboxes?integration=1");
    expect(safeReturnPath(["/support", "/evil"])).toBe("/support");
  });

  it.each([
    ["/\t/127.0.0.1:3999/phish"],
    ["/\n/127.0.0.1:3999/phish"],
    ["/\r/127.0.0.1:3999/phish"],
    ["//evil.example/x"],
    ["/\\evil.example"],
    ["\\\\evil.example"],
    ["https://evil.example/"],
    ["javascript:alert(1)"],
    ["/%09/127.0.0.1:3999/phish"],
    [""],
  ])("refuses %j", (candidate) => {
    const result = safeReturnPath(candidate);
    expect(landsOn(result).origin).toBe(PORTAL);
  });

  it("the tab trick from the security review goes to the fallback", () => {
    expect(safeReturnPath("/\t/127.0.0.1:3999/phish")).toBe("/orgs");
  });

  it("percent-encodes characters that are not allowed in a header (U+3000, control characters)", () => {
    expect(safeReturnPath("/orgs/\u3000x")).toBe("/orgs/%E3%80%80x");
    expect(HEADER_SAFE.test(safeReturnPath("/a\u0000b\u007f"))).toBe(true);
  });

  it("for any string, the result is a same-origin path that is safe in a Location header", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom("/", "//", "/\\", "/\t/", "\\/").chain((p) => fc.string().map((s) => p + s))), (candidate) => {
        const result = safeReturnPath(candidate);
        expect(result.startsWith("/")).toBe(true);
        expect(HEADER_SAFE.test(result)).toBe(true);
        expect(landsOn(result).origin).toBe(PORTAL);
      }),
      { numRuns: 2000 },
    );
  });
});
