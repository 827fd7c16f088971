import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// Every way into the app's server code goes through a wrapper that authorizes and validates:
// server actions through orgAction/userAction/publicAction (lib/auth/org-action.ts), org routes
// through withOrgRoute (lib/auth/org-route.ts). Read from the source, so a new file is covered
// the day it is added. Pages, actions and routes call domain functions and never query Prisma.

const root = path.resolve(import.meta.dirname, "..", "..");

function files(dir: string, keep: (f: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...files(full, keep));
    else if (keep(full)) out.push(full);
  }
  return out;
}

const rel = (f: string) => path.relative(root, f);
const source = (f: string) => readFileSync(f, "utf8");
const app = files(path.join(root, "app"), (f) => /\.tsx?$/.test(f));
const serverActionFiles = app.filter((f) => /^["']use server["']/.test(source(f).trimStart()));
const orgRoutes = app.filter((f) => f.includes(`${path.sep}api${path.sep}orgs${path.sep}`) && f.endsWith("route.ts"));
// The token API's routes authenticate with an API key; ping and the OpenAPI document are public and hold no data.
const PUBLIC_API = new Set(["app/api/v1/ping/route.ts", "app/api/v1/openapi.json/route.ts"]);
const apiRoutes = app.filter((f) => f.includes(`${path.sep}api${path.sep}v1${path.sep}`) && f.endsWith("route.ts"));

describe("every entry point goes through a wrapper", () => {
  it("finds the action files and org routes (the scan itself works)", () => {
    expect(serverActionFiles.map(rel)).toContain("app/(portal)/orgs/[slug]/mailboxes/actions.ts");
    expect(orgRoutes.map(rel)).toContain("app/api/orgs/[slug]/connections/[id]/test/route.ts");
    expect(apiRoutes.map(rel)).toContain("app/api/v1/connections/[id]/token/route.ts");
  });

  it.each(apiRoutes.map(rel).filter((f) => !PUBLIC_API.has(f)))("%s exports only handlers behind an API key", (file) => {
    const text = source(path.join(root, file));
    expect(text).not.toMatch(/export\s+(async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)/);
    const handlers = [...text.matchAll(/export\s+const\s+(GET|POST|PUT|PATCH|DELETE)\s*=\s*(\w+)\(/g)];
    expect(handlers.length).toBeGreaterThan(0);
    for (const [, method, wrapper] of handlers) expect([method, wrapper]).toEqual([method, expect.stringMatching(/^(withApiKey|apiMethodNotAllowed)$/)]);
  });

  it.each(serverActionFiles.map(rel))("%s exports only wrapped actions", (file) => {
    const text = source(path.join(root, file));
    expect(text, "no plain exported functions in a 'use server' file").not.toMatch(/export\s+(async\s+)?function/);
    const exported = [...text.matchAll(/export\s+const\s+(\w+)\s*=\s*(\w+)\(/g)];
    expect(exported.length).toBeGreaterThan(0);
    for (const [, name, wrapper] of exported) expect([name, wrapper]).toEqual([name, expect.stringMatching(/^(orgAction|userAction|publicAction)$/)]);
    const allExports = [...text.matchAll(/export\s+(?:const|let|var|async|function|class|\{)\s*(\w*)/g)].length;
    expect(allExports, "every export is one of the wrapped consts").toBe(exported.length);
  });

  it.each(orgRoutes.map(rel))("%s exports only wrapped handlers", (file) => {
    const text = source(path.join(root, file));
    expect(text).not.toMatch(/export\s+(async\s+)?function\s+(GET|POST|PUT|PATCH|DELETE)/);
    const handlers = [...text.matchAll(/export\s+const\s+(GET|POST|PUT|PATCH|DELETE)\s*=\s*(\w+)\(/g)];
    expect(handlers.length).toBeGreaterThan(0);
    for (const [, method, wrapper] of handlers) expect([method, wrapper]).toEqual([method, expect.stringMatching(/^(withOrgRoute|methodNotAllowed)$/)]);
  });
});

describe("pages, actions, routes and components query no database themselves", () => {
  const ui = [...app, ...files(path.join(root, "components"), (f) => /\.tsx?$/.test(f))];
  const QUERY = /\.(findMany|findFirst|findFirstOrThrow|findUnique|findUniqueOrThrow|count|create|createMany|update|updateMany|upsert|delete|deleteMany|aggregate|groupBy)\(\s*\{/;
  it.each(ui.map(rel))("%s", (file) => {
    const text = source(path.join(root, file));
    expect(text).not.toMatch(/from\s+["']@\/generated\/prisma/);
    expect(text).not.toMatch(/\$queryRaw|\$executeRaw|\$transaction/);
    expect(text).not.toMatch(QUERY);
  });

  it("components never import from app/ (actions come in as props)", () => {
    const offenders = files(path.join(root, "components"), (f) => /\.tsx?$/.test(f)).filter((f) => /from\s+["']@\/app\//.test(source(f)));
    expect(offenders.map(rel)).toEqual([]);
  });
});
