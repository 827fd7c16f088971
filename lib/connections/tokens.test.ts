import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { claimsOf, waitPauseMs } from "./tokens";

describe("claimsOf", () => {
  it("reads the claims that matter from a JWT access token", async () => {
    const jwt = await new SignJWT({ scp: "Mail.Read User.Read", tid: "t-1", oid: "o-1", upn: "adele@contoso.com" })
      .setProtectedHeader({ alg: "HS256" }).setAudience("https://graph.microsoft.com").setIssuedAt(1000).setExpirationTime(4600)
      .sign(new Uint8Array(32));
    expect(claimsOf(jwt)).toEqual({ readable: true, aud: "https://graph.microsoft.com", scp: "Mail.Read User.Read", tid: "t-1", oid: "o-1", upn: "adele@contoso.com", iat: 1000, exp: 4600 });
  });

  it("says so for an opaque token instead of failing", () => {
    expect(claimsOf("EwBoA8l6BAAU-opaque-token")).toMatchObject({ readable: false, reason: expect.stringContaining("opaque") });
  });
});

describe("waitPauseMs", () => {
  it("doubles from 100 ms up to 2 s, each pause between half and all of its cap", () => {
    const caps = [0, 1, 2, 3, 4, 5, 6, 40].map((round) => waitPauseMs(round, () => 1));
    expect(caps).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    expect([0, 3, 40].map((round) => waitPauseMs(round, () => 0))).toEqual([50, 400, 1000]);
  });
});
