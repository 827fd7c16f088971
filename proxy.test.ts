import { describe, expect, it } from "vitest";
import { hasSessionCookie } from "./proxy";

describe("proxy session detection", () => {
  it("recognises whole and chunked Auth.js session cookies, on HTTP and HTTPS", () => {
    expect(hasSessionCookie(["authjs.session-token"])).toBe(true);
    expect(hasSessionCookie(["__Secure-authjs.session-token"])).toBe(true);
    expect(hasSessionCookie(["theme", "authjs.session-token.0", "authjs.session-token.1"])).toBe(true);
    expect(hasSessionCookie(["__Secure-authjs.session-token.0"])).toBe(true);
  });
  it("ignores other Auth.js cookies and look-alikes", () => {
    expect(hasSessionCookie([])).toBe(false);
    expect(hasSessionCookie(["authjs.csrf-token", "authjs.callback-url", "authjs.pkce.code_verifier"])).toBe(false);
    expect(hasSessionCookie(["xauthjs.session-token", "authjs.session-token-old"])).toBe(false);
  });
});
