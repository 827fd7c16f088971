// The token API's reference page, read from its OpenAPI 3.1 document (lib/api/openapi.ts) rather
// than written by hand, so the page says what the routes do. Only the parts of JSON Schema that
// zod-openapi produces for these routes are read: objects, arrays, enums, consts, unions with
// null, $refs into components.schemas, and the bounds and defaults of strings and numbers.

type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  example?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
};
type Parameter = { in: string; name: string; required?: boolean; description?: string; schema?: Schema };
type Response = { description?: string; headers?: Record<string, { description?: string }>; content?: Record<string, { schema?: Schema }> };
type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, Response>;
};
export type OpenApiDocument = {
  info?: { title?: string; description?: string; version?: string };
  servers?: { url: string }[];
  security?: Record<string, string[]>[];
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema>; securitySchemes?: Record<string, { description?: string; scheme?: string; type?: string }> };
};

export type FieldDoc = { name: string; type: string; required: boolean; description: string | null; schemaRef: string | null };
export type SchemaDoc = { name: string; description: string | null; type: string; fields: FieldDoc[] };
export type ErrorDoc = { code: string; meaning: string };
export type ResponseDoc = { status: string; description: string; errors: ErrorDoc[]; schemaRef: string | null; headers: { name: string; description: string }[] };
export type OperationDoc = {
  id: string;
  method: string;
  path: string;
  summary: string;
  description: string | null;
  auth: "api_key" | "none";
  parameters: (FieldDoc & { in: string })[];
  body: { required: boolean; schemaRef: string | null; fields: FieldDoc[] } | null;
  responses: ResponseDoc[];
};
export type ApiReference = { title: string; version: string; description: string | null; baseUrl: string; auth: string | null; operations: OperationDoc[]; schemas: SchemaDoc[] };

const METHODS = ["get", "post", "put", "patch", "delete"];
const refName = (ref: string) => ref.replace(/^#\/components\/schemas\//, "");
const literal = (v: unknown) => (typeof v === "string" ? `"${v}"` : String(v));

/** A schema's type in words: "string (uuid)", "integer, 1–200, default 50", "Connection[]", "one of graph, outlook". */
export function typeWords(s: Schema | undefined): string {
  if (!s) return "any";
  if (s.$ref) return refName(s.$ref);
  const union = s.anyOf ?? s.oneOf;
  if (union) return [...new Set(union.map(typeWords))].join(" or ");
  if (s.const !== undefined) return literal(s.const);
  if (s.enum) return `one of ${s.enum.map(literal).join(", ")}`;
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length > 1) return types.map((t) => typeWords({ ...s, type: t })).join(" or ");
  const type = types[0] ?? "any";
  if (type === "array") return `${typeWords(s.items)}[]`;
  if (type === "null") return "null";
  const extra: string[] = [];
  // Formats that add nothing a reader needs (the pattern zod-openapi adds for a uuid) are left out.
  if (s.format) extra.push(s.format);
  const bounds = (lo?: number, hi?: number, unit = "") => {
    const safe = (n?: number) => (n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER ? n : undefined);
    const [a, b] = [safe(lo), safe(hi)];
    if (a !== undefined && b !== undefined) extra.push(`${a}–${b}${unit}`);
    else if (a !== undefined) extra.push(`at least ${a}${unit}`);
    else if (b !== undefined) extra.push(`at most ${b}${unit}`);
  };
  if (type === "string") bounds(s.minLength, s.maxLength, " characters");
  if (type === "integer" || type === "number") bounds(s.minimum, s.maximum);
  if (s.default !== undefined) extra.push(`default ${literal(s.default)}`);
  return extra.length ? `${type} (${extra.join(", ")})` : type;
}

/** The $ref a schema points at directly, or through an array or a union with null. */
function refOf(s: Schema | undefined): string | null {
  if (!s) return null;
  if (s.$ref) return refName(s.$ref);
  if (s.items) return refOf(s.items);
  for (const u of s.anyOf ?? s.oneOf ?? []) {
    const r = refOf(u);
    if (r) return r;
  }
  return null;
}

function fieldsOf(s: Schema | undefined, schemas: Record<string, Schema>): FieldDoc[] {
  const resolved = s?.$ref ? schemas[refName(s.$ref)] : s;
  if (!resolved?.properties) return [];
  const required = new Set(resolved.required ?? []);
  return Object.entries(resolved.properties).map(([name, p]) => ({
    name,
    type: typeWords(p),
    required: required.has(name),
    description: p.description ?? (p.$ref ? (schemas[refName(p.$ref)]?.description ?? null) : null),
    schemaRef: refOf(p),
  }));
}

/** Splits "`not_found`: No such connection. `rate_limited`: Too many calls." at the codes the Error schema lists. */
export function errorCodesIn(description: string, codes: readonly string[]): ErrorDoc[] {
  if (codes.length === 0) return [];
  const escaped = codes.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
  const marker = new RegExp("`(" + escaped + ")`: ", "g");
  const hits = [...description.matchAll(marker)];
  return hits.map((m, i) => ({ code: m[1]!, meaning: description.slice(m.index! + m[0].length, hits[i + 1]?.index ?? description.length).trim() }));
}

const jsonSchema = (c?: Record<string, { schema?: Schema }>) => c?.["application/json"]?.schema;

/** `document`: an OpenAPI 3.1 object as lib/api/openapi.ts makes it (read through the shape above). */
export function apiReference(document: object): ApiReference {
  const doc = document as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const errorCodes = (schemas.Error?.properties?.error?.properties?.code?.enum ?? []).map(String);
  const operations: OperationDoc[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const security = op.security ?? doc.security ?? [];
      const bodySchema = jsonSchema(op.requestBody?.content);
      operations.push({
        id: op.operationId ?? `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-"),
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? `${method.toUpperCase()} ${path}`,
        description: op.description ?? null,
        auth: security.length > 0 && security.some((s) => Object.keys(s).length > 0) ? "api_key" : "none",
        parameters: (op.parameters ?? []).map((p) => ({ in: p.in, name: p.name, type: typeWords(p.schema), required: p.required ?? false, description: p.description ?? p.schema?.description ?? null, schemaRef: refOf(p.schema) })),
        body: op.requestBody ? { required: op.requestBody.required ?? false, schemaRef: refOf(bodySchema), fields: fieldsOf(bodySchema, schemas) } : null,
        responses: Object.entries(op.responses ?? {})
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, r]) => {
            const description = r.description ?? "";
            const errors = errorCodesIn(description, errorCodes);
            return {
              status,
              description: errors.length ? "" : description,
              errors,
              schemaRef: refOf(jsonSchema(r.content)),
              headers: Object.entries(r.headers ?? {}).map(([name, h]) => ({ name, description: h.description ?? "" })),
            };
          }),
      });
    }
  }
  const scheme = Object.values(doc.components?.securitySchemes ?? {})[0];
  return {
    title: doc.info?.title ?? "API reference",
    version: doc.info?.version ?? "",
    description: doc.info?.description ?? null,
    baseUrl: doc.servers?.[0]?.url ?? "",
    auth: scheme?.description ?? null,
    operations,
    schemas: Object.entries(schemas).map(([name, s]) => ({ name, description: s.description ?? null, type: typeWords({ ...s, description: undefined }), fields: fieldsOf(s, schemas) })),
  };
}
