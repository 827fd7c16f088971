import { describe, expect, it } from "vitest";
import { apiDocument } from "@/lib/api/openapi";
import { apiReference, errorCodesIn, typeWords } from "./api-reference";

// The reference page reads the real document: these tests break when the document changes shape
// in a way the page would no longer show.

const ref = apiReference(apiDocument("https://portal.example.com"));
const op = (id: string) => ref.operations.find((o) => o.id === id)!;

describe("the API reference read from the OpenAPI document", () => {
  it("lists every operation with its method, path, summary and whether it needs a key", () => {
    expect(ref.baseUrl).toBe("https://portal.example.com/api/v1");
    expect(ref.operations.map((o) => `${o.method} ${o.path}`)).toEqual(expect.arrayContaining(["GET /connections", "GET /connections/{id}", "POST /connections/{id}/token", "POST /connections/{id}/check", "GET /ping"]));
    expect(op("getAccessToken").summary).toMatch(/access token/);
    expect(op("getAccessToken").auth).toBe("api_key");
    expect(op("ping").auth).toBe("none");
  });

  it("gives parameters and the request body's fields with types in words", () => {
    expect(op("listConnections").parameters.find((p) => p.name === "limit")).toMatchObject({ in: "query", type: "integer (1–200, default 50)", required: false });
    expect(op("getConnection").parameters.find((p) => p.name === "id")).toMatchObject({ in: "path", type: "string (uuid)", required: true });
    const body = op("getAccessToken").body!;
    expect(body.schemaRef).toBe("TokenRequest");
    expect(body.fields.find((f) => f.name === "resource")).toMatchObject({ type: "Resource", required: true, schemaRef: "Resource" });
    expect(body.fields.find((f) => f.name === "format")).toMatchObject({ type: '"xoauth2"', required: false });
  });

  it("splits error responses into their codes with what each means", () => {
    const responses = op("getAccessToken").responses;
    expect(responses.find((r) => r.status === "200")).toMatchObject({ schemaRef: "AccessToken", errors: [] });
    const conflict = responses.find((r) => r.status === "409")!;
    expect(conflict.errors.map((e) => e.code)).toEqual(expect.arrayContaining(["needs_reconsent", "connection_failing"]));
    expect(conflict.errors.every((e) => e.meaning.length > 10 && !e.meaning.includes("`needs_reconsent`"))).toBe(true);
    expect(responses.find((r) => r.status === "401")!.errors).toEqual([expect.objectContaining({ code: "invalid_key" })]);
    expect(responses.find((r) => r.status === "429")!.headers.map((h) => h.name)).toContain("Retry-After");
  });

  it("describes the component schemas field by field", () => {
    const connection = ref.schemas.find((s) => s.name === "Connection")!;
    expect(connection.fields.find((f) => f.name === "kind")).toMatchObject({ type: 'one of "user", "shared"', required: true });
    expect(connection.fields.find((f) => f.name === "last_check_at")!.type).toBe("string (date-time) or null");
    expect(ref.schemas.find((s) => s.name === "ConnectionList")!.fields.find((f) => f.name === "data")).toMatchObject({ type: "Connection[]", schemaRef: "Connection" });
  });

  it("reads types and error codes it is given", () => {
    expect(typeWords({ type: ["string", "null"] })).toBe("string or null");
    expect(typeWords({ type: "integer", minimum: -9007199254740991, maximum: 9007199254740991 })).toBe("integer");
    expect(errorCodesIn("`a_b`: One. `c`: Two, with `code` inside.", ["a_b", "c"])).toEqual([{ code: "a_b", meaning: "One." }, { code: "c", meaning: "Two, with `code` inside." }]);
  });
});
