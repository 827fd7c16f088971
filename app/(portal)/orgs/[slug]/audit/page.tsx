import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { actionLabel } from "@/lib/audit/action-labels";
import { auditFilterChoices, auditNames, detailEntries, listAuditPage, parseAuditQuery, targetOf, type AuditQuery, type AuditTarget } from "@/lib/audit/audit-list";
import { Card, Notice } from "@/components/ui/card";

export const metadata: Metadata = { title: "Audit log" };

const inputClass = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm";

/** The filters as URL parameters (the page after this one adds `before`). */
function filterParams(q: AuditQuery, extra: Record<string, string> = {}) {
  const p = new URLSearchParams();
  if (q.action) p.set("action", q.action);
  if (q.actor) p.set("actor", q.actor);
  if (q.from) p.set("from", q.from);
  if (q.to) p.set("to", q.to);
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** Where a target's own page is, for the kinds that have one (and still exist). */
function targetHref(slug: string, t: AuditTarget): string | null {
  if (t.gone) return null;
  if (t.kind === "connection") return `/orgs/${slug}/mailboxes/${t.id}`;
  if (t.kind === "integration") return `/orgs/${slug}/integrations/${t.id}`;
  if (t.kind === "alert_channel") return `/orgs/${slug}/settings/channels/${t.id}`;
  if (t.kind === "api_key") return `/orgs/${slug}/api-keys`;
  return null;
}

export default async function AuditPage({ params, searchParams }: { params: Promise<{ slug: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  if (!ctx.can("audit.read")) return <Notice tone="error" title="Owners and admins only">Your role does not include the audit log. Ask an owner or admin of {ctx.org.name}.</Notice>;
  const q = parseAuditQuery(await searchParams);
  const prisma = await db();
  const [{ rows, next }, choices] = await Promise.all([listAuditPage(prisma, ctx.org.id, q), auditFilterChoices(prisma, ctx.org.id)]);
  const names = await auditNames(prisma, ctx.org.id, rows);
  const filtered = Boolean(q.action || q.actor || q.from || q.to);
  const base = `/orgs/${slug}/audit`;
  return (
    <Card title="Audit log" description="Who changed what, newest first, 50 to a page. Times are UTC.">
      <form method="get" action={base} className="grid gap-3 border-b border-slate-200 pb-4 sm:grid-cols-2 lg:grid-cols-5" aria-label="Filter the audit log">
        <label className="text-sm font-medium">
          Action
          <select name="action" defaultValue={q.action ?? ""} className={inputClass}>
            <option value="">Every action</option>
            {choices.actions.map((a) => <option key={a} value={a}>{actionLabel(a)}</option>)}
          </select>
        </label>
        <label className="text-sm font-medium">
          Who
          <select name="actor" defaultValue={q.actor ?? ""} className={inputClass}>
            <option value="">Anyone</option>
            <option value="system">Mailgrant (system)</option>
            {choices.actors.map((a) => <option key={a} value={a.toLowerCase()}>{a}</option>)}
          </select>
        </label>
        <label className="text-sm font-medium">
          From
          <input type="date" name="from" defaultValue={q.from ?? ""} className={inputClass} />
        </label>
        <label className="text-sm font-medium">
          To
          <input type="date" name="to" defaultValue={q.to ?? ""} className={inputClass} />
        </label>
        <div className="flex flex-wrap items-end gap-2">
          <button type="submit" className="rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white hover:bg-brand-700">Filter</button>
          {filtered ? <Link href={base} className="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50">Clear</Link> : null}
          <a href={`/api/orgs/${slug}/audit/export${filterParams(q)}`} className="rounded-md border border-slate-300 px-3 py-2 text-sm hover:bg-slate-50" download>Export CSV</a>
        </div>
      </form>
      {rows.length === 0 ? (
        <p className="py-6 text-sm text-slate-600">{filtered ? <>No event matches these filters. <Link href={base} className="text-brand-700 underline">Clear them</Link> to see every event.</> : "Nothing has happened in this organization yet."}</p>
      ) : (
        <table className="mt-2 w-full text-left text-sm" aria-label="Audit events">
          <thead className="text-xs uppercase text-slate-600 max-md:sr-only">
            <tr><th scope="col" className="py-2 pr-3">When</th><th scope="col" className="pr-3">Who</th><th scope="col" className="pr-3">What</th><th scope="col" className="pr-3">Details</th><th scope="col">From</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-200">
            {rows.map((e) => {
              const details = detailEntries(e.data, names);
              const target = targetOf(names, e);
              const href = target ? targetHref(slug, target) : null;
              return (
                <tr key={e.id} className="align-top max-md:block max-md:py-3">
                  <td className="py-2 pr-3 font-mono text-xs whitespace-nowrap max-md:block max-md:py-0">{e.createdAt.toISOString().slice(0, 19).replace("T", " ")}</td>
                  <td className="py-2 pr-3 wrap-anywhere max-md:block max-md:py-0">{e.actorEmail ?? "Mailgrant (system)"}</td>
                  <td className="py-2 pr-3 max-md:block max-md:py-0">
                    <span className="max-md:font-medium">{actionLabel(e.action)}</span>
                    {target && target.kind !== "org" && !(target.kind === "user" && target.id === e.actorId) ? (
                      <div className="text-xs text-slate-600 wrap-anywhere">{href ? <Link href={href} className="text-brand-700 underline">{target.name}</Link> : target.name}{target.gone ? " (deleted)" : ""}</div>
                    ) : null}
                  </td>
                  <td className="py-2 pr-3 text-xs max-md:block max-md:py-1">
                    {details.length ? (
                      <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
                        {details.map((d) => (
                          <div key={d.key} className="contents">
                            <dt className="text-slate-600">{d.key}:</dt>{" "}
                            <dd className="min-w-0 wrap-anywhere">{Array.isArray(d.value) ? (d.value.length ? <ul className="list-disc pl-4">{d.value.map((v, i) => <li key={i}>{v}</li>)}</ul> : "none") : d.value}</dd>
                          </div>
                        ))}
                      </dl>
                    ) : null}
                  </td>
                  <td className="py-2 text-xs text-slate-600 max-md:block max-md:py-0"><div>{e.ip ?? ""}</div><div className="max-w-48 truncate" title={e.userAgent ?? ""}>{e.userAgent ?? ""}</div></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <nav aria-label="Audit log pages" className="mt-4 flex gap-3 text-sm">
        {q.before ? <Link href={`${base}${filterParams(q)}`} className="text-brand-700 underline">Newest</Link> : null}
        {next ? <Link href={`${base}${filterParams(q, { before: next })}`} className="text-brand-700 underline">Older events</Link> : null}
      </nav>
    </Card>
  );
}
