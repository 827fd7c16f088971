import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { publicUrl } from "@/lib/deployment";
import { apiDocument } from "@/lib/api/openapi";
import { apiReference, type FieldDoc, type OperationDoc, type ResponseDoc, type SchemaDoc } from "@/lib/api-keys/api-reference";
import { Badge, Card, Notice } from "@/components/ui/card";

export const metadata: Metadata = { title: "API reference" };

// Every word about the calls comes from the OpenAPI document the routes are described by; this
// page only lays it out.

/** Text with `inline code`, as the document writes it. */
function Prose({ text, className }: { text: string; className?: string }) {
  const parts = text.split("`");
  return <p className={className}>{parts.map((p, i) => (i % 2 === 1 ? <code key={i} className="rounded bg-slate-100 px-1 font-mono text-xs">{p}</code> : p))}</p>;
}

const schemaAnchor = (name: string) => `schema-${name}`;

function TypeOf({ field }: { field: Pick<FieldDoc, "type" | "schemaRef"> }) {
  if (field.schemaRef) {
    const [before, after] = field.type.split(field.schemaRef);
    return <span className="font-mono text-xs text-slate-700">{before}<a href={`#${schemaAnchor(field.schemaRef)}`} className="text-brand-700 underline">{field.schemaRef}</a>{after}</span>;
  }
  return <span className="font-mono text-xs text-slate-700 wrap-anywhere">{field.type}</span>;
}

function Fields({ fields, label }: { fields: (FieldDoc & { in?: string })[]; label: string }) {
  return (
    <ul aria-label={label} className="divide-y divide-slate-100 rounded-md border border-slate-200">
      {fields.map((f) => (
        <li key={`${f.in ?? ""}${f.name}`} className="px-3 py-2 text-sm">
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
            <code className="font-mono text-sm font-semibold wrap-anywhere">{f.name}</code>
            <TypeOf field={f} />
            {f.in ? <span className="text-xs text-slate-600">in {f.in}</span> : null}
            {f.required ? <span className="text-xs font-medium text-red-800">required</span> : <span className="text-xs text-slate-600">optional</span>}
          </div>
          {f.description ? <Prose text={f.description} className="mt-1 text-xs text-slate-700" /> : null}
        </li>
      ))}
    </ul>
  );
}

function Responses({ responses }: { responses: ResponseDoc[] }) {
  return (
    <ul aria-label="Responses" className="divide-y divide-slate-100 rounded-md border border-slate-200">
      {responses.map((r) => (
        <li key={r.status} className="px-3 py-2 text-sm">
          <div className="flex flex-wrap items-baseline gap-2">
            <Badge tone={r.status.startsWith("2") ? "green" : r.status.startsWith("5") ? "red" : "amber"}>{r.status}</Badge>
            {r.schemaRef ? <span className="text-xs text-slate-700">JSON: <a href={`#${schemaAnchor(r.schemaRef)}`} className="font-mono text-brand-700 underline">{r.schemaRef}</a></span> : null}
            {r.headers.length ? <span className="text-xs text-slate-600">Headers: {r.headers.map((h) => h.name).join(", ")}</span> : null}
          </div>
          {r.description ? <Prose text={r.description} className="mt-1 text-xs text-slate-700" /> : null}
          {r.errors.length ? (
            <dl className="mt-1 space-y-1 text-xs">
              {r.errors.map((e) => (
                <div key={e.code}>
                  <dt className="mr-1 inline font-mono font-semibold">{e.code}:</dt><dd className="inline text-slate-700"><Prose text={e.meaning} className="inline" /></dd>
                </div>
              ))}
            </dl>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

function OperationSection({ op }: { op: OperationDoc }) {
  const headingId = `op-${op.id}`;
  return (
    <section aria-labelledby={headingId} id={op.id} className="scroll-mt-4 space-y-3 rounded-lg border border-slate-200 bg-white px-5 py-4 shadow-sm">
      <div>
        <h3 id={headingId} className="flex flex-wrap items-baseline gap-2 text-base font-semibold">
          <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-bold ${op.method === "GET" ? "bg-brand-100 text-brand-800" : "bg-green-100 text-green-900"}`}>{op.method}</span>
          <code className="font-mono text-sm wrap-anywhere">{op.path}</code>
        </h3>
        <p className="mt-1 font-medium text-slate-900">{op.summary}</p>
        {op.description ? <Prose text={op.description} className="mt-1 text-sm text-slate-700" /> : null}
        <p className="mt-2 text-xs text-slate-600">{op.auth === "api_key" ? <>Needs an API key: <code className="font-mono">Authorization: Bearer mgk_…</code></> : "Needs no key."}</p>
      </div>
      {op.parameters.length ? (
        <div className="space-y-1">
          <h4 className="text-sm font-semibold">Parameters</h4>
          <Fields fields={op.parameters} label={`Parameters of ${op.method} ${op.path}`} />
        </div>
      ) : null}
      {op.body ? (
        <div className="space-y-1">
          <h4 className="text-sm font-semibold">Request body{op.body.schemaRef ? <> (JSON, <a href={`#${schemaAnchor(op.body.schemaRef)}`} className="font-mono text-brand-700 underline">{op.body.schemaRef}</a>)</> : " (JSON)"}{op.body.required ? "" : ", optional"}</h4>
          <Fields fields={op.body.fields} label={`Request body of ${op.method} ${op.path}`} />
        </div>
      ) : null}
      <div className="space-y-1">
        <h4 className="text-sm font-semibold">Responses</h4>
        <Responses responses={op.responses} />
      </div>
    </section>
  );
}

function SchemaSection({ schema }: { schema: SchemaDoc }) {
  return (
    <section id={schemaAnchor(schema.name)} aria-label={`Schema ${schema.name}`} className="scroll-mt-4 space-y-2 border-t border-slate-200 pt-3 first:border-t-0 first:pt-0">
      <h3 className="font-mono text-sm font-semibold">{schema.name}</h3>
      {schema.description ? <Prose text={schema.description} className="text-xs text-slate-700" /> : null}
      {schema.fields.length ? <Fields fields={schema.fields} label={`Fields of ${schema.name}`} /> : <p className="font-mono text-xs text-slate-700 wrap-anywhere">{schema.type}</p>}
    </section>
  );
}

export default async function ApiReferencePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  if (!ctx.can("api_keys.manage")) return <Notice tone="error" title="Owners and admins only">Your role does not include API keys. Ask an owner or admin of {ctx.org.name}.</Notice>;
  const ref = apiReference(apiDocument(publicUrl()));
  return (
    <div className="space-y-6">
      <div className="max-w-3xl space-y-2 text-sm text-slate-700">
        <p><Link href={`/orgs/${slug}/api-keys`} className="text-brand-700 underline">← API keys</Link></p>
        <h2 className="text-xl font-semibold text-slate-900">API reference</h2>
        <p className="text-xs text-slate-600">{ref.title} {ref.version} · base URL <code className="font-mono wrap-anywhere">{ref.baseUrl}</code> · <a href="/api/v1/openapi.json" className="text-brand-700 underline">OpenAPI document (JSON)</a></p>
        {ref.description ? <Prose text={ref.description} /> : null}
        {ref.auth ? <Prose text={`Authentication: ${ref.auth}`} /> : null}
      </div>
      <nav aria-label="Operations" className="text-sm">
        <ul className="space-y-1">
          {ref.operations.map((op) => (
            <li key={op.id}>
              <a href={`#${op.id}`} className="text-brand-700 underline"><span className="font-mono text-xs">{op.method} {op.path}</span></a> <span className="text-slate-700">— {op.summary}</span>
            </li>
          ))}
        </ul>
      </nav>
      <div className="space-y-4">
        {ref.operations.map((op) => <OperationSection key={op.id} op={op} />)}
      </div>
      <Card title="Schemas" description="The JSON bodies the operations send and answer with.">
        <div className="space-y-4">
          {ref.schemas.map((s) => <SchemaSection key={s.name} schema={s} />)}
        </div>
      </Card>
    </div>
  );
}
