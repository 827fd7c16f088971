"use client";
import { useActionState } from "react";
import type { ActionState } from "@/lib/action-state";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/field";
import { Badge, Notice } from "@/components/ui/card";
import { RevealedValue } from "@/components/ui/revealed-value";
import { ActionForm, type FormAction } from "@/components/ui/action-form";
import type { BridgeClientSettings } from "@/lib/bridge/client-settings";
import type { BridgeCredentialView, CreatedBridgeCredential } from "@/lib/bridge/credentials";
import { BRIDGE_PROTOCOLS, PROTOCOL_LABELS, type BridgeProtocol } from "@/lib/bridge/protocols";
import { formatDate } from "./status";

// The mailbox page's mail bridge: the credentials legacy clients sign in with, a form to make one
// (the password is shown once), and the settings to type into the printer or the old app.

const protocolLabel = (p: string) => PROTOCOL_LABELS[p as BridgeProtocol] ?? p;

export function BridgeSettingsTable({ settings, protocols }: { settings: BridgeClientSettings; protocols: readonly string[] }) {
  if (!settings) return <p className="text-sm text-slate-600">The mail bridge is not running in this deployment (MAILGRANT_BRIDGE=off).</p>;
  const rows = BRIDGE_PROTOCOLS.filter((p) => protocols.includes(p));
  return (
    <dl className="grid grid-cols-[6rem_minmax(0,1fr)] gap-y-1 text-sm [&_dd]:wrap-anywhere">
      <dt className="text-slate-600">Server</dt>
      <dd className="font-mono text-xs">{settings.host}</dd>
      {rows.map((p) => (
        <div key={p} className="contents">
          <dt className="text-slate-600">{PROTOCOL_LABELS[p]}</dt>
          <dd>{settings[p].map((s) => `port ${s.port} (${s.security})`).join(" or ")}</dd>
        </div>
      ))}
      <dt className="text-slate-600">Sign-in</dt>
      <dd>Normal password (AUTH PLAIN or LOGIN); never without TLS</dd>
    </dl>
  );
}

export function CreateBridgeCredentialForm({ action, slug, connectionId, mailbox, protocols, settings, credentials }: { action: FormAction; slug: string; connectionId: string; mailbox: string; protocols: readonly BridgeProtocol[]; settings: BridgeClientSettings; credentials: readonly BridgeCredentialView[] }) {
  const [state, formAction, pending] = useActionState<ActionState, FormData>(action, {});
  const failed = state.ok === false;
  // Usernames are unique across all credentials, revoked ones too (lib/bridge/credentials.ts): once
  // one holds the mailbox address, only a generated name can be made.
  const holder = credentials.find((c) => c.username.toLowerCase() === mailbox.toLowerCase());
  const generated = Boolean(holder) || (failed && state.values?.username === "generated");
  const created = state.ok && state.reveal ? (state.data as CreatedBridgeCredential) : null;
  const chosen = failed ? (state.lists?.protocols ?? (state.values?.protocols ? [state.values.protocols] : [])) : protocols;
  return (
    <div className="space-y-4">
      {created ? (
        <Notice tone="success" title={state.message}>
          <p>Copy the password now: Mailgrant keeps only a hash and cannot show it again.</p>
          <p className="mt-2 text-sm font-medium">Username</p>
          <RevealedValue label="Bridge username" value={created.username} />
          <p className="mt-2 text-sm font-medium">Password</p>
          <RevealedValue label="Bridge password" value={state.reveal!} />
          <div className="mt-3"><BridgeSettingsTable settings={settings} protocols={created.protocols} /></div>
        </Notice>
      ) : null}
      <h3 id="bridge-create-heading" className="text-sm font-semibold text-slate-900">Create a bridge credential</h3>
      <form action={formAction} className="space-y-4" aria-labelledby="bridge-create-heading">
        <input type="hidden" name="slug" value={slug} />
        <input type="hidden" name="connectionId" value={connectionId} />
        <TextField label="What it is for" id="bridge-name" name="name" autoComplete="off" placeholder="Office printer" defaultValue={failed ? state.values?.name : ""} error={state.fieldErrors?.name} hint="Shown in the mailbox's history for each session it opens." />
        {/* Keyed by the holder: a credential made just now takes the address, and the radios start over. */}
        <fieldset key={holder?.id ?? "free"} className="space-y-1">
          <legend className="text-sm font-medium text-slate-800">Username</legend>
          <label className={`flex items-center gap-2 text-sm ${holder ? "text-slate-500" : ""}`}>
            <input type="radio" name="username" value="mailbox" disabled={Boolean(holder)} defaultChecked={!generated} aria-describedby={holder ? "bridge-username-taken" : undefined} />
            <span className="min-w-0 wrap-anywhere">{`The mailbox address (${mailbox})`}</span>
          </label>
          {holder ? <p id="bridge-username-taken" className="pl-6 text-xs text-slate-600">{`It is already the username of “${holder.name}”${holder.revokedAt ? " (revoked)" : ""}; a username is never given to a second credential.`}</p> : null}
          <label className="flex items-center gap-2 text-sm"><input type="radio" name="username" value="generated" defaultChecked={generated} /> A generated name (for a second client of this mailbox, or one that cannot type “@”)</label>
          {state.fieldErrors?.username ? <p role="alert" className="text-sm text-red-700">{state.fieldErrors.username}</p> : null}
        </fieldset>
        <fieldset className="space-y-1" aria-describedby={state.fieldErrors?.protocols ? "bridge-protocols-error" : undefined}>
          <legend className="text-sm font-medium text-slate-800">Protocols it may use</legend>
          {protocols.length === 0 ? <p className="text-sm text-slate-600">The integration asks Microsoft for none of IMAP, POP or SMTP; add one of those purposes to it first.</p> : null}
          {protocols.map((p) => (
            <label key={p} className="flex items-center gap-2 text-sm"><input type="checkbox" name="protocols" value={p} defaultChecked={chosen.includes(p)} /> {PROTOCOL_LABELS[p]}</label>
          ))}
          {state.fieldErrors?.protocols ? <p id="bridge-protocols-error" role="alert" className="text-sm text-red-700">{state.fieldErrors.protocols}</p> : null}
        </fieldset>
        <TextField label="Allowed source addresses (optional)" id="bridge-ips" name="allowedIps" autoComplete="off" placeholder="192.0.2.10, 10.20.0.0/16" defaultValue={failed ? state.values?.allowedIps : ""} error={state.fieldErrors?.allowedIps} hint="IP addresses or CIDR ranges, separated by commas; empty: from anywhere." />
        {failed && state.message && !state.fieldErrors ? <p role="alert" className="text-sm text-red-700">{state.message}</p> : null}
        <Button type="submit" disabled={pending || protocols.length === 0}>{pending ? "Creating…" : "Create bridge credential"}</Button>
      </form>
    </div>
  );
}

export function BridgeCredentialList({ slug, credentials, revokeAction }: { slug: string; credentials: BridgeCredentialView[]; revokeAction: FormAction }) {
  if (credentials.length === 0) return <p className="text-sm text-slate-600">No bridge credentials yet.</p>;
  return (
    <ul className="divide-y divide-slate-100" aria-label="Bridge credentials">
      {credentials.map((c) => (
        <li key={c.id} className="flex flex-col gap-3 py-3 sm:flex-row sm:items-start sm:justify-between">
          <div className="min-w-0 flex-1 space-y-1 text-sm">
            <p className="font-medium">{c.name} {c.revokedAt ? <Badge tone="slate">Revoked</Badge> : <Badge tone="green">Active</Badge>}</p>
            <p className="font-mono text-xs wrap-anywhere">{c.username}</p>
            <p className="text-xs text-slate-600">{c.protocols.map(protocolLabel).join(", ")} · {c.allowedIps.length ? `from ${c.allowedIps.join(", ")}` : "from anywhere"}</p>
            <p className="text-xs text-slate-600">Created {formatDate(c.createdAt)}{c.createdByEmail ? ` by ${c.createdByEmail}` : ""}</p>
            <p className="text-xs text-slate-600">{c.lastUsedAt ? `Last used ${formatDate(c.lastUsedAt)}${c.lastUsedIp ? ` from ${c.lastUsedIp}` : ""}` : "Never used"}</p>
            {c.revokedAt ? <p className="text-xs text-slate-600">Revoked {formatDate(c.revokedAt)}{c.revokedByEmail ? ` by ${c.revokedByEmail}` : ""}</p> : null}
          </div>
          {c.revokedAt ? null : (
            <ActionForm action={revokeAction} fields={{ slug, id: c.id }} confirm={`Revoke “${c.name}”? Clients using it are cut off within seconds.`}>
              {({ pending }) => <Button type="submit" variant="secondary" disabled={pending} aria-label={`Revoke ${c.name}`}>{pending ? "Revoking…" : "Revoke"}</Button>}
            </ActionForm>
          )}
        </li>
      ))}
    </ul>
  );
}
