import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Validator } from "@seriousme/openapi-schema-validator";
import { apiDocument } from "./openapi";
import { API_ERRORS } from "./errors";

// The OpenAPI document is valid OpenAPI 3.1 and describes exactly the routes under app/api/v1:
// every path and method a route file exports (besides the 405 answers and the document itself).

const root = path.resolve(import.meta.dirname, "..", "..");
const v1 = path.join(root, "app", "api", "v1");

function routeFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? routeFiles(full) : name === "route.ts" ? [full] : [];
  });
}

function routesInCode(): string[] {
  const out: string[] = [];
  for (const file of routeFiles(v1)) {
    const route = "/" + path.relative(v1, path.dirname(file)).split(path.sep).map((seg) => seg.replace(/^\[(\w+)\]$/, "{$1}")).join("/");
    if (route === "/openapi.json") continue;
    for (const [, method, wrapper] of readFileSync(file, "utf8").matchAll(/export const (GET|POST|PUT|PATCH|DELETE) = (\w+)/g)) {
      if (wrapper !== "apiMethodNotAllowed") out.push(`${method!.toLowerCase()} ${route}`);
    }
  }
  return out.sort();
}

describe("the token API's OpenAPI document", () => {
  const doc = apiDocument("https://portal.example.com");

  it("is valid OpenAPI 3.1", async () => {
    const result = await new Validator().validate(doc as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "https://portal.example.com/api/v1" }]);
  });

  it("lists exactly the routes app/api/v1 serves", () => {
    const inDoc = Object.entries(doc.paths ?? {}).flatMap(([p, ops]) => Object.keys(ops as object).map((m) => `${m} ${p}`)).sort();
    expect(inDoc).toEqual(routesInCode());
    expect(inDoc).toContain("post /connections/{id}/token");
  });

  it("describes the token request and answer from the zod schemas, and every error code", () => {
    const schemas = doc.components?.schemas as Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    expect(schemas.TokenRequest?.required).toEqual(["resource"]);
    expect(Object.keys(schemas.AccessToken?.properties ?? {})).toEqual(expect.arrayContaining(["access_token", "expires_at", "scope", "mailbox", "xoauth2"]));
    expect(JSON.stringify(schemas.Error)).toContain("needs_reconsent");
    const described = JSON.stringify(doc.paths);
    for (const code of Object.keys(API_ERRORS).filter((c) => c !== "method_not_allowed" && c !== "invalid_request")) expect(described, code).toContain(`\`${code}\``);
  });
});
