import type { Metadata } from "next";
import Link from "next/link";
import { requireOrg } from "@/lib/auth/guards";
import { db } from "@/lib/db";
import { publicUrl } from "@/lib/deployment";
import { listApiKeys, type ApiKeyView } from "@/lib/api-keys/keys";
import { apiKeyChoices, type KeyChoices } from "@/lib/api-keys/key-choices";
import { keyStatus, reachWords, resourceWords, type KeyStatus } from "@/lib/api-keys/key-words";
import { exactTime, relativeTime } from "@/lib/checks/health-words";
import { Badge, Card, EmptyState, Notice } from "@/components/ui/card";
import { DataTable, type DataTableColumn } from "@/components/ui/data-table";
import { CreateApiKeyForm, RevokeKeyForm } from "./key-forms";

export const metadata: Metadata = { title: "API keys" };

const STATUS: Record<KeyStatus, { label: string; tone: "green" | "amber" | "slate" }> = {
  active: { label: "Active", tone: "green" },
  expired: { label: "Expired", tone: "amber" },
  revoked: { label: "Revoked", tone: "slate" },
};

const COLUMNS: DataTableColumn[] = [
  { id: "name", header: "Key" },
  { id: "reach", header: "Reaches", className: "max-w-64" },
  { id: "resources", header: "Tokens" },
  { id: "created", header: "Created" },
  { id: "used", header: "Last used" },
  { id: "expiry", header: "Expires" },
  { id: "status", header: "Status" },
  { id: "actions", header: "Actions" },
];

function When({ at, now }: { at: Date; now: Date }) {
  return <time dateTime={at.toISOString()} title={exactTime(at)}>{relativeTime(at, now)}</time>;
}

function rowOf(slug: string, k: ApiKeyView, choices: KeyChoices, now: Date) {
  const status = keyStatus(k, now);
  return {
    id: k.id,
    cells: {
      name: (
        <>
          <div className="font-medium wrap-anywhere">{k.name}</div>
          <code className="font-mono text-xs text-slate-600">{k.prefix}…</code>
        </>
      ),
      reach: <span className="wrap-anywhere">{reachWords(k, choices)}</span>,
      resources: <ul>{resourceWords(k.resources).map((r) => <li key={r}>{r}</li>)}</ul>,
      created: (
        <>
          <When at={k.createdAt} now={now} />
          {k.createdByEmail ? <div className="text-xs text-slate-600 wrap-anywhere">by {k.createdByEmail}</div> : null}
        </>
      ),
      used: k.lastUsedAt ? (
        <>
          <When at={k.lastUsedAt} now={now} />
          {k.lastUsedIp ? <div className="text-xs text-slate-600 wrap-anywhere">from {k.lastUsedIp}</div> : null}
        </>
      ) : <span className="text-slate-600">Never</span>,
      expiry: k.expiresAt ? <When at={k.expiresAt} now={now} /> : <span className="text-slate-600">Never</span>,
      status: (
        <>
          <Badge tone={STATUS[status].tone}>{STATUS[status].label}</Badge>
          {k.revokedAt ? <div className="mt-1 text-xs text-slate-600 wrap-anywhere"><When at={k.revokedAt} now={now} />{k.revokedByEmail ? ` by ${k.revokedByEmail}` : ""}</div> : null}
        </>
      ),
      actions: status === "revoked" ? <span className="text-xs text-slate-600">—</span> : <RevokeKeyForm slug={slug} id={k.id} name={k.name} />,
    },
  };
}

export default async function ApiKeysPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const ctx = await requireOrg(slug);
  if (!ctx.can("api_keys.manage")) return <Notice tone="error" title="Owners and admins only">Your role does not include API keys. Ask an owner or admin of {ctx.org.name}.</Notice>;
  const prisma = await db();
  const [keys, choices] = await Promise.all([listApiKeys(prisma, ctx.org.id), apiKeyChoices(prisma, ctx.org.id)]);
  const now = new Date();
  const baseUrl = publicUrl().replace(/\/+$/, "");
  return (
    <div className="space-y-6">
      <div className="max-w-3xl space-y-2 text-sm text-slate-700">
        <h2 className="text-xl font-semibold text-slate-900">API keys</h2>
        <p>
          An API key lets your organization&apos;s own software (a helpdesk, a mail handler, a script) get fresh access tokens for the mailboxes connected here, over{" "}
          <code className="font-mono text-xs">{baseUrl}/api/v1</code>. Mailgrant keeps the refresh token and keeps each grant alive; the software only ever holds tokens that expire within the hour.
        </p>
        <p><Link href={`/orgs/${slug}/api-keys/reference`} className="font-medium text-brand-700 underline">API reference</Link>: every call, its fields and its errors.</p>
      </div>
      <Card title="Keys" description="Revoking a key takes effect at once: its next call is refused.">
        {keys.length === 0 ? (
          <EmptyState title="No API keys yet">Create one below for each piece of software that needs tokens, so each can be revoked on its own.</EmptyState>
        ) : (
          <DataTable caption="API keys" columns={COLUMNS} rows={keys.map((k) => rowOf(slug, k, choices, now))} />
        )}
      </Card>
      <Card title="Create API key" description="The key is shown once, right after it is created.">
        <CreateApiKeyForm slug={slug} choices={choices} baseUrl={baseUrl} />
      </Card>
    </div>
  );
}
