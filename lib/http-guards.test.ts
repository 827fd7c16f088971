import { describe, expect, it } from "vitest";
import { refusalPage, refuseRequest } from "./http-guards";

describe("requests refused before the framework", () => {
  it("a broken %-encoding in the path is a 400, not a 500", () => {
    expect(refuseRequest({ method: "GET", url: "/orgs/%E0%A4%A", headers: {} })).toMatchObject({ status: 400, title: "This address is not valid" });
    expect(refuseRequest({ method: "GET", url: "/orgs/caf%C3%A9?q=%E0%A4%A", headers: {} })).toBeNull();
  });

  it("a server action form over 1 MB is a 413 that says the limit and that nothing changed", () => {
    const r = refuseRequest({ method: "POST", url: "/orgs/x/members", headers: { "next-action": "abc", "content-length": String(2 * 1024 * 1024) } });
    expect(r?.status).toBe(413);
    expect(r?.message).toContain("at most 1 MB. Nothing was changed.");
    expect(refuseRequest({ method: "POST", url: "/orgs/x", headers: { "next-action": "abc", "content-length": "5000" } })).toBeNull();
  });

  it("the page escapes what it shows", () => {
    expect(refusalPage({ status: 400, title: "<b>", message: "x" })).toContain("&#60;b&#62;");
  });
});
